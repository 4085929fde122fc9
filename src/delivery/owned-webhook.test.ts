/** The owner's refill mark: what its next refill asks the store for, and when it reads from the start again. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NETSERVER_POLICY } from '../domain/retry-policy.js';
import { throttleRule } from '../domain/throttle.js';
import { bigEvent, ownedRow, queuedItem } from '../../test/helpers/owned-rows.js';
import type { QueuedItem } from '../store/delivery-queue.js';
import { eventBytes } from '../domain/stored-event.js';
import { OwnedWebhook } from './owned-webhook.js';

const row = ownedRow(7);

const item = (id: number, dueAt = 1_000): QueuedItem => queuedItem(7, id, dueAt);
const rules = { policy: NETSERVER_POLICY, throttle: throttleRule(NETSERVER_POLICY, 3_600_000) };
const FAIL = { kind: 'failure', status: 500, stage: 'response', error: 'HTTP/1.1 500' } as const;

/** An owner that was refilled with deliveries 1–3 and sent 1 (in flight). */
function refilledOwner(): { w: OwnedWebhook; first: QueuedItem } {
  const w = new OwnedWebhook(row);
  w.refilled([item(1), item(2), item(3)], 1_000);
  const first = w.take()!;
  return { w, first };
}

describe('OwnedWebhook: the refill mark', () => {
  it('a refill that came back short leaves nothing behind that was left to the store after it was asked for', () => {
    const w = new OwnedWebhook(row);
    w.refillRequest([]);
    w.noMoreUntil(null);
    assert.equal(w.mayHaveMore, false, 'all read');
    w.refillRequest([]);
    w.leftInStore(); // an ingestion committed while the refill's answer was on its way
    w.noMoreUntil(null);
    assert.equal(w.mayHaveMore, true, 'the next refill reads what was left');
    w.refillRequest([]);
    w.noMoreUntil(null);
    assert.equal(w.mayHaveMore, false);
  });

  it('a first refill reads from the start and names all it holds; the next reads on from its last item', () => {
    const w = new OwnedWebhook(row);
    w.handedOff(item(9), 1_000);
    assert.deepEqual(w.refillRequest([]), { webhookId: 7, want: 63, holding: [9], strict: false });
    w.refilled([item(1), item(2)], 1_000);
    // 9 was held before the mark was set and may lie after it: still named; 1 and 2 lie before it.
    assert.deepEqual(w.refillRequest([5]), { webhookId: 7, want: 61, holding: [9, 5], strict: false, after: { dueAt: 1_000, id: 2 } });
  });

  it('a delivery handed off after the mark is named until it leaves; a delivered one is not', () => {
    const { w, first } = refilledOwner();
    w.handedOff(item(10), 1_001);
    assert.deepEqual(w.refillRequest([]).holding, [10]);
    w.settle(first, { kind: 'success', status: 200 }, rules, 1_002, () => 'new');
    assert.deepEqual(w.refillRequest([]).after, { dueAt: 1_000, id: 3 }, 'a delivered one keeps the mark');
  });

  it('a retry kept in its cycle is named (its due time moved on); one let go to the store forgets the mark', () => {
    const { w, first } = refilledOwner();
    w.settle(first, FAIL, rules, 1_002, () => 'new');
    assert.deepEqual(w.refillRequest([]).holding, [1], 'kept for 1 s: named');
    const second = new OwnedWebhook(row);
    second.refilled([item(1)], 1_000);
    const sent = second.take()!;
    second.settle(sent, { kind: 'failure', status: 410, stage: 'response', error: 'gone' }, rules, 1_002, () => 'new');
    second.refilled([item(4)], 1_003);
    second.settle(second.take()!, { kind: 'fault', status: null, stage: 'prepare', error: 'x' }, rules, 1_004, () => 'new');
    assert.equal(second.refillRequest([]).after, undefined, 'a fault goes back to the store: read from the start');
  });

  it('a short refill, a wake-up and a stop each forget the mark', () => {
    for (const forget of [
      (w: OwnedWebhook) => w.noMoreUntil(null),
      (w: OwnedWebhook) => w.beginPass(1_005, true),
      (w: OwnedWebhook) => w.stop(),
    ]) {
      const { w } = refilledOwner();
      assert.ok(w.refillRequest([]).after);
      forget(w);
      const request = w.refillRequest([]);
      assert.equal(request.after, undefined);
      assert.deepEqual(request.holding, [...w.held]);
    }
    const { w } = refilledOwner();
    w.beginPass(1_005, false);
    assert.ok(w.refillRequest([]).after, 'a pass that was not woken keeps it');
  });

  it('a refill that was out while the mark was forgotten sets no new one', () => {
    const { w, first } = refilledOwner();
    w.refillRequest([]);
    w.settle(first, { kind: 'fault', status: null, stage: 'prepare', error: 'x' }, rules, 1_002, () => 'new');
    w.refilled([item(4), item(5)], 1_003);
    assert.equal(w.refillRequest([]).after, undefined, 'the delivery let go meanwhile may lie before the last item of that refill');
    w.refilled([item(6)], 1_004);
    assert.deepEqual(w.refillRequest([]).after, { dueAt: 1_000, id: 6 }, 'the next refill sets it again');
  });

  it('strict ordering never uses a mark', () => {
    const w = new OwnedWebhook({ ...row, strict: true });
    w.refilled([item(1), item(2)], 1_000);
    assert.deepEqual(w.refillRequest([]), { webhookId: 7, want: 62, holding: [1, 2], strict: true });
  });
});

describe('OwnedWebhook: the window', () => {
  it('holds four in-flight limits once it has earned them, and runs dry below one limit while the store may hold more', () => {
    const w = new OwnedWebhook(row, { floor: 16, ceiling: 64 });
    assert.equal(w.window, 64);
    for (let i = 0; i < 16 + 32; i++) w.answered(true, 5);
    assert.equal(w.limit, 64);
    assert.equal(w.window, 256);
    w.refilled(
      Array.from({ length: 64 }, (_, i) => item(i + 1)),
      1_000,
    );
    assert.equal(w.runningDry, false, '64 left: one limit');
    w.take();
    assert.equal(w.runningDry, true, '63 left');
    w.noMoreUntil(null);
    assert.equal(w.runningDry, false, 'nothing more in the store');
  });
});

describe('OwnedWebhook: the bytes it holds', () => {
  const event = bigEvent(1_000_000);
  const big = (id: number): QueuedItem => ({ ...item(id), event });
  const size = eventBytes(event);

  it('asks for what fits its budget, keeps what fits of a refill, and reads the rest again (its refill was not short)', () => {
    const w = new OwnedWebhook(row);
    w.byteBudget = 4 * 1024 * 1024;
    assert.equal(w.refillRequest([]).want, 16, 'a fresh owner assumes 256 KiB an event: 4 MiB / 256 KiB');
    w.refilled(
      Array.from({ length: 16 }, (_, i) => big(i + 1)),
      1_000,
    );
    assert.equal(w.readyCount, 4, 'four of 1 MB fit 4 MiB');
    assert.equal(w.heldBytes, 4 * size);
    w.noMoreUntil(null); // the store saw 16 and no more: the 12 left over are still there
    assert.equal(w.mayHaveMore, true, 'what the budget left in the store is read again');
    assert.equal(w.bytesWant, 0, 'full: no refill until something leaves');
    const sent = w.take()!;
    w.settle(sent, { kind: 'success', status: 200 }, rules, 1_001, () => 'new');
    assert.equal(w.heldBytes, 3 * size, 'a delivered one no longer counts');
    assert.equal(w.bytesWant, 1, 'it knows its events now: one more fits');
    assert.deepEqual(w.refillRequest([]).holding, [2, 3, 4], 'read again from the start, leaving out what it holds');
  });

  it('takes one event larger than its budget when it holds none, and lets go of the bytes when it stops', () => {
    const w = new OwnedWebhook(row);
    w.byteBudget = 1024;
    assert.equal(w.refillRequest([]).want, 1);
    w.refilled([big(1), big(2)], 1_000);
    assert.equal(w.readyCount, 1);
    w.stop();
    assert.equal(w.heldBytes, 0);
  });
});
