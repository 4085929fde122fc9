/** `npm run bench [-- name…]`: runs the benchmarks, prints a table and writes bench/results.json. */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { runApiRate } from './api-rate.js';
import { runDeliveryRate } from './delivery-rate.js';
import { runPostgresRate } from './postgres-rate.js';

const suites: Record<string, () => Promise<Array<{ name: string; hookd: number; baseline: number; ratio: number; unit: string }>>> = {
  'api-rate': runApiRate,
  'delivery-rate': runDeliveryRate,
  'postgres-rate': runPostgresRate,
};

const chosen = process.argv.slice(2).filter((a) => a !== '--');
const names = chosen.length > 0 ? chosen : Object.keys(suites);
const results = [];
for (const name of names) {
  const suite = suites[name];
  if (!suite) {
    console.error(`no benchmark named '${name}'; choose from ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  for (const r of await suite()) results.push({ suite: name, ...r });
}
const BASELINES: Record<string, string> = {
  'api-rate': 'a bare Fastify route answering the same JSON (bench/bare-fastify.mjs)',
  'delivery-rate': 'bare undici Pool POSTs of the same signed body, 64 at a time (bench/bare-undici.mjs)',
  'postgres-rate': 'one hookd process on SQLite, same run, same receiver',
};
const table = [
  '| case | hookd | baseline | hookd / baseline | unit | baseline is |',
  '| --- | ---: | ---: | ---: | --- | --- |',
  ...results.map(
    (r) => `| ${r.name} | ${Math.round(r.hookd)} | ${Math.round(r.baseline)} | ${r.ratio.toFixed(2)} | ${r.unit} | ${BASELINES[r.suite]} |`,
  ),
].join('\n');
console.log(`\n${table}`);
const date = new Date().toISOString();
writeFileSync('bench/results.json', `${JSON.stringify({ date, node: process.version, results }, null, 2)}\n`);
if (chosen.length === 0) {
  writeFileSync(
    'BENCHMARKS.md',
    [
      '# Benchmarks',
      '',
      `Written by \`npm run bench\` on ${date.slice(0, 10)} (Node ${process.version}, ${cpus().length} cores). Each figure is the median of 3 runs;`,
      'every baseline is measured in the same run against the same receiver process, so the ratio is what to compare across machines.',
      'hookd, the receivers and the baselines each run in their own process on loopback.',
      '',
      table,
      '',
      '- API: autocannon, 32 connections, 4 s a run, Bearer token; POST with the save-time ping off (it measures the API, not the target).',
      '- Deliveries: 20,000 events signalled in batches of 5,000 to one webhook; the time runs from the first batch to the last delivery',
      '  received (ingestion included). hookd sends at most 16 requests at once to one webhook (`HOOKD_MAX_IN_FLIGHT_PER_WEBHOOK`).',
      '- PostgreSQL: a throwaway cluster started by the benchmark (Debian postgresql, default settings); the same 20,000 events,',
      '  signalled through the first process; with two processes both deliver (the per-webhook limit of 16 holds across them).',
      '',
    ].join('\n'),
  );
}
process.exit(0);
