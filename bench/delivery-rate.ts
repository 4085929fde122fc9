/**
 * Delivery throughput of one hookd process on SQLite to one local receiver, end to end (from the first
 * batch signalled to the last delivery received, ingestion included), as a ratio to bare undici POSTs of the same signed body to
 * the same receiver, measured in the same run.
 */
import {
  api,
  type CaseResult,
  median,
  progress,
  receivedCount,
  signalEvents,
  startHookdProcess,
  startProcess,
  waitForCount,
} from './lib.js';
import { startRedis } from './redis.js';

const RUNS = 3;
const EVENTS = 20_000;
const BATCH = 5_000;
/**
 * Deliveries each sender makes first, unmeasured — hookd, bare undici and BullMQ alike: a server runs for days, and
 * a fresh process spends its first seconds compiling (hookd's cold CPU is in the `cpu` case).
 */
const WARMUP = 10_000;

/**
 * One hookd process with `env` and one webhook (with `controls` added to its carrier): signals EVENTS in batches,
 * returns deliveries/s up to the last one received.
 */
export async function measure(
  receiverPort: string,
  target: string,
  env: Record<string, string>,
  controls: Record<string, unknown> = {},
): Promise<number> {
  const hookd = await startHookdProcess(env);
  await api(hookd.url, 'POST', '/api/v1/Webhook', {
    Name: 'bench',
    Events: ['contact.changed'],
    TargetUrl: target,
    Secret: 'secret',
    ...controls,
  });
  const warm = await receivedCount(receiverPort);
  await signalEvents(hookd.url, 0, WARMUP, BATCH);
  await waitForCount(receiverPort, warm + WARMUP);
  const start = await receivedCount(receiverPort);
  const t0 = performance.now();
  await signalEvents(hookd.url, WARMUP, EVENTS, BATCH);
  await waitForCount(receiverPort, start + EVENTS);
  hookd.child.kill();
  return Math.round(EVENTS / ((performance.now() - t0) / 1000));
}

export async function runDeliveryRate(): Promise<CaseResult[]> {
  const receiver = await startProcess('bench/receiver.mjs');
  const target = `http://127.0.0.1:${receiver.line}/hook`;
  const redis = await startRedis();
  const h: number[] = [];
  const b: number[] = [];
  const q: number[] = [];
  const fixed: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    progress('delivery rate', run, RUNS);
    const bare = await startProcess('bench/bare-undici.mjs', [target, String(EVENTS), '64', String(WARMUP)]);
    b.push(Number(bare.line));
    if (redis)
      q.push(
        Number((await startProcess('bench/bullmq/baseline.mjs', [target, String(EVENTS), '64', String(redis.port), String(WARMUP)])).line),
      );

    h.push(await measure(receiver.line, target, {}));
    fixed.push(await measure(receiver.line, target, { HOOKD_MAX_IN_FLIGHT_PER_WEBHOOK: '16' }));
  }
  progress('delivery rate', RUNS, RUNS);
  receiver.child.kill();
  redis?.stop();
  return [
    {
      name: 'deliveries/s, 1 webhook, SQLite',
      hookd: median(h),
      baselines: { 'bare undici': median(b), ...(redis ? { 'BullMQ + Redis': median(q) } : {}) },
      unit: 'deliveries/s',
    },
    {
      name: 'deliveries/s, 1 webhook, SQLite, a fixed 16 in flight (HOOKD_MAX_IN_FLIGHT_PER_WEBHOOK=16: the default before issue 22)',
      hookd: median(fixed),
      baselines: { 'bare undici': median(b), ...(redis ? { 'BullMQ + Redis': median(q) } : {}) },
      unit: 'deliveries/s',
    },
  ];
}
