/** `npm run bench [-- name…]`: runs the benchmarks, prints a table, writes bench/results.json, BENCHMARKS.md and bench/charts/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runApiRate } from './api-rate.js';
import { barChart, slug } from './chart.js';
import { runDeliveryRate } from './delivery-rate.js';
import type { CaseResult } from './lib.js';
import { runPostgresRate } from './postgres-rate.js';
import { runBacklog, runFanOut, runHundredWebhooks, runIngestion, runLatency } from './scenarios.js';

const suites: Record<string, () => Promise<CaseResult[]>> = {
  'delivery-rate': runDeliveryRate,
  'hundred-webhooks': runHundredWebhooks,
  latency: runLatency,
  'fan-out': runFanOut,
  ingestion: runIngestion,
  'api-rate': runApiRate,
  'postgres-rate': runPostgresRate,
  backlog: runBacklog,
};

const chosen = process.argv.slice(2).filter((a) => a !== '--');
const names = chosen.length > 0 ? chosen : Object.keys(suites);
const results: Array<CaseResult & { suite: string; ratios: Record<string, number> }> = [];
for (const name of names) {
  const suite = suites[name];
  if (!suite) {
    console.error(`no benchmark named '${name}'; choose from ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  for (const r of await suite()) {
    const ratios = Object.fromEntries(Object.entries(r.baselines).map(([b, v]) => [b, r.hookd / v]));
    results.push({ suite: name, ...r, ratios });
  }
}

// Small figures (transactions per delivery) keep two significant digits: 0.063, not 0.1.
const figure = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en') : v >= 1 ? v.toFixed(1) : v.toPrecision(2));
const table = [
  '| case | unit | hookd | baseline | baseline figure | hookd / baseline |',
  '| --- | --- | ---: | --- | ---: | ---: |',
  ...results.flatMap((r) =>
    Object.entries(r.baselines).map(
      ([b, v], i) =>
        `| ${i === 0 ? r.name : ''} | ${i === 0 ? r.unit : ''} | ${i === 0 ? figure(r.hookd) : ''} | ${b} | ${figure(v)} | ${(r.hookd / v).toFixed(2)} |`,
    ),
  ),
].join('\n');
console.log(`\n${table}`);
const date = new Date().toISOString();
writeFileSync('bench/results.json', `${JSON.stringify({ date, node: process.version, cores: cpus().length, results }, null, 2)}\n`);
/** The targets, judged from this run's figures (never asserted in tests: these machines are noisy). */
function targets(): string[] {
  const find = (start: string) => results.find((r) => r.name.startsWith(start));
  const line = (
    what: string,
    r: (typeof results)[number] | undefined,
    ok: (r: (typeof results)[number]) => boolean,
    shown: (r: (typeof results)[number]) => string,
  ) => (r ? `| ${what} | ${shown(r)} | ${ok(r) ? 'met' : '**not met**'} |` : `| ${what} | not measured in this run | — |`);
  const one = find('deliveries/s, 1 webhook, SQLite');
  return [
    '| target | this run | |',
    '| --- | --- | --- |',
    line(
      'delivery throughput, 1 process on SQLite, ≥ 50% of bare undici',
      one,
      (r) => (r.ratios['bare undici'] ?? 0) >= 0.5,
      (r) => `${((r.ratios['bare undici'] ?? 0) * 100).toFixed(0)}%`,
    ),
    line(
      '… and ≥ 2× BullMQ + Redis',
      one,
      (r) => (r.ratios['BullMQ + Redis'] ?? 0) >= 2,
      (r) => `${(r.ratios['BullMQ + Redis'] ?? 0).toFixed(2)}×`,
    ),
    line(
      'p99 event-to-receiver latency < 25 ms at 1,000 events/s',
      find('latency p99'),
      (r) => r.hookd < 25,
      (r) => `${r.hookd.toFixed(1)} ms`,
    ),
    line(
      'fan-out of one event to 1,000 webhooks within 1 s',
      find('fan-out'),
      (r) => r.hookd < 1000,
      (r) => `${Math.round(r.hookd)} ms`,
    ),
    line(
      'resident memory < 300 MB with 1,000,000 queued',
      find('backlog: peak'),
      (r) => r.hookd < 300,
      (r) => `${Math.round(r.hookd)} MB`,
    ),
    line(
      '… and the drain at full throughput (≥ 90% of the steady rate)',
      find('backlog: drain'),
      (r) => r.hookd >= 0.9 * (Object.values(r.baselines)[0] ?? 0),
      (r) => `${(r.hookd / (Object.values(r.baselines)[0] ?? 1)).toFixed(2)}× the steady rate`,
    ),
    line(
      'healthy webhooks within 10% of their rate without the hanging one',
      find('99 healthy'),
      (r) => r.hookd >= 0.9 * (Object.values(r.baselines)[0] ?? 0),
      (r) => `${((r.hookd / (Object.values(r.baselines)[0] ?? 1)) * 100).toFixed(0)}%`,
    ),
  ];
}

if (chosen.length === 0) {
  mkdirSync('bench/charts', { recursive: true });
  const charts = results.map((r) => {
    const file = `bench/charts/${slug(r.name)}.svg`;
    writeFileSync(file, barChart(r));
    return `![${r.name}](${file})`;
  });
  writeFileSync(
    'BENCHMARKS.md',
    [
      '# Benchmarks',
      '',
      `Written by \`npm run bench\` on ${date.slice(0, 10)} (Node ${process.version}, ${cpus().length} cores). Each figure is the median of 3 runs`,
      '(the backlog case runs once); every baseline is measured in the same run against the same receiver process, so the ratio is',
      'what to compare across machines. hookd, the receivers, the load generators and the baselines each run in their own process on loopback.',
      'For times and memory (units marked "lower is better") a ratio below 1 favours hookd; for rates a ratio above 1 does.',
      '',
      table,
      '',
      '## Targets',
      '',
      ...targets(),
      '',
      '## How each case is measured',
      '',
      '- **bare undici**: undici Pool POSTs of the same signed NetServer body to the same receiver, 64 at a time (bench/bare-undici.mjs): the limit.',
      '- **BullMQ + Redis**: what a Node user builds instead: jobs added in batches of 5,000 to a BullMQ queue on a local',
      '  `redis-server --appendonly yes`, a worker (concurrency 64) that signs and POSTs with undici (bench/bullmq/baseline.mjs, its own package installed on first use).',
      '- Deliveries: 20,000 events signalled in batches of 5,000; the time runs from the first batch to the last delivery received',
      '  (ingestion included). hookd sends at most 16 requests at once to one webhook (`HOOKD_MAX_IN_FLIGHT_PER_WEBHOOK`).',
      '- 100 webhooks: 200 events to 100 webhooks on one receiver (20,000 deliveries); with one hanging, its requests are never answered.',
      '- Latency: 1,000 events/s for 5 s (10 every 10 ms) from a separate load process; signal sent to arrival at the receiver.',
      '- Ingestion and API: autocannon, 4 s a run, Bearer token; ingestion with `HOOKD_ROLE=api` (no delivery in that process).',
      '- Backlog: the receiver answers 503 while 1,000,000 deliveries are queued (`HOOKD_MAX_CONSECUTIVE_ERRORS` set high, so the webhook',
      '  stays Active and keeps retrying); then it answers 200 again and the drain is measured over 20 s.',
      '- PostgreSQL: a throwaway cluster started by the benchmark (Debian postgresql, default settings); the same 20,000 events.',
      '',
      '## Charts',
      '',
      ...charts.flatMap((c) => [c, '']),
    ].join('\n'),
  );
}
process.exit(0);
