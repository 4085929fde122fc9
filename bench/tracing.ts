/**
 * Tracing on vs off (issue 26): delivery throughput of one hookd process on SQLite to one local receiver with
 * OpenTelemetry off (the default) and on, exporting every span over OTLP/HTTP to a collector that accepts and drops
 * them (in this process). Runs alternate so that drift on a shared machine hits both alike.
 * BENCH_TRACING_EVENTS sets the events a run (default 20,000).
 */
import { createServer } from 'node:http';
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

const RUNS = 3;
const EVENTS = Number(process.env.BENCH_TRACING_EVENTS ?? 20_000);

async function measure(receiverPort: string, target: string, env: Record<string, string>): Promise<number> {
  const hookd = await startHookdProcess(env);
  await api(hookd.url, 'POST', '/api/v1/Webhook', { Name: 'bench', Events: ['contact.changed'], TargetUrl: target, Secret: 'secret' });
  const start = await receivedCount(receiverPort);
  const t0 = performance.now();
  await signalEvents(hookd.url, 0, EVENTS, 5_000);
  await waitForCount(receiverPort, start + EVENTS);
  const rate = Math.round(EVENTS / ((performance.now() - t0) / 1000));
  hookd.child.kill();
  return rate;
}

export async function runTracing(): Promise<CaseResult[]> {
  let spans = 0;
  const collector = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (d: Buffer) => (bytes += d.length));
    req.on('end', () => {
      spans += bytes > 0 ? 1 : 0;
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;
  const receiver = await startProcess('bench/receiver.mjs');
  const target = `http://127.0.0.1:${receiver.line}/hook`;
  const off: number[] = [];
  const on: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    progress('tracing on vs off', run, RUNS);
    off.push(await measure(receiver.line, target, {}));
    on.push(await measure(receiver.line, target, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }));
  }
  progress('tracing on vs off', RUNS, RUNS);
  receiver.child.kill();
  collector.close();
  if (spans === 0) throw new Error('tracing on exported nothing');
  return [
    {
      name: 'deliveries/s, 1 webhook, SQLite, tracing on (OTLP/HTTP)',
      hookd: median(on),
      baselines: { 'tracing off': median(off) },
      unit: 'deliveries/s',
    },
  ];
}
