import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Webhook } from './webhook.js';
import { type LastAttempt, panelStatus, type UsageRow, usageOf } from './webhook-usage.js';

const NOW = 1_000_000;
const webhook = (over: Partial<Webhook> = {}) => ({ ordering: 'None', consecutiveErrors: 0, state: 'Active', ...over }) as Webhook;
const last = (over: Partial<LastAttempt> = {}): LastAttempt => ({
  started: NOW - 10,
  statusCode: 500,
  outcome: 'failure',
  stage: 'response',
  deliveryId: 4,
  eventGuid: 'g',
  deliveryQueued: true,
  dueAt: NOW + 1000,
  ...over,
});
const row = (over: Partial<UsageRow> = {}): UsageRow => ({ webhookId: 1, failures: 0, last: null, lastThrottle: null, ...over });

describe("the list's figures (12.1's panel)", () => {
  it('badges: Active, Active with failures (amber), Stopped, Disabled', () => {
    const table: Array<[string, number, string]> = [
      ['Active', 0, 'Active'],
      ['Active', 1, 'ActiveWithFailures'],
      ['Stopped', 3, 'Stopped'],
      ['Unknown', 0, 'Stopped'],
      ['TooManyErrors', 9, 'Disabled'],
    ];
    for (const [state, failures, badge] of table) assert.equal(panelStatus(state, failures), badge, `${state} ${failures}`);
  });

  it('a pause holds while its delivery waits for a time ahead and nothing started after its answer', () => {
    const throttle = { answered: NOW - 50, deliveryQueued: true, dueAt: NOW + 60_000 };
    const cases: Array<[string, UsageRow, number | null]> = [
      ['paused', row({ last: last({ started: NOW - 60, outcome: 'throttled' }), lastThrottle: throttle }), NOW + 60_000],
      [
        'an attempt in flight beside it',
        row({ last: last({ started: NOW - 55, outcome: 'success' }), lastThrottle: throttle }),
        NOW + 60_000,
      ],
      ['an attempt after the pause', row({ last: last({ started: NOW - 40 }), lastThrottle: throttle }), null],
      ['the pause is over', row({ lastThrottle: { ...throttle, dueAt: NOW } }), null],
      ['its delivery went', row({ lastThrottle: { ...throttle, deliveryQueued: false } }), null],
    ];
    for (const [what, r, until] of cases) assert.equal(usageOf(webhook(), r, NOW, 9).pausedUntil, until, what);
  });

  it('a strict queue waits behind its failing head; a queue without order never does', () => {
    const failing = row({ last: last() });
    assert.deepEqual(usageOf(webhook({ ordering: 'Strict' }), failing, NOW, 9).waitingFor, { deliveryId: 4, eventGuid: 'g' });
    assert.equal(usageOf(webhook(), failing, NOW, 9).waitingFor, null);
    assert.equal(usageOf(webhook({ ordering: 'Strict' }), row({ last: last({ deliveryQueued: false }) }), NOW, 9).waitingFor, null);
    assert.equal(usageOf(webhook({ ordering: 'Strict' }), row({ last: last({ outcome: 'success' }) }), NOW, 9).waitingFor, null);
  });

  it('a webhook never attempted has no last delivery, no failures, and 0 of 9', () => {
    const u = usageOf(webhook(), undefined, NOW, 9);
    assert.deepEqual(
      [u.lastDelivery, u.lastOutcome, u.failures24h, u.consecutiveErrors, u.disableAfter, u.pausedUntil, u.waitingFor],
      [null, null, 0, 0, 9, null, null],
    );
  });
});
