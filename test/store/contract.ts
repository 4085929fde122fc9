/** The Store contract: the same tests, run against every backend (SQLite always, PostgreSQL when configured). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventRecord } from '../../src/domain/payload.js';
import { NETSERVER_POLICY } from '../../src/domain/retry-policy.js';
import type { Tenant, WebhookInput } from '../../src/domain/webhook.js';
import type { AttemptResult, Store } from '../../src/store/store.js';

export type OpenStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const input = (over: Partial<WebhookInput> = {}): WebhookInput => ({
  name: 'hook',
  events: ['contact.created'],
  targetUrl: 'https://example.com/hook',
  secret: null,
  state: 'Active',
  type: 'webhook',
  headers: null,
  properties: null,
  errorsEmail: null,
  ...over,
});

const event = (name: string, primaryKey = 1): EventRecord => ({
  name,
  bodyEvent: name,
  entity: name.split('.')[0] as string,
  primaryKey,
  timestamp: '2026-01-01T00:00:00.0000000Z',
  changes: ['name'],
  changedByAssociateId: 1,
  contextIdentifier: 'Default',
  values: null,
  fieldValues: { b: 1, a: 2 },
});

let guid = 0;
const ctx = (now: number) => ({ now, policy: NETSERVER_POLICY, newGuid: () => `guid-${++guid}` });
const claimOpts = (now: number, over: Record<string, unknown> = {}) => ({
  now,
  limit: 100,
  perWebhookLimit: 16,
  leaseMs: 60_000,
  owner: 'w1',
  ...over,
});
const failure = (d: { deliveryId: number; eventGuid: string; webhook: { id: number } }, now: number): AttemptResult => ({
  deliveryId: d.deliveryId,
  webhookId: d.webhook.id,
  eventGuid: d.eventGuid,
  startedAt: now,
  durationMs: 1,
  outcome: { kind: 'failure', status: 500, error: 'HTTP/1.1 500' },
});
const success = (d: { deliveryId: number; eventGuid: string; webhook: { id: number } }, now: number): AttemptResult => ({
  ...failure(d, now),
  outcome: { kind: 'success', status: 200 },
});

export function storeContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let tenant: Tenant;
    const stamp = { associateId: 1, now: 1_000 };

    before(async () => {
      ({ store, cleanup } = await open());
      await store.migrate();
      await store.migrate(); // idempotent
      tenant = await store.ensureTenant('Default', 1);
      assert.deepEqual(await store.ensureTenant('default', 2), tenant, 'tenant identifiers ignore letter case');
      await store.createAssociate(tenant.id, { name: 'Admin', userName: 'admin', passwordHash: 'h', isAdmin: true }, 1);
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('keeps tenants, logins and credentials', async () => {
      const { tenant: t2, associate } = await store.createTenant('Cust1', { name: 'Ann', userName: 'Ann', passwordHash: 'x' }, 5);
      assert.equal((await store.findTenant('CUST1'))?.id, t2.id);
      await assert.rejects(store.createTenant('cust1', { name: 'B', userName: 'b', passwordHash: 'x' }, 5));
      assert.equal((await store.findLogin(t2.id, 'ann'))?.associate.id, associate.id);
      assert.equal(await store.findLogin(tenant.id, 'ann'), null);
      const c = await store.createCredential({
        kind: 'bearer',
        tokenHash: 'th1',
        associateId: associate.id,
        name: 'n',
        now: 10,
        expires: null,
      });
      assert.equal((await store.findCredential('bearer', 'th1', 11))?.tenantId, t2.id);
      assert.equal(await store.findCredential('ticket', 'th1', 11), null);
      await store.createCredential({ kind: 'ticket', tokenHash: 'th2', associateId: associate.id, name: null, now: 10, expires: 20 });
      assert.equal(await store.findCredential('ticket', 'th2', 21), null, 'expired');
      assert.equal((await store.listCredentials(associate.id, 'bearer')).length, 1);
      assert.equal(await store.revokeCredential(associate.id, c.id, 12), true);
      assert.equal(await store.findCredential('bearer', 'th1', 13), null);
    });

    it('creates, lists, updates (optimistically) and deletes webhooks', async () => {
      const w = await store.createWebhook(tenant.id, input({ name: 'crud', events: ['sale.*'], properties: { z: 1, a: 2 } }), stamp, 'app');
      assert.deepEqual(
        [w.name, w.events, w.state, w.applicationToken, w.updatedCount, w.registered],
        ['crud', ['sale.*'], 'Active', 'app', 0, 1000],
      );
      assert.deepEqual(Object.keys(w.properties ?? {}), ['z', 'a'], 'JSON keeps its key order');
      assert.deepEqual(
        (await store.listWebhooks(tenant.id, { event: 'sale.sold', name: 'crud' })).map((x) => x.id),
        [w.id],
      );
      assert.deepEqual(await store.listWebhooks(tenant.id, { name: 'crud', applicationToken: 'other' }), []);
      assert.deepEqual(await store.listWebhooks(tenant.id, { name: 'crud', state: 'Stopped' }), []);
      const update = {
        input: input({ name: 'crud2', state: 'Stopped' }),
        stamp: { associateId: 2, now: 2000 },
        resetConsecutiveErrors: false,
        signals: [],
      };
      const saved = await store.updateWebhook(tenant.id, w.id, { ...update, expectedUpdatedCount: 0 });
      assert.ok(saved && saved !== 'conflict');
      assert.deepEqual(
        [saved.name, saved.state, saved.updatedCount, saved.updatedAssociateId, saved.registered],
        ['crud2', 'Stopped', 1, 2, 1000],
      );
      assert.equal(await store.updateWebhook(tenant.id, w.id, { ...update, expectedUpdatedCount: 0 }), 'conflict');
      assert.equal(await store.updateWebhook(tenant.id, 999_999, { ...update, expectedUpdatedCount: 0 }), null);
      assert.equal(await store.deleteWebhook(tenant.id, w.id), true);
      assert.equal(await store.getWebhook(tenant.id, w.id), null);
      assert.equal(await store.deleteWebhook(tenant.id, w.id), false);
    });

    it('fans an event out to exact, entity.* and * subscribers that are Active', async () => {
      const exact = await store.createWebhook(tenant.id, input({ events: ['project.created'] }), stamp, null);
      const wild = await store.createWebhook(tenant.id, input({ events: ['project.*', 'project.created'] }), stamp, null);
      const all = await store.createWebhook(tenant.id, input({ events: ['*'] }), stamp, null);
      const off = await store.createWebhook(tenant.id, input({ events: ['project.created'], state: 'Stopped' }), stamp, null);
      assert.equal(await store.signal(tenant.id, [event('project.created'), event('nothing.here')], 3000), 4);
      for (const w of [exact, wild]) assert.equal(await store.countQueued(w.id), 1);
      assert.equal(await store.countQueued(all.id), 2);
      assert.equal(await store.countQueued(off.id), 0);
      for (const w of [exact, wild, all, off]) await store.deleteWebhook(tenant.id, w.id);
    });

    it('claims under leases and per-webhook limits, and records attempts with exact counters', async () => {
      const w = await store.createWebhook(tenant.id, input({ events: ['ticket.created'], errorsEmail: 'ops@example.com' }), stamp, null);
      const watcher = await store.createWebhook(tenant.id, input({ events: [`webhook${w.id}.errors`] }), stamp, null);
      await store.signal(
        tenant.id,
        [1, 2, 3, 4, 5].map((k) => event('ticket.created', k)),
        4000,
      );
      const first = await store.claimDue(claimOpts(4000, { perWebhookLimit: 2 }));
      assert.deepEqual(
        first.map((c) => c.event.primaryKey),
        [1, 2],
        'oldest first, at most the per-webhook limit',
      );
      assert.deepEqual(first[0]!.event.fieldValues, { b: 1, a: 2 });
      assert.equal(first[0]!.webhook.id, w.id);
      assert.deepEqual(await store.claimDue(claimOpts(4000, { perWebhookLimit: 2, owner: 'w2' })), [], 'the limit holds for every claimer');

      // A success, and a failure that waits 1 s in its cycle.
      await store.recordAttempts([success(first[0]!, 4001), failure(first[1]!, 4001)], ctx(4001));
      let stats = await store.getWebhook(tenant.id, w.id);
      assert.deepEqual([stats?.totalCalls, stats?.totalErrors, stats?.consecutiveErrors, stats?.lastError], [2, 1, 1, 'HTTP/1.1 500']);
      assert.equal(await store.nextDueAt(4001), 4000, 'keys 3-5 have been due since they were signalled');
      const next = await store.claimDue(claimOpts(4002, { perWebhookLimit: 2 }));
      assert.deepEqual(
        next.map((c) => c.event.primaryKey),
        [3, 4],
        'key 2 waits until 5001',
      );
      await store.releaseLeases('w1');
      const later = await store.claimDue(claimOpts(5001, { limit: 10 }));
      assert.deepEqual(later.map((c) => c.event.primaryKey).sort(), [2, 3, 4, 5]);
      const two = later.find((c) => c.event.primaryKey === 2)!;
      assert.deepEqual([two.cycleAttempt, two.attempts], [1, 1]);

      // Fail key 2 until the cycle ends (new EventId) and the webhook trips at 9 consecutive failures.
      let d = two;
      let now = 5001;
      for (let i = 0; i < 8; i++) {
        await store.recordAttempts([failure(d, now)], ctx(now));
        now += 10_000;
        const again = (await store.claimDue(claimOpts(now, { limit: 10 }))).find((c) => c.deliveryId === d.deliveryId);
        if (i === 7) {
          assert.equal(again, undefined, 'a TooManyErrors webhook is not claimed');
          break;
        }
        assert.ok(again, `attempt ${i + 3}`);
        if (i === 0) assert.equal(again.eventGuid, d.eventGuid, 'same EventId within a cycle');
        if (i === 1) assert.notEqual(again.eventGuid, d.eventGuid, 'a new EventId after the third failure');
        d = again;
      }
      stats = await store.getWebhook(tenant.id, w.id);
      assert.deepEqual([stats?.state, stats?.consecutiveErrors, stats?.totalErrors], ['TooManyErrors', 9, 9]);
      assert.equal(await store.countQueued(watcher.id), 1, 'webhook{id}.errors was queued for its subscriber');
      const [mail] = await store.unsentNotifications(10);
      assert.equal(mail?.recipient, 'ops@example.com');
      await store.markNotificationSent(mail!.id, now);
      assert.deepEqual(await store.unsentNotifications(10), []);
      await store.releaseLeases(null);
      await store.deleteWebhook(tenant.id, w.id);
      await store.deleteWebhook(tenant.id, watcher.id);
    });

    it('never hands one delivery to two claimers, nor more than the limit in all', async () => {
      const w = await store.createWebhook(tenant.id, input({ events: ['person.created'] }), stamp, null);
      await store.signal(
        tenant.id,
        Array.from({ length: 40 }, (_, k) => event('person.created', k)),
        6000,
      );
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.claimDue(claimOpts(6000, { perWebhookLimit: 10, owner: `c${i}` }))),
      );
      const ids = claims
        .flat()
        .filter((c) => c.webhook.id === w.id)
        .map((c) => c.deliveryId);
      assert.equal(new Set(ids).size, ids.length, 'no delivery twice');
      assert.ok(ids.length <= 10, `at most 10 in flight (got ${ids.length})`);
      await store.releaseLeases(null);
      await store.deleteWebhook(tenant.id, w.id);
    });

    it('keeps a delivery log, retries on request and prunes what is old and delivered', async () => {
      const w = await store.createWebhook(tenant.id, input({ events: ['quote.sent'] }), stamp, null);
      await store.signal(tenant.id, [event('quote.sent', 1), event('quote.sent', 2)], 7000);
      const claimed = (await store.claimDue(claimOpts(7000))).filter((c) => c.webhook.id === w.id);
      await store.recordAttempts([success(claimed[0]!, 7001)], ctx(7001));
      await store.releaseLeases(null);
      const page = await store.listDeliveries(tenant.id, w.id, { top: 1, skip: 0 });
      assert.equal(page.total, 2);
      assert.equal(page.items.length, 1);
      const log = await store.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 });
      const delivered = log.items.find((i) => i.status === 'delivered')!;
      assert.deepEqual(
        delivered.attempts.map((a) => [a.retry, a.statusCode, a.outcome]),
        [[0, 200, 'success']],
      );
      assert.equal((await store.listDeliveries(tenant.id + 999, w.id, { top: 10, skip: 0 })).total, 0, 'another tenant sees nothing');
      assert.equal(await store.retryDelivery(tenant.id, w.id, delivered.deliveryId, 8000, 'copy-guid'), true);
      assert.equal(await store.countQueued(w.id), 2);
      assert.equal(await store.retryDelivery(tenant.id, w.id, 999_999, 8000, 'x'), false);
      const pruned = await store.prune(7500);
      assert.equal(pruned.deliveries, 1);
      assert.equal((await store.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 })).total, 2, 'queued deliveries are kept');
      await store.deleteWebhook(tenant.id, w.id);
    });
  });
}
