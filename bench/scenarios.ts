/**
 * The delivery scenarios beyond one webhook: 100 webhooks (and the same with one of them hanging), fan-out
 * of one event to 1,000 webhooks, event-to-receiver latency at a fixed load, ingestion rates, and a backlog
 * of 1,000,000 queued deliveries. Each hookd figure sits beside a baseline measured in the same run.
 */
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import {
  api,
  type CaseResult,
  EVENT_DATA,
  median,
  progress,
  receivedCount,
  signalEvents,
  startHookdProcess,
  startProcess,
  waitForCount,
} from './lib.js';

const RUNS = 3;

async function get(port: string, path: string): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}${path}`)).text();
}

async function webhooks(url: string, n: number, target: (i: number) => string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      (
        await api(url, 'POST', '/api/v1/Webhook', {
          Name: `bench ${i}`,
          Events: ['contact.changed'],
          TargetUrl: target(i),
          Secret: 'secret',
        })
      ).WebhookId,
    );
  }
  return ids;
}

function rssMb(pid: number): number {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:')) ?? '0';
  return Number(line.replace(/\D+/g, '')) / 1024;
}

/** 100 webhooks on one receiver, 200 events: 20,000 deliveries; then the same with one webhook hanging. */
export async function runHundredWebhooks(): Promise<CaseResult[]> {
  const receiver = await startProcess('bench/receiver.mjs');
  const base = `http://127.0.0.1:${receiver.line}`;
  const healthy: number[] = [];
  const withHanging: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    progress('100 webhooks', run, RUNS);
    // Each sender first makes 10,000 unmeasured deliveries (hookd: 100 events), as in the delivery-rate case.
    bare.push(Number((await startProcess('bench/bare-undici.mjs', [`${base}/hook`, '20000', '64', '10000'])).line));
    for (const hanging of [false, true]) {
      const hookd = await startHookdProcess({ HOOKD_SAVE_PING: '0', HOOKD_ATTEMPT_TIMEOUT_MS: '60000' });
      await webhooks(hookd.url, 100, (i) => (hanging && i === 0 ? `${base}/hang` : `${base}/hook/${i}`));
      const warm = await receivedCount(receiver.line);
      await signalEvents(hookd.url, 0, 100, 100);
      await waitForCount(receiver.line, warm + (hanging ? 100 * 99 : 100 * 100));
      const start = await receivedCount(receiver.line);
      const expected = hanging ? 200 * 99 : 200 * 100;
      const t0 = performance.now();
      await signalEvents(hookd.url, 100, 200, 200);
      await waitForCount(receiver.line, start + expected);
      (hanging ? withHanging : healthy).push(expected / ((performance.now() - t0) / 1000));
      hookd.child.kill('SIGKILL');
    }
  }
  progress('100 webhooks', RUNS, RUNS);
  receiver.child.kill();
  return [
    {
      name: 'deliveries/s, 100 webhooks, SQLite',
      unit: 'deliveries/s',
      hookd: median(healthy),
      baselines: { 'bare undici': median(bare) },
    },
    {
      name: '99 healthy webhooks beside 1 hanging (deliveries/s of the healthy ones)',
      unit: 'deliveries/s',
      hookd: median(withHanging),
      baselines: { 'hookd, 100 healthy (same run)': median(healthy) },
    },
  ];
}

/** One event to 1,000 webhooks: time until the 1,000th delivery arrives, against 1,000 bare POSTs. */
export async function runFanOut(): Promise<CaseResult[]> {
  const receiver = await startProcess('bench/receiver.mjs');
  const base = `http://127.0.0.1:${receiver.line}`;
  const hookd = await startHookdProcess({ HOOKD_SAVE_PING: '0' });
  await webhooks(hookd.url, 1000, (i) => `${base}/hook/${i}`);
  const h: number[] = [];
  const b: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    progress('fan-out 1,000', run, RUNS);
    const bareRate = Number((await startProcess('bench/bare-undici.mjs', [`${base}/hook`, '1000', '64'])).line);
    b.push((1000 / bareRate) * 1000);
    const start = await receivedCount(receiver.line);
    const t0 = performance.now();
    await api(hookd.url, 'POST', `/api/v1/Webhook/contact.changed/${run + 1}`, EVENT_DATA);
    await waitForCount(receiver.line, start + 1000);
    h.push(performance.now() - t0);
  }
  progress('fan-out 1,000', RUNS, RUNS);
  hookd.child.kill('SIGKILL');
  receiver.child.kill();
  return [
    {
      name: 'fan-out: 1 event to 1,000 webhooks, time to the last delivery',
      unit: 'ms (lower is better)',
      lowerIsBetter: true,
      hookd: median(h),
      baselines: { 'bare undici': median(b) },
    },
  ];
}

/** Event-to-receiver latency at 1,000 events/s for 5 s (10 events every 10 ms), hookd against a direct POST. */
export async function runLatency(): Promise<CaseResult[]> {
  const receiver = await startProcess('bench/receiver.mjs');
  const base = `http://127.0.0.1:${receiver.line}`;
  const hookd = await startHookdProcess({ HOOKD_SAVE_PING: '0' });
  await webhooks(hookd.url, 1, () => `${base}/hook`);
  // A server runs for days: 20,000 deliveries first, unmeasured (JIT compiled, pools open), as the other cases warm theirs.
  const warm = Number(await get(receiver.line, '/count')) + 20_000;
  await signalEvents(hookd.url, 1_000_000_000, 20_000, 500);
  await waitForCount(receiver.line, warm);
  const p50: number[] = [];
  const p99: number[] = [];
  const bp50: number[] = [];
  const bp99: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    progress('latency at 1,000/s', run, RUNS);
    for (const direct of [true, false]) {
      await get(receiver.line, '/track');
      const out = await startProcess('bench/latency-load.mjs', [
        direct ? `${base}/hook` : hookd.url,
        direct ? 'direct' : 'hookd',
        String(run * 10_000),
      ]);
      const sent = JSON.parse(out.line) as Record<string, number>;
      await waitForCount(receiver.line, 0);
      await new Promise((r) => setTimeout(r, 500));
      const arrivals = JSON.parse(await get(receiver.line, '/arrivals')) as Record<string, number>;
      const lat = Object.entries(sent)
        .map(([k, t]) => (arrivals[k] ?? Number.POSITIVE_INFINITY) - t)
        .sort((a, c) => a - c);
      const at = (q: number) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))]!;
      (direct ? bp50 : p50).push(at(0.5));
      (direct ? bp99 : p99).push(at(0.99));
    }
  }
  progress('latency at 1,000/s', RUNS, RUNS);
  hookd.child.kill('SIGKILL');
  receiver.child.kill();
  return [
    {
      name: 'latency p50 at 1,000 events/s, signal to arrival',
      unit: 'ms (lower is better)',
      lowerIsBetter: true,
      hookd: median(p50),
      baselines: { 'direct undici POST': median(bp50) },
    },
    {
      name: 'latency p99 at 1,000 events/s, signal to arrival',
      unit: 'ms (lower is better)',
      lowerIsBetter: true,
      hookd: median(p99),
      baselines: { 'direct undici POST': median(bp99) },
    },
  ];
}

/** Events accepted per second: one event a request, and 100 a request, against a bare Fastify route. */
export async function runIngestion(): Promise<CaseResult[]> {
  const bare = await startProcess('bench/bare-fastify.mjs');
  const hookd = await startHookdProcess({ HOOKD_SAVE_PING: '0', HOOKD_ROLE: 'api' });
  const token = (await api(hookd.url, 'POST', '/api/v1/Auth/Tokens', { Name: 'bench' })).Token as string;
  await api(hookd.url, 'POST', '/api/v1/Webhook', {
    Name: 'bench',
    Events: ['contact.changed'],
    TargetUrl: 'http://127.0.0.1:9/x',
    Secret: 's',
  });
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const batch = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ EventName: 'contact.changed', PrimaryKey: i, Data: EVENT_DATA })));
  const cases = [
    {
      name: 'ingestion: POST /Webhook/contact.changed/{id} (1 event a request)',
      path: '/api/v1/Webhook/contact.changed/1',
      body: JSON.stringify(EVENT_DATA),
      per: 1,
    },
    { name: 'ingestion: POST /Webhook/Events (100 events a request)', path: '/api/v1/Webhook/Events', body: batch, per: 100 },
  ];
  const results: CaseResult[] = [];
  let step = 0;
  for (const c of cases) {
    const h: number[] = [];
    const b: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      progress('ingestion', step++, cases.length * RUNS);
      for (const [url, into] of [
        [`http://127.0.0.1:${bare.line}`, b],
        [hookd.url, h],
      ] as const) {
        const r = await autocannon({ url: `${url}${c.path}`, method: 'POST', headers, body: c.body, connections: 16, duration: 4 });
        if (r.errors > 0 || r.non2xx > 0) throw new Error(`${c.path}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        into.push(r.requests.average * c.per);
      }
    }
    results.push({ name: c.name, unit: 'events/s', hookd: median(h), baselines: { 'bare Fastify route': median(b) } });
  }
  progress('ingestion', cases.length * RUNS, cases.length * RUNS);
  hookd.child.kill('SIGKILL');
  bare.child.kill();
  return results;
}

/**
 * 1,000,000 deliveries queued while the receiver answers 503 (HOOKD_MAX_CONSECUTIVE_ERRORS set high so the
 * webhook stays Active and keeps retrying): the process's peak resident memory while it builds; then the
 * receiver answers 200 again and the drain rate over 20 s is compared with the steady rate of one webhook.
 */
export async function runBacklog(): Promise<CaseResult[]> {
  const TOTAL = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
  const receiver = await startProcess('bench/receiver.mjs');
  const base = `http://127.0.0.1:${receiver.line}`;
  // The webhook must stay Active while its receiver is down, or nothing would be queued for it.
  const hookd = await startHookdProcess({ HOOKD_SAVE_PING: '0', HOOKD_MAX_CONSECUTIVE_ERRORS: '1000000000' });
  await webhooks(hookd.url, 1, () => `${base}/hook`);
  const steadyStart = await receivedCount(receiver.line);
  let t0 = performance.now();
  await signalEvents(hookd.url, 0, 20_000);
  await waitForCount(receiver.line, steadyStart + 20_000);
  const steady = 20_000 / ((performance.now() - t0) / 1000);

  await get(receiver.line, '/down');
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(hookd.child.pid!))), 200);
  for (let i = 0; i < TOTAL; i += 10_000) {
    progress('backlog of 1,000,000', i / 10_000, TOTAL / 10_000);
    await signalEvents(hookd.url, 100_000 + i, 10_000);
  }
  progress('backlog of 1,000,000', TOTAL / 10_000, TOTAL / 10_000);
  peak = Math.max(peak, rssMb(hookd.child.pid!));
  if (process.env.BENCH_VERBOSE) console.error(`backlog: peak ${peak} MB while queueing`);
  await get(receiver.line, '/up');
  const drainStart = await receivedCount(receiver.line);
  t0 = performance.now();
  await new Promise((r) => setTimeout(r, 20_000));
  const drain = ((await receivedCount(receiver.line)) - drainStart) / ((performance.now() - t0) / 1000);
  peak = Math.max(peak, rssMb(hookd.child.pid!));
  if (process.env.BENCH_VERBOSE) console.error(`backlog: peak ${peak} MB after the drain`);
  clearInterval(sampler);
  hookd.child.kill('SIGKILL');
  receiver.child.kill();
  return [
    {
      name: `backlog: peak resident memory with ${TOTAL.toLocaleString('en')} deliveries queued`,
      unit: 'MB (lower is better)',
      lowerIsBetter: true,
      hookd: peak,
      baselines: { target: 300 },
    },
    {
      name: `backlog: drain rate of ${TOTAL.toLocaleString('en')} queued deliveries`,
      unit: 'deliveries/s',
      hookd: drain,
      baselines: { 'hookd steady rate, 1 webhook (same run)': steady },
    },
  ];
}
