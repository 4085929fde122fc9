import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AttemptOutcome,
  classifyStatus,
  cutLastError,
  NETSERVER_POLICY,
  nextStepAfterFailure,
  stateChangeVerb,
  statsAfterAttempt,
} from './retry-policy.js';
import type { WebhookStats } from './webhook.js';

const fresh: WebhookStats = { totalCalls: 0, totalErrors: 0, consecutiveErrors: 0, lastError: null };

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

describe('statsAfterAttempt (counters and TooManyErrors)', () => {
  const failure: AttemptOutcome = { kind: 'failure', status: 500, stage: 'response', error: 'HTTP/1.1 500' };
  it('counts calls and errors, resets consecutive errors on success', () => {
    let s = statsAfterAttempt(fresh, 'Active', failure, NETSERVER_POLICY);
    assert.deepEqual(s.stats, { totalCalls: 1, totalErrors: 1, consecutiveErrors: 1, lastError: 'HTTP/1.1 500' });
    s = statsAfterAttempt(s.stats, 'Active', { kind: 'success', status: 200 }, NETSERVER_POLICY);
    assert.deepEqual(s.stats, { totalCalls: 2, totalErrors: 1, consecutiveErrors: 0, lastError: 'HTTP/1.1 500' });
    assert.equal(s.state, 'Active');
  });
  it('switches an Active webhook off at the 9th consecutive failure, not before', () => {
    let stats = fresh;
    for (let i = 1; i <= 9; i++) {
      const r = statsAfterAttempt(stats, 'Active', failure, NETSERVER_POLICY);
      assert.equal(r.becameTooManyErrors, i === 9, `attempt ${i}`);
      assert.equal(r.state, i === 9 ? 'TooManyErrors' : 'Active');
      stats = r.stats;
    }
  });
  it('switches off at once on 410 Gone', () => {
    const r = statsAfterAttempt(fresh, 'Active', { kind: 'gone', status: 410, stage: 'response', error: 'gone' }, NETSERVER_POLICY);
    assert.equal(r.state, 'TooManyErrors');
    assert.equal(r.becameTooManyErrors, true);
  });
  it('does not flip a Stopped webhook', () => {
    const r = statsAfterAttempt({ ...fresh, consecutiveErrors: 20 }, 'Stopped', failure, NETSERVER_POLICY);
    assert.equal(r.state, 'Stopped');
    assert.equal(r.becameTooManyErrors, false);
  });
  it('cuts last_error to 4000 characters', () => {
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
