/**
 * The narrow ports' contract (issue 21): one case per port operation, each on a fresh store, on every backend.
 * Each case would fail if its operation did nothing, did too much, or ignored its failure path (a lost lease,
 * a tenant's limit, another tenant's id).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttemptOutcome } from '../../src/domain/retry-policy.js';
import type { Tenant } from '../../src/domain/webhook.js';
import type { RecoverScope } from '../../src/domain/job.js';
import type { Store } from '../../src/store/store.js';
import { event, input, type OpenStore } from './fixtures.js';
import { exchangeRequest, owned, settled } from './queue-contract.js';

const STAMP = { associateId: 1, now: 1_000 };
const FAIL: AttemptOutcome = { kind: 'failure', status: 500, stage: 'response', error: 'HTTP/1.1 500' };
const OK: AttemptOutcome = { kind: 'success', status: 200 };

export function portsContract(name: string, open: OpenStore): void {
  /** A case on a fresh, migrated store with one tenant ('Default') and its admin. */
  const fresh = (title: string, body: (store: Store, tenant: Tenant) => Promise<void>) =>
    it(title, async () => {
      const { store, cleanup } = await open();
      try {
        await store.migrate();
        const tenant = await store.accounts.ensureTenant('Default', 1);
        await store.accounts.createAssociate(tenant.id, { name: 'Admin', userName: 'admin', passwordHash: 'h', isAdmin: true }, 1);
        await body(store, tenant);
      } finally {
        await store.close();
        await cleanup();
      }
    });

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

  describe(`Accounts port: ${name}`, () => {
    fresh("countAssociates counts every tenant's; getAssociates reads by id, skipping ids that are not there", async (store, tenant) => {
      assert.equal(await store.accounts.countAssociates(), 1);
      const { tenant: other, associate: ann } = await store.accounts.createTenant(
        'Other',
        { name: 'Ann', userName: 'ann', passwordHash: 'x' },
        2,
      );
      assert.equal(ann.isAdmin, false, "a new tenant's first associate is no admin of the server");
      assert.equal(await store.accounts.countAssociates(), 2);
      const [admin] = await store.accounts.listAssociates(tenant.id);
      assert.ok(admin);
      assert.deepEqual(await store.accounts.getAssociates([]), []);
      assert.deepEqual(
        (await store.accounts.getAssociates([ann.id, admin.id, 999_999])).map((a) => [a.id, a.tenantId]).sort((a, b) => a[0]! - b[0]!),
        [
          [admin.id, tenant.id],
          [ann.id, other.id],
        ],
      );
    });

    fresh("revokeCredential revokes only the associate's own credential, once", async (store, tenant) => {
      const [admin] = await store.accounts.listAssociates(tenant.id);
      assert.ok(admin);
      const other = await store.accounts.createAssociate(tenant.id, { name: 'B', userName: 'b', passwordHash: 'x', isAdmin: false }, 2);
      const c = await store.accounts.createCredential({
        kind: 'bearer',
        tokenHash: 't',
        associateId: admin.id,
        name: null,
        now: 10,
        expires: null,
      });
      assert.equal(await store.accounts.revokeCredential(other.id, c.id, 11), false, "another associate's");
      assert.equal((await store.accounts.findCredential('bearer', 't', 12))?.id, c.id);
      assert.equal(await store.accounts.revokeCredential(admin.id, c.id, 13), true);
      assert.equal(await store.accounts.revokeCredential(admin.id, c.id, 14), false, 'revoked already');
      assert.deepEqual(await store.accounts.listCredentials(admin.id, 'bearer'), []);
    });
  });

  describe(`WebhookRegistry port: ${name}`, () => {
    const update = (state: 'Active' | 'Stopped', expectedUpdatedCount: number, now: number) => ({
      input: input({ events: ['sale.sold'], state }),
      stamp: { associateId: 1, now },
      expectedUpdatedCount,
      resetConsecutiveErrors: false,
      signals: [],
    });

    fresh(
      'an update that turns a webhook Active makes its held deliveries due now; one that keeps it Active does not',
      async (store, tenant) => {
        const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['sale.sold'] }), STAMP, null);
        await store.intake.signal(tenant.id, [event('sale.sold', 1)], 1_000);
        const taken = await store.queue.exchange(exchangeRequest(1_000, { acquire: 10 }));
        const [d] = taken.deliveries;
        assert.ok(d);
        await store.queue.exchange(
          exchangeRequest(1_001, { attempts: [settled(d, 1_001, FAIL, { kind: 'later', dueAt: 100_000 })], owned: owned(taken) }),
        );
        await store.queue.releaseAll('w1');
        const dueAt = async () => (await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 1, skip: 0 })).items[0]?.dueAt;
        await store.webhooks.updateWebhook(tenant.id, w.id, update('Active', 0, 2_000));
        assert.equal(await dueAt(), 100_000, 'Active to Active holds on');
        await store.webhooks.updateWebhook(tenant.id, w.id, update('Stopped', 1, 3_000));
        assert.equal(await dueAt(), 100_000);
        await store.webhooks.updateWebhook(tenant.id, w.id, update('Active', 2, 4_000));
        assert.equal(await dueAt(), 4_000, 'Stopped to Active: due now');
      },
    );

    fresh(
      'rotateSecret keeps the current secret as the previous until `until`; confirmSecret only at the version read',
      async (store, tenant) => {
        const w = await store.webhooks.createWebhook(tenant.id, input({ secret: 'old-secret-0123456789' }), STAMP, null);
        assert.equal(await store.webhooks.rotateSecret(tenant.id + 999, w.id, { secret: 'x', until: 9_000, stamp: STAMP }), null);
        const rotated = await store.webhooks.rotateSecret(tenant.id, w.id, {
          secret: 'new-secret-0123456789',
          until: 9_000,
          stamp: { associateId: 1, now: 2_000 },
        });
        assert.ok(rotated);
        assert.deepEqual(
          [rotated.secret, rotated.previousSecret, rotated.previousSecretUntil, rotated.secretConfirmed, rotated.updatedCount],
          ['new-secret-0123456789', 'old-secret-0123456789', 9_000, false, 1],
        );
        await store.webhooks.confirmSecret(tenant.id, w.id, 0, { associateId: 1, now: 3_000 });
        assert.equal((await store.webhooks.getWebhook(tenant.id, w.id))?.secretConfirmed, false, 'a stale version confirms nothing');
        await store.webhooks.confirmSecret(tenant.id, w.id, 1, { associateId: 1, now: 3_000 });
        const confirmed = await store.webhooks.getWebhook(tenant.id, w.id);
        assert.deepEqual([confirmed?.secretConfirmed, confirmed?.updatedCount], [true, 2]);
      },
    );

    fresh(
      'rewriteSecrets replaces each stored secret the rewrite changes, in every secret column, and counts them',
      async (store, tenant) => {
        const a = await store.webhooks.createWebhook(tenant.id, input({ secret: 'secret-a-0123456789' }), STAMP, null);
        const b = await store.webhooks.createWebhook(tenant.id, input({ secret: null }), STAMP, null);
        await store.webhooks.rotateSecret(tenant.id, a.id, { secret: 'secret-a2-0123456789', until: 9_000, stamp: STAMP });
        const seen: string[] = [];
        const changed = await store.webhooks.rewriteSecrets((stored) => {
          seen.push(stored);
          return stored === 'secret-a-0123456789' ? 'sealed-a' : null;
        });
        assert.equal(changed, 1);
        assert.deepEqual(seen.sort(), ['secret-a-0123456789', 'secret-a2-0123456789'], 'every non-null secret, once');
        const after = await store.webhooks.getWebhook(tenant.id, a.id);
        assert.deepEqual([after?.secret, after?.previousSecret], ['secret-a2-0123456789', 'sealed-a']);
        assert.equal((await store.webhooks.getWebhook(tenant.id, b.id))?.secret, null);
        assert.equal(await store.webhooks.rewriteSecrets(() => null), 0);
      },
    );
  });

  describe(`EventIntake port: ${name}`, () => {
    fresh('signalOnce stores once per key and application, replays the answer, and refuses another body', async (store, tenant) => {
      await store.webhooks.createWebhook(tenant.id, input({ events: ['sale.sold'] }), STAMP, null);
      const key = { key: 'k1', appScope: '', bodyHash: 'h1', validSince: 0 };
      assert.deepEqual(await store.intake.signalOnce(tenant.id, key, [event('sale.sold', 1)], 1_000), { queued: 1, replayed: false });
      assert.deepEqual(await store.intake.signalOnce(tenant.id, key, [event('sale.sold', 1)], 1_100), { queued: 1, replayed: true });
      assert.equal(await store.intake.signalOnce(tenant.id, { ...key, bodyHash: 'h2' }, [event('sale.sold', 2)], 1_200), 'conflict');
      assert.deepEqual(
        await store.intake.signalOnce(tenant.id, { ...key, appScope: 'app' }, [event('sale.sold', 1)], 1_300),
        { queued: 1, replayed: false },
        "another application's key is its own",
      );
      assert.deepEqual(
        await store.intake.signalOnce(tenant.id, { ...key, validSince: 1_001 }, [event('sale.sold', 1)], 1_400),
        { queued: 1, replayed: false },
        'a key sent before validSince is forgotten',
      );
      assert.equal(await store.deliveryLog.countQueued(), 3);
    });

    fresh("signalGroups stores several callers' events in one call and answers each group's count", async (store, tenant) => {
      const { tenant: other } = await store.accounts.createTenant('Other', { name: 'O', userName: 'o', passwordHash: 'x' }, 2);
      await store.webhooks.createWebhook(tenant.id, input({ events: ['sale.sold'] }), STAMP, null);
      await store.webhooks.createWebhook(tenant.id, input({ events: ['*'] }), STAMP, null);
      await store.webhooks.createWebhook(other.id, input({ events: ['sale.sold'] }), STAMP, null);
      const counts = await store.intake.signalGroups(
        [
          { tenantId: tenant.id, events: [event('sale.sold', 1), event('person.created', 2)] },
          { tenantId: other.id, events: [event('sale.sold', 3)] },
          { tenantId: tenant.id, events: [] },
        ],
        1_000,
      );
      assert.deepEqual(counts, [3, 1, 0], "each group reaches its own tenant's subscribers only");
      assert.equal(await store.deliveryLog.countQueued(), 4);
    });
  });
}
