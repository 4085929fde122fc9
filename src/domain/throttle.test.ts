import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AttemptOutcome, NETSERVER_POLICY } from './retry-policy.js';
import { judgeThrottle, throttleRule } from './throttle.js';

const RULE = throttleRule(NETSERVER_POLICY, 60_000);
const throttled = (retryAfterMs: number): AttemptOutcome => ({
  kind: 'throttled',
  status: 429,
  stage: 'response',
  error: 'HTTP/1.1 429',
  retryAfterMs,
});
const OK: AttemptOutcome = { kind: 'success', status: 200 };
const FAIL: AttemptOutcome = { kind: 'failure', status: 500, stage: 'response', error: 'HTTP/1.1 500' };
const FAULT: AttemptOutcome = { kind: 'fault', status: null, stage: 'store', error: '[store] down' };

describe('throttleRule', () => {
  it("the floor is the cycle's first delay (NetServer: 1 s), or 1 s when a cycle has no delays", () => {
    assert.deepEqual(RULE, { floorMs: 1000, maxThrottledMs: 60_000 });
    assert.equal(throttleRule({ cycleDelaysMs: [250, 4000], maxConsecutiveErrors: 9 }, 1).floorMs, 250);
    assert.equal(throttleRule({ cycleDelaysMs: [], maxConsecutiveErrors: 9 }, 1).floorMs, 1000);
  });
});

describe('judgeThrottle (now = 100,000; bound 60 s; floor 1 s)', () => {
  const now = 100_000;
  const table: Array<[string, AttemptOutcome, number | null, AttemptOutcome, number | null]> = [
    ['Retry-After: 0 gets the floor; the stretch starts', throttled(0), null, throttled(1000), now],
    ['a pause above the floor is kept', throttled(2000), null, throttled(2000), now],
    ['within the bound: still a pause, the stretch kept', throttled(0), now - 59_999, throttled(1000), now - 59_999],
    [
      'at the bound: an ordinary failure',
      throttled(5000),
      now - 60_000,
      { kind: 'failure', status: 429, stage: 'response', error: '[throttled for more than 60 s: counted as a failure] HTTP/1.1 429' },
      now - 60_000,
    ],
    ['a success ends the stretch', OK, now - 30_000, OK, null],
    ['a failure does not', FAIL, now - 30_000, FAIL, now - 30_000],
    ["nor does hookd's own fault", FAULT, now - 30_000, FAULT, now - 30_000],
    ['not throttled stays so', FAIL, null, FAIL, null],
  ];
  for (const [name, outcome, since, expected, sinceAfter] of table) {
    it(name, () => assert.deepEqual(judgeThrottle(outcome, since, RULE, now), { outcome: expected, throttledSince: sinceAfter }));
  }
});
