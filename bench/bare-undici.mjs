// The limit: bare undici POSTs of a signed ~500-byte NetServer body to the receiver, CONCURRENCY at a time.
// Args: receiverUrl count concurrency [warmup]: `warmup` POSTs first, unmeasured. Prints deliveries per second.
import { Pool } from 'undici';
import { postSigned } from './signed-post.mjs';

const [url, countArg, concurrencyArg, warmupArg] = process.argv.slice(2);
const warmup = Number(warmupArg ?? 0);
const concurrency = Number(concurrencyArg);
const target = new URL(url);
const pool = new Pool(target.origin, { connections: concurrency });
let next = 0;
async function send(count) {
  next = 0;
  const lane = async () => {
    while (next < count) await postSigned(pool, target.pathname, next++);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}
if (warmup > 0) await send(warmup);
const t0 = performance.now();
await send(Number(countArg));
console.log(Math.round(Number(countArg) / ((performance.now() - t0) / 1000)));
await pool.close();
