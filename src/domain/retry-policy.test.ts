import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyStatus, cutLastError, NETSERVER_POLICY, nextStepAfterFailure, stateChangeVerb, retryAfterMs } from './retry-policy.js';

describe('classifyStatus (decisions.md: what counts as success)', () => {
  const table: Array<[number, string]> = [
    [200, 'success'],
    [201, 'success'],
    [204, 'success'],
    [299, 'success'],
    [301, 'failure'],
    [302, 'failure'],
    [400, 'failure'],
    [404, 'failure'],
    [410, 'gone'],
    [429, 'failure'],
    [500, 'failure'],
    [503, 'failure'],
  ];
  for (const [status, outcome] of table) it(`${status} → ${outcome}`, () => assert.equal(classifyStatus(status), outcome));
});

describe('nextStepAfterFailure (1 s, 4 s, back of the queue)', () => {
  it('waits 1 s after the first attempt, 4 s after the second, then starts a new cycle', () => {
    assert.deepEqual(nextStepAfterFailure({ cycleAttempt: 0 }, NETSERVER_POLICY, 1000), {
      kind: 'retry-in-cycle',
      dueAt: 2000,
      cycleAttempt: 1,
    });
    assert.deepEqual(nextStepAfterFailure({ cycleAttempt: 1 }, NETSERVER_POLICY, 1000), {
      kind: 'retry-in-cycle',
      dueAt: 5000,
      cycleAttempt: 2,
    });
    assert.deepEqual(nextStepAfterFailure({ cycleAttempt: 2 }, NETSERVER_POLICY, 1000), { kind: 'back-of-queue', dueAt: 1000 });
  });
  it('follows a configured cycle', () => {
    const policy = { cycleDelaysMs: [10], maxConsecutiveErrors: 3 };
    assert.equal(nextStepAfterFailure({ cycleAttempt: 0 }, policy, 0).kind, 'retry-in-cycle');
    assert.equal(nextStepAfterFailure({ cycleAttempt: 1 }, policy, 0).kind, 'back-of-queue');
  });
});

describe('last_error', () => {
  it('is cut to 4000 characters', () => {
    assert.equal(cutLastError('x'.repeat(5000)).length, 4000);
  });
});

describe('stateChangeVerb', () => {
  const table: Array<[string, string, string | null]> = [
    ['Stopped', 'Active', 'started'],
    ['TooManyErrors', 'Active', 'started'],
    ['Active', 'Stopped', 'stopped'],
    ['Active', 'TooManyErrors', 'errors'],
    ['Active', 'Active', null],
  ];
  for (const [from, to, verb] of table) {
    it(`${from} → ${to}: ${verb}`, () => assert.equal(stateChangeVerb(from as never, to as never), verb));
  }
});

describe('retryAfterMs (RFC 9110 §10.2.3)', () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const cap = 3_600_000;
  const table: Array<[number, string | undefined, number | null]> = [
    [429, '2', 2000],
    [503, '0', 0],
    [429, ' 120 ', 120_000],
    [429, 'Tue, 01 Dec 2026 12:00:30 GMT', 30_000],
    [503, 'Tue, 01 Dec 2026 11:59:00 GMT', 0],
    [429, '999999', cap],
    [429, undefined, null],
    [429, 'soon', null],
    [429, '-5', null],
    [429, '1.5', null],
    [500, '2', null],
    [200, '2', null],
  ];
  for (const [status, header, expected] of table) {
    it(`${status} Retry-After ${JSON.stringify(header)} → ${expected}`, () =>
      assert.equal(retryAfterMs(status, header, now, cap), expected));
  }
});
