import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AttemptOutcome, NETSERVER_POLICY } from './retry-policy.js';
import { emptyTally, FAULT_RETRY_MS, stepAfter, tallyAttempt } from './settlement.js';

const FAIL: AttemptOutcome = { kind: 'failure', status: 500, stage: 'response', error: 'HTTP/1.1 500' };
const OK: AttemptOutcome = { kind: 'success', status: 200 };
const FAULT: AttemptOutcome = { kind: 'fault', status: null, stage: 'prepare', error: '[prepare] no handler' };
const guid = () => 'new-guid';

describe('settling an attempt', () => {
  it('moves the delivery on: delivered, 1 s then 4 s in its cycle, then a new cycle with a new EventId; a fault later', () => {
    assert.deepEqual(stepAfter(OK, { cycleAttempt: 0 }, NETSERVER_POLICY, 100, guid), { kind: 'delivered' });
    assert.deepEqual(stepAfter(FAIL, { cycleAttempt: 0 }, NETSERVER_POLICY, 100, guid), { kind: 'retry', dueAt: 1100, cycleAttempt: 1 });
    assert.deepEqual(stepAfter(FAIL, { cycleAttempt: 1 }, NETSERVER_POLICY, 100, guid), { kind: 'retry', dueAt: 4100, cycleAttempt: 2 });
    assert.deepEqual(stepAfter(FAIL, { cycleAttempt: 2 }, NETSERVER_POLICY, 100, guid), {
      kind: 'new-cycle',
      dueAt: 100,
      eventGuid: 'new-guid',
    });
    assert.deepEqual(stepAfter(FAULT, { cycleAttempt: 1 }, NETSERVER_POLICY, 100, guid), { kind: 'later', dueAt: 100 + FAULT_RETRY_MS });
  });

  it('tallies counters as deltas: a success restarts the consecutive count, the ninth failure trips once, a fault counts nothing', () => {
    const t = emptyTally();
    let consecutive = 5;
    for (const o of [FAIL, OK, FAIL, FAULT]) consecutive = tallyAttempt(t, consecutive, o, 'g', NETSERVER_POLICY).consecutive;
    assert.equal(consecutive, 1);
    assert.deepEqual(t, {
      calls: 3,
      errors: 2,
      consecutiveReset: true,
      consecutiveAdd: 1,
      lastError: 'HTTP/1.1 500',
      tripGuid: null,
      firstFailureGuid: 'g',
    });
    const first = emptyTally();
    tallyAttempt(first, 0, OK, 'a', NETSERVER_POLICY);
    tallyAttempt(first, 0, FAIL, 'b', NETSERVER_POLICY);
    tallyAttempt(first, 1, FAIL, 'c', NETSERVER_POLICY);
    assert.equal(first.firstFailureGuid, 'b', 'the first failure after a success (NotifyWhen FirstFailure)');

    const trip = emptyTally();
    const results = [];
    consecutive = 7;
    for (const g of ['a', 'b', 'c']) {
      const r = tallyAttempt(trip, consecutive, FAIL, g, NETSERVER_POLICY);
      consecutive = r.consecutive;
      results.push(r.trips);
    }
    assert.deepEqual(results, [false, true, false], 'the ninth consecutive failure trips, and only once');
    assert.equal(trip.tripGuid, 'b');
    // From a fresh webhook: attempts 1–8 do not trip, the 9th does.
    const fresh = emptyTally();
    let count = 0;
    for (let i = 1; i <= 9; i++) {
      const r = tallyAttempt(fresh, count, FAIL, `g${i}`, NETSERVER_POLICY);
      count = r.consecutive;
      assert.equal(r.trips, i === 9, `attempt ${i}`);
    }
    assert.deepEqual([fresh.calls, fresh.errors, fresh.consecutiveAdd, fresh.tripGuid], [9, 9, 9, 'g9']);
    const long = emptyTally();
    tallyAttempt(long, 0, { ...FAIL, error: 'x'.repeat(5000) } as AttemptOutcome, 'l', NETSERVER_POLICY);
    assert.equal(long.lastError?.length, 4000, 'last_error is cut to its column');
    const gone = emptyTally();
    assert.equal(tallyAttempt(gone, 0, { kind: 'gone', status: 410, stage: 'response', error: 'gone' }, 'x', NETSERVER_POLICY).trips, true);
  });
});

describe('a Retry-After pause', () => {
  const THROTTLED: AttemptOutcome = { kind: 'throttled', status: 429, stage: 'response', error: 'HTTP/1.1 429', retryAfterMs: 2000 };

  it('repeats the same attempt after the pause: the cycle does not move', () => {
    assert.deepEqual(stepAfter(THROTTLED, { cycleAttempt: 1 }, NETSERVER_POLICY, 1000, guid), { kind: 'later', dueAt: 3000 });
  });

  it('is a call, not an error: ConsecutiveErrors, TotalErrors and LastError stay, and it never trips', () => {
    const tally = emptyTally();
    const r = tallyAttempt(tally, 8, THROTTLED, 'g', NETSERVER_POLICY);
    assert.deepEqual(r, { consecutive: 8, trips: false });
    assert.deepEqual([tally.calls, tally.errors, tally.consecutiveAdd, tally.lastError, tally.firstFailureGuid], [1, 0, 0, null, null]);
  });
});
