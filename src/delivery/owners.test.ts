/** Owners.offer: how many freshly queued deliveries an owner takes in memory, and what it leaves to the store. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bigEvent, ownedRow, queuedItem } from '../../test/helpers/owned-rows.js';
import { eventBytes } from '../domain/stored-event.js';
import type { ExchangeResult, OwnedWebhookRow, QueuedItem } from '../store/delivery-queue.js';
import { Owners } from './owners.js';

const row = ownedRow;
const items = (webhookId: number, first: number, n: number): QueuedItem[] =>
  Array.from({ length: n }, (_, i) => queuedItem(webhookId, first + i));

/** Owners of `rows`, each caught up (its first refill came back empty), as after an exchange. */
function caughtUp(rows: OwnedWebhookRow[]): Owners {
  const owners = new Owners({ floor: 16, ceiling: 16 }, 30_000);
  const result: ExchangeResult = {
    webhooks: rows,
    lost: [],
    deliveries: [],
    nextDue: rows.map((r) => ({ webhookId: r.id, at: null })),
    workers: 1,
    busyWebhooks: null,
  };
  owners.apply([], result, 1_000);
  return owners;
}

describe('Owners.offer: the hand-off room', () => {
  it('a caught-up healthy webhook takes a burst far past its window (16,384 shared), the rest is left to its refill', () => {
    const owners = caughtUp([row(1)]);
    const w = owners.get(1)!;
    assert.deepEqual(owners.offer(items(1, 1, 10_000), 1_000), { unowned: false, dry: false, taken: true });
    assert.equal(w.readyCount, 10_000);
    assert.equal(w.mayHaveMore, false, 'nothing was left in the store: no refill');
    assert.deepEqual(owners.offer(items(1, 10_001, 10_000), 1_000), { unowned: false, dry: false, taken: true });
    assert.equal(w.readyCount, 16_384);
    assert.equal(w.mayHaveMore, true);
    // Left in the store once: what comes after waits there too, so the order stays the store's.
    assert.deepEqual(owners.offer(items(1, 20_001, 1), 1_000), { unowned: false, dry: false, taken: false });
    assert.equal(w.take()!.deliveryId, 1);
  });

  it('says when an owner that had deliveries left to its refill is running dry, and when a webhook is not owned here', () => {
    const owners = caughtUp([row(1, { strict: true })]);
    // Strict: everything goes to the store, and an empty window is below its limit — the refill is due now.
    assert.deepEqual(owners.offer(items(1, 1, 5), 1_000), { unowned: false, dry: true, taken: false });
    assert.deepEqual(owners.offer(items(2, 6, 1), 1_000), { unowned: true, dry: false, taken: false });
  });

  it('webhooks share the room: each takes at most its share, never less than its window', () => {
    const owners = caughtUp(Array.from({ length: 4 }, (_, i) => row(i + 1)));
    owners.offer(items(1, 1, 10_000), 1_000);
    assert.equal(owners.get(1)!.readyCount, 4_096);
    const many = caughtUp(Array.from({ length: 1_000 }, (_, i) => row(i + 1)));
    many.offer(items(1, 1, 1_000), 1_000);
    assert.equal(many.get(1)!.readyCount, 64, 'a share of 16 is below the window of 64: the window');
  });

  it('a failing webhook (its last attempt failed) and a strict one take no more than their windows', () => {
    const owners = caughtUp([row(1, { consecutiveErrors: 1 }), row(2, { strict: true })]);
    owners.offer([...items(1, 1, 1_000), ...items(2, 1_001, 10)], 1_000);
    assert.equal(owners.get(1)!.readyCount, 64);
    assert.equal(owners.get(1)!.mayHaveMore, true);
    assert.equal(owners.get(2)!.readyCount, 0, 'strict: its order comes from the store');
  });

  it('the room is bounded in bytes too: large events stop at 32 MiB, yet one always fits an owner that holds none', () => {
    const event = bigEvent(1_000_000);
    const big = (id: number): QueuedItem => ({ ...queuedItem(1, id), event });
    const owners = caughtUp([row(1)]);
    const w = owners.get(1)!;
    owners.offer(
      Array.from({ length: 100 }, (_, i) => big(i + 1)),
      1_000,
    );
    assert.equal(w.readyCount, Math.floor((32 * 1024 * 1024) / eventBytes(event)), '33 of 100');
    assert.ok(w.heldBytes <= 32 * 1024 * 1024);
    assert.equal(w.mayHaveMore, true, 'the rest wait in the store for its refill');
    const alone = caughtUp([row(2)]);
    const huge = { ...queuedItem(2, 1), event: bigEvent(40 * 1024 * 1024) };
    alone.offer([huge], 1_000);
    assert.equal(alone.get(2)!.readyCount, 1, 'larger than the room, but it holds nothing: taken');
  });
});
