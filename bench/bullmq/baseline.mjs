// The BullMQ baseline (bench/bullmq: its own package, installed on demand by npm run bench).
// What a Node user builds instead of hookd: a BullMQ queue on Redis and a worker that signs and POSTs
// with undici. Args: receiverUrl count concurrency redisPort [warmup]. Jobs are added in batches of 5,000 (as
// hookd's events are signalled); prints deliveries per second from the first batch to the last delivery
// (after `warmup` jobs, unmeasured).
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Pool } from 'undici';
import { postSigned } from '../signed-post.mjs';

const [url, countArg, concurrencyArg, redisPort, warmupArg] = process.argv.slice(2);
const warmup = Number(warmupArg ?? 0);
const count = Number(countArg);
const connection = { host: '127.0.0.1', port: Number(redisPort), maxRetriesPerRequest: null };
const name = `hooks-${randomUUID()}`;
const target = new URL(url);
const pool = new Pool(target.origin, { connections: Number(concurrencyArg) });
let done = 0;
let goal = 0;
let finish;
let finished;

const worker = new Worker(
  name,
  async (job) => {
    const status = await postSigned(pool, target.pathname, job.data.primaryKey, job.attemptsMade);
    if (status >= 300) throw new Error(`HTTP ${status}`);
    if (++done === goal) finish();
  },
  { connection, concurrency: Number(concurrencyArg) },
);
const queue = new Queue(name, { connection });
await queue.waitUntilReady();
await worker.waitUntilReady();

/** Adds `n` jobs in batches of 5,000 and waits until the worker has sent them all. */
async function run(n) {
  done = 0;
  goal = n;
  finished = new Promise((r) => (finish = r));
  for (let i = 0; i < n; i += 5000) {
    await queue.addBulk(
      Array.from({ length: Math.min(5000, n - i) }, (_, k) => ({
        name: 'contact.changed',
        // The event's data rides in the job, as hookd stores it with the event.
        data: {
          primaryKey: i + k,
          changes: ['name', 'orgnr', 'updated'],
          fieldValues: { associate_id: 1, business_idx: 2, category_idx: 3, country_id: 578, deleted: 0 },
        },
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true },
      })),
    );
  }
  await finished;
}
if (warmup > 0) await run(warmup);
const t0 = performance.now();
await run(count);
console.log(Math.round(count / ((performance.now() - t0) / 1000)));
await worker.close();
await queue.obliterate({ force: true }).catch(() => undefined);
await queue.close();
await pool.close();
process.exit(0);
