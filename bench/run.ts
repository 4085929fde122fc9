/** `npm run bench [-- name…]`: runs the benchmarks, prints a table and writes bench/results.json. */
import { writeFileSync } from 'node:fs';
import { runApiRate } from './api-rate.js';
import { runDeliveryRate } from './delivery-rate.js';

const suites: Record<string, () => Promise<Array<{ name: string; hookd: number; baseline: number; ratio: number; unit: string }>>> = {
  'api-rate': runApiRate,
  'delivery-rate': runDeliveryRate,
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
console.log('\n| case | hookd | baseline | ratio | unit |\n| --- | ---: | ---: | ---: | --- |');
for (const r of results)
  console.log(`| ${r.name} | ${Math.round(r.hookd)} | ${Math.round(r.baseline)} | ${r.ratio.toFixed(2)} | ${r.unit} |`);
writeFileSync('bench/results.json', `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
process.exit(0);
