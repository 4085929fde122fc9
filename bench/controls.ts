/**
 * What the delivery controls cost on the hot path: one hookd process on SQLite delivering to one local
 * receiver, end to end (signal to last delivery), for a webhook with a payload filter that every event
 * matches (so the same deliveries are made) and for one with a MaxPerSecond far above what it reaches (so the
 * limiter's bookkeeping runs but never holds an attempt back), each as a ratio to the same webhook without
 * them, measured in the same run, runs interleaved. Goal (issue 14): each within 10% (ratio ≥ 0.9).
 */
import { measure } from './delivery-rate.js';
import { type CaseResult, median, progress, startProcess } from './lib.js';

const RUNS = 3;

/** Four conditions over the payload, each true for every bench event: the filter is evaluated in full. */
const FILTER = {
  Event: 'contact.changed',
  PrimaryKey: { $gte: 0 },
  'FieldValues.country_id': { $in: [578, 752, 208] },
  Changes: { $all: ['name'] },
};

export async function runControls(): Promise<CaseResult[]> {
  const receiver = await startProcess('bench/receiver.mjs');
  const target = `http://127.0.0.1:${receiver.line}/hook`;
  const plain: number[] = [];
  const filtered: number[] = [];
  const limited: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    progress('delivery controls', run, RUNS);
    plain.push(await measure(receiver.line, target, {}));
    filtered.push(await measure(receiver.line, target, {}, { Filter: FILTER }));
    limited.push(await measure(receiver.line, target, {}, { MaxPerSecond: 100_000 }));
  }
  progress('delivery controls', RUNS, RUNS);
  receiver.child.kill();
  const baseline = { 'the same webhook without controls (same run)': median(plain) };
  return [
    {
      name: 'deliveries/s, 1 webhook, SQLite, with a payload filter (4 conditions, all match)',
      hookd: median(filtered),
      baselines: baseline,
      unit: 'deliveries/s',
    },
    {
      name: 'deliveries/s, 1 webhook, SQLite, with MaxPerSecond 100,000 (not reached)',
      hookd: median(limited),
      baselines: baseline,
      unit: 'deliveries/s',
    },
  ];
}
