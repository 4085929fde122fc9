/** BucketHistogram writes what prom-client's Histogram writes for the same observations. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BucketHistogram } from './bucket-histogram.js';

it('the same exposition as prom-client for the same observations, on the bounds and between them', async () => {
  const buckets = [0.001, 0.005, 0.01, 1, 10];
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ name: 'h_seconds', help: 'How long', buckets, registers: [theirs] });
  const fast = new BucketHistogram('h_seconds', 'How long', buckets, ours);
  for (const v of [0, 0.0005, 0.001, 0.003, 0.005, 0.0051, 0.5, 1, 9.99, 10, 11, 3600]) {
    reference.observe(v);
    fast.observe(v);
  }
  assert.equal(await ours.metrics(), await theirs.metrics());
  assert.match(await ours.metrics(), /h_seconds_bucket\{le="0.005"\} 5\n/);
});
