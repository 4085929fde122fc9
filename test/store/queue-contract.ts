/**
 * The DeliveryQueue contract: the engine's port, on every backend, with a fresh store per case. Exchange
 * (record, count, refill, hold), trips, and — on shared stores — leases, takeover, results from a worker
 * that lost its lease, and fair sharing between processes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttemptOutcome } from '../../src/domain/retry-policy.js';
import type { DeliveryStep } from '../../src/domain/settlement.js';
import type { Tenant } from '../../src/domain/webhook.js';
import type {
  CounterDelta,
  ExchangeRequest,
  ExchangeResult,
  QueuedItem,
  RefillRequest,
  SettledAttempt,
} from '../../src/store/delivery-queue.js';
import type { Store } from '../../src/store/store.js';
import { event, input, type OpenStore } from './fixtures.js';

export function exchangeRequest(now: number, over: Partial<ExchangeRequest> = {}): ExchangeRequest {
  return {
    owner: 'w1',
    now,
    leaseMs: 60_000,
    attempts: [],
    counters: [],
    owned: [],
    release: [],
    refill: [],
    acquire: 0,
    acquireWant: 10,
    renew: true,
    checkVersions: true,
    ...over,
  };
}

/** The owned list an owner sends after `result` gave it webhooks. */
export function owned(...results: ExchangeResult[]): ExchangeRequest['owned'] {
  return results.flatMap((r) => r.webhooks.map((w) => ({ webhookId: w.id, version: w.version })));
}

export function settled(item: QueuedItem, now: number, outcome: AttemptOutcome, next: DeliveryStep): SettledAttempt {
  return {
    deliveryId: item.deliveryId,
    webhookId: item.webhookId,
    eventGuid: item.eventGuid,
    retry: item.attempts,
    startedAt: now,
    durationMs: 1,
    outcome,
    next,
  };
}

const FAIL: AttemptOutcome = { kind: 'failure', status: 500, stage: 'response', error: 'HTTP/1.1 500' };
const OK: AttemptOutcome = { kind: 'success', status: 200 };
const delta = (webhookId: number, over: Partial<CounterDelta> = {}): CounterDelta => ({
  webhookId,
  calls: 0,
  errors: 0,
  consecutiveReset: false,
  consecutiveAdd: 0,
  lastError: null,
  trip: null,
  firstFailure: null,
  ...over,
});

export function queueContract(name: string, open: OpenStore): void {
  describe(`DeliveryQueue contract: ${name}`, () => {
    const stamp = { associateId: 1, now: 1_000 };

    /** A fresh store with one tenant, for one case. */
    async function fresh(): Promise<{ store: Store; tenant: Tenant; done: () => Promise<void> }> {
      const { store, cleanup } = await open();
      await store.migrate();
      const tenant = await store.accounts.ensureTenant('Default', 1);
      return {
        store,
        tenant,
        done: async () => {
          await store.close();
          await cleanup();
        },
      };
    }

    it("a late result of a deleted webhook's delivery never settles another webhook's delivery that took its id", async () => {
      // SQLite gives a new row the largest id plus one: deleting a webhook's newest deliveries gives their ids back.
      const steps: Array<[AttemptOutcome, DeliveryStep]> = [
        [{ kind: 'success', status: 200 }, { kind: 'delivered' }],
        [FAIL, { kind: 'retry', dueAt: 9_000, cycleAttempt: 1 }],
        [FAIL, { kind: 'new-cycle', dueAt: 1_000, eventGuid: 'another-cycle' }],
        [
          { kind: 'fault', status: null, stage: 'prepare', error: 'no plugin' },
          { kind: 'later', dueAt: 9_000 },
        ],
      ];
      for (const [outcome, next] of steps) {
        const { store, tenant, done } = await fresh();
        try {
          const gone = await store.webhooks.createWebhook(tenant.id, input({ events: ['a.created'] }), stamp, null);
          await store.intake.signal(tenant.id, [event('a.created', 1)], 1_000);
          const inFlight = (await store.queue.exchange(exchangeRequest(1_000, { acquire: 10 }))).deliveries[0]!;
          await store.webhooks.deleteWebhook(tenant.id, gone.id);
          const other = await store.webhooks.createWebhook(tenant.id, input({ events: ['b.created'] }), stamp, null);
          await store.intake.signal(tenant.id, [event('b.created', 2)], 1_001);
          await store.queue.exchange(exchangeRequest(1_002, { attempts: [settled(inFlight, 1_002, outcome, next)] }));
          assert.equal(await store.deliveryLog.countQueued(other.id), 1, `${next.kind}: the other webhook's delivery is still queued`);
          const log = await store.deliveryLog.listDeliveries(tenant.id, other.id, { top: 10, skip: 0 });
          assert.deepEqual(
            log.items.map((i) => [i.status, i.attempts.length]),
            [['queued', 0]],
            `${next.kind}: nothing was recorded against it`,
          );
        } finally {
          await done();
        }
      }
    });

    it('takes a webhook with due work, hands out its window oldest first, records results and counter deltas', async () => {
      const { store, tenant, done } = await fresh();
      try {
        const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['ticket.created'] }), stamp, null);
        const later = await store.webhooks.createWebhook(tenant.id, input({ events: ['ticket.created'], state: 'Stopped' }), stamp, null);
        await store.intake.signal(
          tenant.id,
          [1, 2, 3, 4, 5].map((k) => event('ticket.created', k)),
          4000,
        );
        assert.deepEqual((await store.queue.exchange(exchangeRequest(3999, { acquire: 10 }))).webhooks, [], 'nothing is due before 4000');

        const first = await store.queue.exchange(exchangeRequest(4000, { acquire: 10, acquireWant: 2 }));
        assert.deepEqual(
          first.webhooks.map((x) => [x.id, x.state, x.consecutiveErrors]),
          [[w.id, 'Active', 0]],
          'only the Active webhook with due work is taken',
        );
        assert.ok(!first.webhooks.some((x) => x.id === later.id));
        assert.deepEqual(
          first.deliveries.map((d) => d.event.primaryKey),
          [1, 2],
          'oldest first, as many as asked',
        );
        assert.deepEqual(first.deliveries[0]!.event.fieldValues, { b: 1, a: 2 }, 'payload key order is kept');
        const [d1, d2] = first.deliveries as [QueuedItem, QueuedItem];

        // A success and a failure that waits 1 s in its cycle; the refill skips what the owner holds.
        const second = await store.queue.exchange(
          exchangeRequest(4001, {
            attempts: [
              settled(d1, 4001, OK, { kind: 'delivered' }),
              settled(d2, 4001, FAIL, { kind: 'retry', dueAt: 5001, cycleAttempt: 1 }),
            ],
            counters: [delta(w.id, { calls: 2, errors: 1, consecutiveReset: true, consecutiveAdd: 1, lastError: 'HTTP/1.1 500' })],
            owned: owned(first),
            refill: [{ webhookId: w.id, want: 10, holding: [d1.deliveryId, d2.deliveryId] }],
          }),
        );
        assert.deepEqual(
          second.deliveries.map((d) => d.event.primaryKey),
          [3, 4, 5],
        );
        assert.deepEqual(second.nextDue, [{ webhookId: w.id, at: 5001 }], 'the window came back short: key 2 is due at 5001');
        assert.deepEqual(second.webhooks, [], 'no API write: nothing changed');
        const stats = await store.webhooks.getWebhook(tenant.id, w.id);
        assert.deepEqual([stats?.totalCalls, stats?.totalErrors, stats?.consecutiveErrors, stats?.lastError], [2, 1, 1, 'HTTP/1.1 500']);
        const log = (await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 })).items;
        const two = log.find((d) => d.primaryKey === 2)!;
        assert.deepEqual(
          [two.status, two.dueAt, two.attempts[0]?.stage, two.attempts[0]?.outcome],
          ['queued', 5001, 'response', 'failure'],
        );
        assert.equal(log.find((d) => d.primaryKey === 1)?.status, 'delivered');

        // A result for a delivery that is no longer queued is not recorded twice.
        await store.queue.exchange(
          exchangeRequest(4002, { attempts: [settled(d1, 4002, OK, { kind: 'delivered' })], owned: owned(first) }),
        );
        assert.equal(
          (await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 })).items.find((d) => d.primaryKey === 1)?.attempts
            .length,
          1,
        );

        // An API write shows up as a changed webhook; a deleted one is lost.
        await store.webhooks.updateWebhook(tenant.id, w.id, {
          input: input({ events: ['ticket.created'], state: 'Stopped' }),
          stamp: { associateId: 1, now: 4500 },
          expectedUpdatedCount: 0,
          resetConsecutiveErrors: false,
          signals: [],
        });
        const changed = await store.queue.exchange(exchangeRequest(4600, { owned: owned(first) }));
        assert.deepEqual(
          changed.webhooks.map((x) => [x.id, x.state]),
          [[w.id, 'Stopped']],
        );
        await store.webhooks.deleteWebhook(tenant.id, w.id);
        assert.deepEqual((await store.queue.exchange(exchangeRequest(4700, { owned: owned(changed) }))).lost, [w.id]);
      } finally {
        await done();
      }
    });

    it('a refill after a mark reads on from it in due order, leaving out only what the request names', async () => {
      const { store, tenant, done } = await fresh();
      try {
        const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['ticket.created'] }), stamp, null);
        await store.intake.signal(
          tenant.id,
          [1, 2, 3].map((k) => event('ticket.created', k)),
          4000,
        );
        await store.intake.signal(
          tenant.id,
          [4, 5, 6, 7].map((k) => event('ticket.created', k)),
          4001,
        );
        const first = await store.queue.exchange(exchangeRequest(4002, { acquire: 10, acquireWant: 2 }));
        const [, d2] = first.deliveries as [QueuedItem, QueuedItem];
        const more = (over: Partial<RefillRequest>) =>
          store.queue.exchange(
            exchangeRequest(4003, { owned: owned(first), refill: [{ webhookId: w.id, want: 3, holding: [], ...over }] }),
          );
        // Keys 1 and 2 are held but not named: the mark alone keeps them out.
        assert.deepEqual(
          (await more({ after: { dueAt: d2.dueAt, id: d2.deliveryId } })).deliveries.map((d) => d.event.primaryKey),
          [3, 4, 5],
        );
        // A mark inside a due time reads on by id; named ids after the mark are left out.
        const third = (await more({ want: 1, after: { dueAt: d2.dueAt, id: d2.deliveryId } })).deliveries[0]!;
        const fifth = (await more({ want: 3, after: { dueAt: 4001, id: third.deliveryId + 1 } })).deliveries;
        assert.deepEqual(
          fifth.map((d) => d.event.primaryKey),
          [5, 6, 7],
          'after key 4 (due 4001): keys 5 on',
        );
        assert.deepEqual(
          (await more({ after: { dueAt: d2.dueAt, id: d2.deliveryId }, holding: [fifth[0]!.deliveryId] })).deliveries.map(
            (d) => d.event.primaryKey,
          ),
          [3, 4, 6],
          'key 5 is named as held',
        );
        const short = await more({ want: 5, after: { dueAt: 4001, id: fifth[2]!.deliveryId } });
        assert.deepEqual(
          [short.deliveries, short.nextDue],
          [[], [{ webhookId: w.id, at: null }]],
          'nothing after key 7: short, none due later',
        );
      } finally {
        await done();
      }
    });

    it('a refill or a take with a byte room answers the first whatever its size, then what fits, and is not short', async () => {
      const { store, tenant, done } = await fresh();
      try {
        const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['ticket.created'] }), stamp, null);
        const big = (k: number) => ({ ...event('ticket.created', k), values: { text: 'x'.repeat(100_000) } });
        await store.intake.signal(tenant.id, [1, 2, 3, 4].map(big), 4000);
        const first = await store.queue.exchange(exchangeRequest(4002, { acquire: 10, acquireWant: 4, acquireMaxBytes: 150_000 }));
        const refill = (maxBytes: number) =>
          store.queue.exchange(
            exchangeRequest(4003, { owned: owned(first), refill: [{ webhookId: w.id, want: 4, holding: [], maxBytes }] }),
          );
        const cut = await refill(250_000);
        const tight = await refill(0);
        // Each event's text is ~100 KB: a take's room of 150 KB holds one, a refill's of 250 KB two, none the first.
        assert.deepEqual(
          first.deliveries.map((d) => d.event.primaryKey),
          [1],
        );
        assert.deepEqual(
          cut.deliveries.map((d) => d.event.primaryKey),
          [1, 2],
        );
        assert.deepEqual(
          tight.deliveries.map((d) => d.event.primaryKey),
          [1],
          'the first whatever its size',
        );
        assert.deepEqual([cut.nextDue, tight.nextDue], [[], []], 'cut by bytes is not short: the rest are read later');
      } finally {
        await done();
      }
    });

    it('a first attempt that succeeded reads like any attempt: in the log, the Stats samples and the last attempt of the list', async () => {
      const { store, tenant, done } = await fresh();
      try {
        const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['ticket.created'] }), stamp, null);
        await store.intake.signal(
          tenant.id,
          [1, 2, 3].map((k) => event('ticket.created', k)),
          4000,
        );
        const first = await store.queue.exchange(exchangeRequest(4000, { acquire: 10, acquireWant: 3 }));
        const [d1, d2, d3] = first.deliveries as [QueuedItem, QueuedItem, QueuedItem];
        const record = (now: number, attempts: SettledAttempt[]) =>
          store.queue.exchange(exchangeRequest(now, { owned: owned(first), attempts }));
        // Key 2 fails first (an attempt row on every store), then succeeds at its Retry 1; keys 1 and 3 succeed at once.
        await record(4002, [
          settled(d2, 4001, FAIL, { kind: 'retry', dueAt: 5001, cycleAttempt: 1 }),
          settled(d1, 4002, { kind: 'success', status: 201 }, { kind: 'delivered' }),
        ]);
        await record(5002, [{ ...settled(d2, 5001, OK, { kind: 'delivered' }), retry: 1 }]);
        const log = (await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 })).items;
        const one = log.find((d) => d.primaryKey === 1)!;
        assert.deepEqual(
          one.attempts.map(({ attemptId: _id, ...a }) => a),
          [
            {
              eventGuid: d1.eventGuid,
              retry: 0,
              started: 4002,
              durationMs: 1,
              statusCode: 201,
              outcome: 'success',
              stage: null,
              error: null,
            },
          ],
        );
        assert.deepEqual(
          log.find((d) => d.primaryKey === 2)!.attempts.map((a) => [a.retry, a.started, a.outcome]),
          [
            [0, 4001, 'failure'],
            [1, 5001, 'success'],
          ],
        );
        const ids = log.flatMap((d) => d.attempts.map((a) => a.attemptId));
        assert.equal(new Set(ids).size, 3, 'every attempt has its own AttemptId');
        // Kept in its delivery's row on both stores (README): its AttemptId is the negated DeliveryId.
        assert.equal(one.attempts[0]!.attemptId, -d1.deliveryId);
        assert.deepEqual(
          (await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 })).items.flatMap((d) =>
            d.attempts.map((a) => a.attemptId),
          ),
          ids,
          'the same AttemptIds at every read',
        );
        assert.deepEqual(
          (await store.deliveryLog.attemptsBetween(w.id, 0, 10_000, 10)).map((a) => [a.started, a.statusCode, a.outcome]),
          [
            [4001, 500, 'failure'],
            [4002, 201, 'success'],
            [5001, 200, 'success'],
          ],
        );
        assert.deepEqual(
          (await store.deliveryLog.attemptsBetween(w.id, 4002, 10_000, 1)).map((a) => a.started),
          [4002],
          'the window and the limit',
        );
        const lastOf = async () => (await store.deliveryLog.webhookUsage(tenant.id, [w.id], 0))[0]?.last;
        assert.deepEqual([(await lastOf())?.started, (await lastOf())?.deliveryId], [5001, d2.deliveryId], 'the newest attempt row');
        await record(6001, [settled(d3, 6000, OK, { kind: 'delivered' })]);
        assert.deepEqual(await lastOf(), {
          started: 6000,
          statusCode: 200,
          outcome: 'success',
          stage: null,
          deliveryId: d3.deliveryId,
          eventGuid: d3.eventGuid,
          deliveryQueued: false,
          dueAt: 4000,
        });
      } finally {
        await done();
      }
    });

    it('a new cycle gets a new EventId; a fault is due later without counting; a trip fires webhook{id}.errors and the e-mail once', async () => {
      const { store, tenant, done } = await fresh();
      try {
        const w = await store.webhooks.createWebhook(
          tenant.id,
          input({ events: ['sale.sold'], errorsEmail: 'ops@example.com' }),
          stamp,
          null,
        );
        const watcher = await store.webhooks.createWebhook(tenant.id, input({ events: [`webhook${w.id}.errors`] }), stamp, null);
        await store.intake.signal(tenant.id, [event('sale.sold', 1), event('sale.sold', 2)], 5000);
        const taken = await store.queue.exchange(exchangeRequest(5000, { acquire: 10 }));
        const [a, b] = taken.deliveries.filter((d) => d.webhookId === w.id) as [QueuedItem, QueuedItem];
        const fault: AttemptOutcome = { kind: 'fault', status: null, stage: 'prepare', error: '[prepare] no handler' };
        await store.queue.exchange(
          exchangeRequest(5001, {
            attempts: [
              settled(a, 5001, FAIL, { kind: 'new-cycle', dueAt: 5001, eventGuid: 'fresh-guid' }),
              settled(b, 5001, fault, { kind: 'later', dueAt: 10_001 }),
            ],
            counters: [
              delta(w.id, { calls: 1, errors: 1, consecutiveAdd: 9, lastError: 'HTTP/1.1 500', trip: { eventGuid: a.eventGuid } }),
            ],
            owned: owned(taken),
          }),
        );
        const log = (await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 })).items;
        const one = log.find((d) => d.primaryKey === 1)!;
        const two = log.find((d) => d.primaryKey === 2)!;
        assert.equal(one.eventGuid, 'fresh-guid');
        assert.deepEqual([two.dueAt, two.attempts[0]?.outcome, two.attempts[0]?.stage], [10_001, 'fault', 'prepare']);
        const stats = await store.webhooks.getWebhook(tenant.id, w.id);
        assert.deepEqual([stats?.state, stats?.totalCalls, stats?.consecutiveErrors], ['TooManyErrors', 1, 9]);
        assert.equal(await store.deliveryLog.countQueued(watcher.id), 1, 'webhook{id}.errors was queued for its subscriber');
        // A second trip of a webhook that is off already changes nothing.
        await store.queue.exchange(exchangeRequest(5002, { counters: [delta(w.id, { trip: { eventGuid: 'x' } })], owned: owned(taken) }));
        assert.equal(await store.deliveryLog.countQueued(watcher.id), 1);
        assert.deepEqual(
          (await store.notifications.unsentNotifications(10)).map((n) => n.recipient),
          ['ops@example.com'],
        );
        assert.deepEqual(
          (await store.queue.exchange(exchangeRequest(6000, { acquire: 10, owner: 'w2' }))).webhooks.map((x) => x.id),
          [watcher.id],
          'a TooManyErrors webhook is not taken',
        );
      } finally {
        await done();
      }
    });

    it('reports a delivery this exchange put back in a new cycle as due at once, and hands it out next with its new EventId', async () => {
      const { store, tenant, done } = await fresh();
      try {
        const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['sale.sold'] }), stamp, null);
        await store.intake.signal(tenant.id, [event('sale.sold', 1)], 3000);
        const first = await store.queue.exchange(exchangeRequest(3000, { acquire: 10 }));
        const item = first.deliveries[0]!;
        // The cycle's third failure: back of the queue, due now, new EventId. The owner still lists it as held while recording it.
        const second = await store.queue.exchange(
          exchangeRequest(3005, {
            attempts: [settled(item, 3005, FAIL, { kind: 'new-cycle', dueAt: 3005, eventGuid: 'guid-cycle-2' })],
            counters: [delta(w.id, { calls: 1, errors: 1, consecutiveAdd: 1, lastError: 'HTTP/1.1 500' })],
            owned: owned(first),
            refill: [{ webhookId: w.id, want: 10, holding: [item.deliveryId] }],
          }),
        );
        assert.deepEqual(second.deliveries, [], 'still held while it is recorded');
        assert.deepEqual(second.nextDue, [{ webhookId: w.id, at: 3005 }], 'but due at once: not "nothing queued"');
        const third = await store.queue.exchange(
          exchangeRequest(3006, { owned: owned(first), refill: [{ webhookId: w.id, want: 10, holding: [] }] }),
        );
        assert.deepEqual(
          third.deliveries.map((d) => [d.deliveryId, d.eventGuid, d.cycleAttempt, d.attempts]),
          [[item.deliveryId, 'guid-cycle-2', 0, 1]],
        );
      } finally {
        await done();
      }
    });

    it('leases: one owner at a time, takeover after expiry, and a late result from the old owner is ignored', async (t) => {
      const { store, tenant, done } = await fresh();
      try {
        if (!store.queue.shared) return t.skip('one process owns everything on this store');
        const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['person.created'] }), stamp, null);
        await store.intake.signal(tenant.id, [event('person.created', 1)], 6000);
        const a = await store.queue.exchange(exchangeRequest(6000, { owner: 'A', acquire: 10, leaseMs: 1000 }));
        assert.deepEqual(
          a.webhooks.map((x) => x.id),
          [w.id],
        );
        const b = await store.queue.exchange(exchangeRequest(6500, { owner: 'B', acquire: 10, leaseMs: 1000 }));
        assert.deepEqual(b.webhooks, [], 'leased to A');
        const item = a.deliveries[0]!;
        const fromB = await store.queue.exchange(
          exchangeRequest(6600, {
            owner: 'B',
            attempts: [settled(item, 6600, OK, { kind: 'delivered' })],
            counters: [delta(w.id, { calls: 1, consecutiveReset: true })],
            owned: [{ webhookId: w.id, version: a.webhooks[0]!.version }],
          }),
        );
        assert.deepEqual(fromB.lost, [w.id], 'B does not own it');
        assert.equal((await store.webhooks.getWebhook(tenant.id, w.id))?.totalCalls, 0, 'a result from a non-owner is not recorded');

        const takeover = await store.queue.exchange(exchangeRequest(7001, { owner: 'B', acquire: 10, leaseMs: 1000 }));
        assert.deepEqual(
          takeover.webhooks.map((x) => x.id),
          [w.id],
          'taken over once A’s lease ran out',
        );
        assert.deepEqual(
          takeover.deliveries.map((d) => d.deliveryId),
          [item.deliveryId],
          'at least once: its delivery is handed out again',
        );
        const late = await store.queue.exchange(
          exchangeRequest(7002, {
            owner: 'A',
            attempts: [settled(item, 7002, OK, { kind: 'delivered' })],
            counters: [delta(w.id, { calls: 1, consecutiveReset: true })],
            owned: owned(a),
          }),
        );
        assert.deepEqual(late.lost, [w.id]);
        assert.equal((await store.webhooks.getWebhook(tenant.id, w.id))?.totalCalls, 0, 'never double-counted');
        await store.queue.exchange(
          exchangeRequest(7003, {
            owner: 'B',
            attempts: [settled(takeover.deliveries[0]!, 7003, OK, { kind: 'delivered' })],
            counters: [delta(w.id, { calls: 1, consecutiveReset: true })],
            owned: owned(takeover),
            release: [w.id],
          }),
        );
        assert.equal((await store.webhooks.getWebhook(tenant.id, w.id))?.totalCalls, 1);
        assert.equal(await store.deliveryLog.countQueued(w.id), 0);
      } finally {
        await done();
      }
    });

    it('an owner that lost the answer to its own take gets the webhook again at once, not after the lease', async (t) => {
      const { store, tenant, done } = await fresh();
      try {
        if (!store.queue.shared) return t.skip('one process owns everything on this store');
        const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['person.created'] }), stamp, null);
        await store.intake.signal(tenant.id, [event('person.created', 1)], 6000);
        // The exchange committed, but the connection dropped before its answer arrived: A does not know it owns w.
        await store.queue.exchange(exchangeRequest(6000, { owner: 'A', acquire: 10, leaseMs: 20_000 }));
        const again = await store.queue.exchange(exchangeRequest(6100, { owner: 'A', acquire: 10, leaseMs: 20_000 }));
        assert.deepEqual(
          again.webhooks.map((x) => x.id),
          [w.id],
          'its own lease does not keep it from itself',
        );
        assert.equal(again.deliveries.length, 1, 'with its window');
        const other = await store.queue.exchange(exchangeRequest(6200, { owner: 'B', acquire: 10, leaseMs: 20_000 }));
        assert.deepEqual(other.webhooks, [], 'still no one else’s');
      } finally {
        await done();
      }
    });

    it('concurrent owners never take one webhook twice, and count each other for the fair share', async (t) => {
      const { store, tenant, done } = await fresh();
      try {
        if (!store.queue.shared) return t.skip('one process owns everything on this store');
        const ids: number[] = [];
        for (let i = 0; i < 8; i++)
          ids.push((await store.webhooks.createWebhook(tenant.id, input({ events: ['quote.sent'] }), stamp, null)).id);
        await store.intake.signal(tenant.id, [event('quote.sent', 1)], 8000);
        // Heartbeats first: each owner announces itself, as a renewing pass does.
        for (const owner of ['o1', 'o2', 'o3', 'o4']) await store.queue.exchange(exchangeRequest(8000, { owner }));
        // Concurrent passes, as four processes make them: collisions only delay a take to the next pass.
        const mine = new Map<string, number[]>(['o1', 'o2', 'o3', 'o4'].map((o) => [o, []]));
        for (let round = 0; round < 10; round++) {
          const results = await Promise.all(
            [...mine.keys()].map((owner) =>
              store.queue.exchange(
                exchangeRequest(8001 + round, {
                  owner,
                  acquire: 100,
                  owned: mine.get(owner)!.map((id) => ({ webhookId: id, version: '' })),
                }),
              ),
            ),
          );
          for (const [i, owner] of [...mine.keys()].entries()) {
            const r = results[i]!;
            assert.equal(r.workers, 4, 'each owner counts the live heartbeats');
            mine.get(owner)!.push(...r.webhooks.filter((w) => !mine.get(owner)!.includes(w.id)).map((w) => w.id));
          }
          const all = [...mine.values()].flat();
          assert.equal(new Set(all).size, all.length, 'no webhook owned twice');
          for (const [owner, list] of mine)
            assert.ok(list.length <= 2, `${owner} holds ${list.length}: at most its fair share of 8 busy over 4`);
          if (all.length === ids.length) break;
        }
        assert.deepEqual(
          [...mine.values()].flat().sort((x, y) => x - y),
          ids,
          'every busy webhook has an owner',
        );
      } finally {
        await done();
      }
    });
  });
}
