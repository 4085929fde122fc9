/**
 * The narrow ports' contract (issue 21): one case per port operation, each on a fresh store, on every backend
 * (the accounts, the registry and the intake: registry-contract.ts).
 * Each case would fail if its operation did nothing, did too much, or ignored its failure path (a lost lease,
 * a tenant's limit, another tenant's id).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { AttemptOutcome } from '../../src/domain/retry-policy.js';
import type { Tenant } from '../../src/domain/webhook.js';
import type { RecoverScope } from '../../src/domain/job.js';
import type { Store } from '../../src/store/store.js';
import { FAIL, STAMP, event, freshCase, input, type OpenStore } from './fixtures.js';
import { exchangeRequest, owned, settled } from './queue-contract.js';

const OK: AttemptOutcome = { kind: 'success', status: 200 };

export function portsContract(name: string, open: OpenStore): void {
  const fresh = freshCase(open);

  /**
   * Delivers one event per primary key to a new webhook at `now`: the first `failedFirst` of them after one failed
   * attempt. Returns the webhook's id.
   */
  async function delivered(store: Store, tenant: Tenant, keys: number[], failedFirst: number, now: number): Promise<number> {
    const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['sale.sold'] }), STAMP, null);
    await store.intake.signal(
      tenant.id,
      keys.map((k) => event('sale.sold', k)),
      now,
    );
    const taken = await store.queue.exchange(exchangeRequest(now, { acquire: 10, acquireWant: 50 }));
    const items = taken.deliveries.filter((d) => d.webhookId === w.id);
    assert.equal(items.length, keys.length);
    const failing = items.slice(0, failedFirst);
    await store.queue.exchange(
      exchangeRequest(now + 1, {
        attempts: failing.map((d) => settled(d, now + 1, FAIL, { kind: 'retry', dueAt: now + 2, cycleAttempt: 1 })),
        owned: owned(taken),
      }),
    );
    await store.queue.exchange(
      exchangeRequest(now + 3, {
        attempts: items.map((d) => settled({ ...d, attempts: failing.includes(d) ? 1 : 0 }, now + 3, OK, { kind: 'delivered' })),
        owned: owned(taken),
      }),
    );
    await store.queue.releaseAll('w1');
    return w.id;
  }

  const scope = (tenant: Tenant, over: Partial<RecoverScope> = {}): RecoverScope => ({
    tenantId: tenant.id,
    webhookIds: null,
    since: 0,
    until: 1_000_000,
    status: 'All',
    events: null,
    ...over,
  });

  describe(`RecoverJobs port: ${name}`, () => {
    fresh('countRecoverable counts what is delivered, Failed only what failed first, never another tenant', async (store, tenant) => {
      const webhookId = await delivered(store, tenant, [1, 2, 3], 1, 10_000);
      assert.equal(await store.jobs.countRecoverable(scope(tenant), 20_000), 3);
      assert.equal(await store.jobs.countRecoverable(scope(tenant, { status: 'Failed' }), 20_000), 1);
      assert.equal(await store.jobs.countRecoverable(scope(tenant, { webhookIds: [webhookId + 1] }), 20_000), 0);
      assert.equal(await store.jobs.countRecoverable(scope(tenant, { events: ['other.event'] }), 20_000), 0);
      assert.equal(await store.jobs.countRecoverable(scope(tenant, { since: 10_001 }), 20_000), 0, 'created before since');
      assert.equal(await store.jobs.countRecoverable(scope(tenant), 10_000), 0, 'not yet delivered at now');
      assert.equal(await store.jobs.countRecoverable({ ...scope(tenant), tenantId: tenant.id + 999 }, 20_000), 0);
    });

    fresh(
      'createRecoverJob queues a job with its Total, refuses past maxOpen; getJob reads it in its tenant only',
      async (store, tenant) => {
        await delivered(store, tenant, [1, 2], 0, 10_000);
        const job = await store.jobs.createRecoverJob(scope(tenant), 20_000, 1);
        assert.ok(job !== 'limit');
        assert.deepEqual([job.state, job.total, job.done, job.kind, job.created, job.finished], ['Queued', 2, 0, 'recover', 20_000, null]);
        assert.equal(await store.jobs.createRecoverJob(scope(tenant), 20_001, 1), 'limit');
        assert.deepEqual(await store.jobs.getJob(tenant.id, job.id), job);
        assert.equal(await store.jobs.getJob(tenant.id + 999, job.id), null);
      },
    );

    fresh('claimJob gives an open job to one owner until its lease runs out', async (store, tenant) => {
      await delivered(store, tenant, [1], 0, 10_000);
      assert.equal(await store.jobs.claimJob('a', 20_000, 1_000, 1), null, 'no job yet');
      const job = await store.jobs.createRecoverJob(scope(tenant), 20_000, 4);
      assert.ok(job !== 'limit');
      const claimed = await store.jobs.claimJob('a', 20_000, 1_000, 1);
      assert.deepEqual([claimed?.id, claimed?.state], [job.id, 'Running']);
      assert.equal(await store.jobs.claimJob('b', 20_500, 1_000, 1), null, 'held by a');
      assert.equal((await store.jobs.claimJob('b', 21_001, 1_000, 1))?.id, job.id, 'taken over once the lease ran out');
    });

    fresh('recoverBatch copies in batches for the holder, finishes the job, and refuses a lost lease', async (store, tenant) => {
      const webhookId = await delivered(store, tenant, [1, 2, 3], 0, 10_000);
      const job = await store.jobs.createRecoverJob(scope(tenant), 20_000, 4);
      assert.ok(job !== 'limit');
      await store.jobs.claimJob('a', 20_000, 1_000, 1);
      let guid = 0;
      const newGuid = () => `copy-${++guid}`;
      assert.deepEqual(await store.jobs.recoverBatch(job.id, 'a', 2, 20_100, 1_000, newGuid), { copied: 2, finished: false });
      assert.equal(await store.deliveryLog.countQueued(webhookId), 2);
      await store.jobs.claimJob('b', 21_200, 1_000, 1); // a's lease (renewed to 21,100) ran out
      assert.equal(await store.jobs.recoverBatch(job.id, 'a', 2, 21_200, 1_000, newGuid), null, 'a lost the lease');
      assert.deepEqual(await store.jobs.recoverBatch(job.id, 'b', 2, 21_300, 1_000, newGuid), { copied: 1, finished: true });
      assert.equal(await store.deliveryLog.countQueued(webhookId), 3);
      const done = await store.jobs.getJob(tenant.id, job.id);
      assert.deepEqual([done?.state, done?.done, done?.finished], ['Done', 3, 21_300]);
      const log = await store.deliveryLog.listDeliveries(tenant.id, webhookId, { top: 10, skip: 0 });
      assert.deepEqual(
        log.items
          .filter((d) => d.status === 'queued')
          .map((d) => d.eventGuid)
          .sort(),
        ['copy-1', 'copy-2', 'copy-3'],
      );
    });
  });

  describe(`AppGrants port: ${name}`, () => {
    fresh('put, find, list, re-grant and delete grants (Online Restricted, migration 009)', async (store) => {
      const a = { tokenHash: 'a'.repeat(64), name: 'CRM sync', granted: 2_000, grantedBy: 1 };
      const b = { tokenHash: 'b'.repeat(64), name: '', granted: 1_000, grantedBy: 1 };
      assert.equal(await store.appGrants.findAppGrant(a.tokenHash), null);
      assert.deepEqual(await store.appGrants.putAppGrant(a), a);
      await store.appGrants.putAppGrant(b);
      assert.deepEqual(await store.appGrants.findAppGrant(a.tokenHash), a);
      assert.deepEqual(await store.appGrants.listAppGrants(), [b, a], 'oldest first');
      const renamed = { ...a, name: 'Renamed', granted: 3_000 };
      await store.appGrants.putAppGrant(renamed);
      assert.deepEqual(await store.appGrants.listAppGrants(), [b, renamed], 'a second grant replaces the first');
      assert.equal(await store.appGrants.deleteAppGrant(a.tokenHash), true);
      assert.equal(await store.appGrants.deleteAppGrant(a.tokenHash), false);
      assert.equal(await store.appGrants.findAppGrant(a.tokenHash), null);
      assert.equal(await store.appGrants.deleteAppGrant(b.tokenHash), true);
      assert.deepEqual(await store.appGrants.listAppGrants(), []);
    });
  });

  describe(`Notifications port: ${name}`, () => {
    fresh('lists what a trip recorded, per tenant and per in-app associate; marks an e-mail sent', async (store, tenant) => {
      const w = await store.webhooks.createWebhook(
        tenant.id,
        input({ events: ['sale.sold'], errorsEmail: 'ops@example.com' }),
        STAMP,
        null,
      );
      assert.deepEqual(await store.notifications.unsentNotifications(10), []);
      await store.intake.signal(tenant.id, [event('sale.sold', 1)], 5_000);
      const taken = await store.queue.exchange(exchangeRequest(5_000, { acquire: 10 }));
      const [a] = taken.deliveries;
      assert.ok(a);
      await store.queue.exchange(
        exchangeRequest(5_001, {
          attempts: [settled(a, 5_001, FAIL, { kind: 'later', dueAt: 10_001 })],
          counters: [
            {
              webhookId: w.id,
              calls: 1,
              errors: 1,
              consecutiveReset: false,
              consecutiveAdd: 9,
              lastError: 'HTTP/1.1 500',
              trip: { eventGuid: a.eventGuid },
              firstFailure: null,
            },
          ],
          owned: owned(taken),
        }),
      );
      const unsent = await store.notifications.unsentNotifications(10);
      assert.deepEqual(
        unsent.map((n) => [n.webhookId, n.channel, n.reason, n.recipient, n.sent]),
        [[w.id, 'email', 'Disabling', 'ops@example.com', null]],
      );
      assert.deepEqual(await store.notifications.listNotifications(tenant.id), unsent);
      assert.deepEqual(await store.notifications.listNotifications(tenant.id, 1), [], 'an e-mail is not in-app');
      assert.deepEqual(await store.notifications.listNotifications(tenant.id + 999), [], "another tenant's");
      await store.notifications.markNotificationSent(unsent[0]!.id, 6_000);
      assert.deepEqual(await store.notifications.unsentNotifications(10), []);
      assert.equal((await store.notifications.listNotifications(tenant.id))[0]?.sent, 6_000);
    });
  });

  describe(`Retention port: ${name}`, () => {
    fresh("lists every tenant's retention days, null until set, and sets one tenant's", async (store, tenant) => {
      const { tenant: other } = await store.accounts.createTenant('Other', { name: 'O', userName: 'o', passwordHash: 'x' }, 2);
      const nulls = { deliveryDays: null, eventDays: null };
      assert.deepEqual(await store.retention.listTenantRetention(), [
        { tenantId: tenant.id, identifier: 'Default', ...nulls },
        { tenantId: other.id, identifier: 'Other', ...nulls },
      ]);
      await store.retention.setTenantRetention(other.id, { deliveries: 7, events: null });
      assert.deepEqual(await store.retention.listTenantRetention(), [
        { tenantId: tenant.id, identifier: 'Default', ...nulls },
        { tenantId: other.id, identifier: 'Other', deliveryDays: 7, eventDays: null },
      ]);
    });

    fresh('prunes old events no delivery needs, at most `limit` a batch, in its tenant only', async (store, tenant) => {
      // No webhook subscribes: the events are stored with no delivery.
      await store.intake.signal(tenant.id, [event('none.here', 1), event('none.here', 2), event('none.here', 3)], 1_000);
      await store.intake.signal(tenant.id, [event('none.here', 4)], 3_000);
      const cut = { deliveriesBefore: null, eventsBefore: 2_000 };
      assert.deepEqual(await store.retention.prune(tenant.id + 999, cut, 10), { deliveries: 0, events: 0 });
      assert.deepEqual(await store.retention.prune(tenant.id, cut, 2), { deliveries: 0, events: 2 });
      assert.deepEqual(await store.retention.prune(tenant.id, cut, 2), { deliveries: 0, events: 1 });
      assert.deepEqual(await store.retention.prune(tenant.id, cut, 2), { deliveries: 0, events: 0 }, 'the newer event stays');
    });

    fresh('pruneIdempotencyKeys forgets the keys sent before the cut, so the key stores again', async (store, tenant) => {
      const key = { key: 'k1', appScope: '', bodyHash: 'h1', validSince: 0 };
      assert.deepEqual(await store.intake.signalOnce(tenant.id, key, [event('none.here')], 1_000), { queued: 0, replayed: false });
      assert.deepEqual(await store.intake.signalOnce(tenant.id, key, [event('none.here')], 1_500), { queued: 0, replayed: true });
      assert.equal(await store.retention.pruneIdempotencyKeys(1_000), 0, 'sent at 1,000: not before it');
      assert.equal(await store.retention.pruneIdempotencyKeys(1_001), 1);
      assert.deepEqual(await store.intake.signalOnce(tenant.id, key, [event('none.here')], 2_000), { queued: 0, replayed: false });
    });
  });

  describe(`DeliveryLog port: ${name}`, () => {
    fresh('snapshot counts what is queued, the oldest due delivery, and webhooks by state', async (store, tenant) => {
      assert.deepEqual(await store.deliveryLog.snapshot(0), { queued: 0, oldestDueAt: null, webhooks: {} });
      await store.webhooks.createWebhook(tenant.id, input({ events: ['sale.sold'] }), STAMP, null);
      await store.webhooks.createWebhook(tenant.id, input({ events: ['sale.sold'], state: 'Stopped' }), STAMP, null);
      await store.intake.signal(tenant.id, [event('sale.sold', 1)], 5_000);
      await store.intake.signal(tenant.id, [event('sale.sold', 2)], 6_000);
      assert.deepEqual(await store.deliveryLog.snapshot(5_500), { queued: 2, oldestDueAt: 5_000, webhooks: { Active: 1, Stopped: 1 } });
      assert.equal((await store.deliveryLog.snapshot(4_000)).oldestDueAt, null, 'none due yet');
    });

    fresh("attemptsBetween reads one webhook's attempts in [since, until], oldest first, at most `limit`", async (store, tenant) => {
      const webhookId = await delivered(store, tenant, [1, 2], 1, 10_000);
      const all = await store.deliveryLog.attemptsBetween(webhookId, 0, 1_000_000, 10);
      assert.deepEqual(
        all.map((a) => [a.started, a.outcome, a.statusCode]),
        [
          [10_001, 'failure', 500],
          [10_003, 'success', 200],
          [10_003, 'success', 200],
        ],
      );
      assert.equal((await store.deliveryLog.attemptsBetween(webhookId, 10_002, 10_003, 10)).length, 2);
      assert.equal((await store.deliveryLog.attemptsBetween(webhookId, 0, 1_000_000, 1)).length, 1);
      assert.deepEqual(await store.deliveryLog.attemptsBetween(webhookId + 999, 0, 1_000_000, 10), []);
    });
  });
}
