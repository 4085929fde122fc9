// The limit: bare undici POSTs of a signed ~500-byte NetServer body to the receiver, CONCURRENCY at a time.
// Args: receiverUrl count concurrency. Prints deliveries per second.
import { Pool } from 'undici';
import { postSigned } from './signed-post.mjs';

const [url, countArg, concurrencyArg] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const target = new URL(url);
const pool = new Pool(target.origin, { connections: concurrency });
let next = 0;
const t0 = performance.now();
async function lane() {
  while (next < count) await postSigned(pool, target.pathname, next++);
}
await Promise.all(Array.from({ length: concurrency }, lane));
console.log(Math.round(count / ((performance.now() - t0) / 1000)));
await pool.close();
