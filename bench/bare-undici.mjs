// The limit: bare undici POSTs of a signed ~500-byte NetServer body to the receiver, CONCURRENCY at a time.
// Args: receiverUrl count concurrency [warmup]: `warmup` POSTs first, unmeasured. Prints deliveries per second
// (with BARE_CPU=1: and the process's CPU per POST in µs, "rate cpu").
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
const cpu0 = process.cpuUsage();
await send(Number(countArg));
const rate = Math.round(Number(countArg) / ((performance.now() - t0) / 1000));
const cpu = process.cpuUsage(cpu0);
console.log(process.env.BARE_CPU ? `${rate} ${(cpu.user + cpu.system) / Number(countArg)}` : rate);
await pool.close();
