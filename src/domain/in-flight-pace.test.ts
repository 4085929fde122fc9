import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pacedAfter, paceFor, type PaceState } from './in-flight-pace.js';

function run(state: PaceState, answers: Array<[boolean, number]>, ceiling = 64): PaceState {
  return answers.reduce((s, [ok, ms]) => pacedAfter(s, ok, ms, paceFor(ceiling)), state);
}

describe('a webhook’s in-flight limit', () => {
  it('starts at 16 and doubles after as many quick successes in a row as its limit, up to the ceiling', () => {
    const start = { limit: paceFor(64).floor, quickInARow: 0 };
    assert.equal(start.limit, 16);
    assert.deepEqual(run(start, Array(15).fill([true, 5])), { limit: 16, quickInARow: 15 });
    assert.deepEqual(run(start, Array(16).fill([true, 5])), { limit: 32, quickInARow: 0 });
    assert.deepEqual(run(start, Array(16 + 32).fill([true, 5])), { limit: 64, quickInARow: 0 });
    assert.deepEqual(run(start, Array(500).fill([true, 5])), { limit: 64, quickInARow: 0 }, 'never above the ceiling');
  });

  it('falls back to the floor after a slow answer or a failure', () => {
    const fast = { limit: 64, quickInARow: 0 };
    assert.deepEqual(run(fast, [[true, 1_000]]), { limit: 16, quickInARow: 0 }, 'a second is slow');
    assert.deepEqual(run(fast, [[false, 3]]), { limit: 16, quickInARow: 0 }, 'a quick failure too');
    assert.deepEqual(run(fast, [[true, 999]]), fast);
  });

  it('keeps a ceiling of 16 or less fixed: the setting as it was', () => {
    for (const ceiling of [1, 4, 16]) {
      assert.deepEqual(paceFor(ceiling), { floor: ceiling, ceiling });
      assert.equal(run({ limit: ceiling, quickInARow: 0 }, Array(100).fill([true, 1]), ceiling).limit, ceiling);
    }
  });
});
