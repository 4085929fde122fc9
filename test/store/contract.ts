/** The Store contract: the same tests, run against every backend (SQLite always, PostgreSQL when configured). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Tenant } from '../../src/domain/webhook.js';
import type { Store } from '../../src/store/store.js';
import { event, input, type OpenStore } from './fixtures.js';
import { exchangeRequest, owned, settled } from './queue-contract.js';
import type { AttemptOutcome } from '../../src/domain/retry-policy.js';
import type { QueuedItem } from '../../src/store/delivery-queue.js';
import { type EventRecord, payloadBody, payloadObject } from '../../src/domain/payload.js';
import { StoredEvent } from '../../src/domain/stored-event.js';

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
      tenant = await store.accounts.ensureTenant('Default', 1);
      assert.deepEqual(await store.accounts.ensureTenant('default', 2), tenant, 'tenant identifiers ignore letter case');
      await store.accounts.createAssociate(tenant.id, { name: 'Admin', userName: 'admin', passwordHash: 'h', isAdmin: true }, 1);
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('keeps tenants, logins and credentials', async () => {
      const { tenant: t2, associate } = await store.accounts.createTenant('Cust1', { name: 'Ann', userName: 'Ann', passwordHash: 'x' }, 5);
      assert.equal((await store.accounts.findTenant('CUST1'))?.id, t2.id);
      await assert.rejects(store.accounts.createTenant('cust1', { name: 'B', userName: 'b', passwordHash: 'x' }, 5));
      assert.equal((await store.accounts.findLogin(t2.id, 'ann'))?.associate.id, associate.id);
      assert.equal(await store.accounts.findLogin(tenant.id, 'ann'), null);
      const c = await store.accounts.createCredential({
        kind: 'bearer',
        tokenHash: 'th1',
        associateId: associate.id,
        name: 'n',
        now: 10,
        expires: null,
      });
      assert.equal((await store.accounts.findCredential('bearer', 'th1', 11))?.tenantId, t2.id);
      assert.equal(await store.accounts.findCredential('ticket', 'th1', 11), null);
      await store.accounts.createCredential({
        kind: 'ticket',
        tokenHash: 'th2',
        associateId: associate.id,
        name: null,
        now: 10,
        expires: 20,
      });
      assert.equal(await store.accounts.findCredential('ticket', 'th2', 21), null, 'expired');
      assert.equal((await store.accounts.listCredentials(associate.id, 'bearer')).length, 1);
      assert.equal(await store.accounts.revokeCredential(associate.id, c.id, 12), true);
      assert.equal(await store.accounts.findCredential('bearer', 'th1', 13), null);
    });

    it('creates, lists, updates (optimistically) and deletes webhooks', async () => {
      const w = await store.webhooks.createWebhook(
        tenant.id,
        input({ name: 'crud', events: ['sale.*'], properties: { z: 1, a: 2 } }),
        stamp,
        'app',
      );
      assert.deepEqual(
        [w.name, w.events, w.state, w.applicationToken, w.updatedCount, w.registered],
        ['crud', ['sale.*'], 'Active', 'app', 0, 1000],
      );
      assert.deepEqual(Object.keys(w.properties ?? {}), ['z', 'a'], 'JSON keeps its key order');
      assert.deepEqual(
        (await store.webhooks.listWebhooks(tenant.id, { event: 'sale.sold', name: 'crud' })).map((x) => x.id),
        [w.id],
      );
      assert.deepEqual(await store.webhooks.listWebhooks(tenant.id, { name: 'crud', applicationToken: 'other' }), []);
      assert.deepEqual(await store.webhooks.listWebhooks(tenant.id, { name: 'crud', state: 'Stopped' }), []);
      const update = {
        input: input({ name: 'crud2', state: 'Stopped' }),
        stamp: { associateId: 2, now: 2000 },
        resetConsecutiveErrors: false,
        signals: [],
      };
      const saved = await store.webhooks.updateWebhook(tenant.id, w.id, { ...update, expectedUpdatedCount: 0 });
      assert.ok(saved && saved !== 'conflict');
      assert.deepEqual(
        [saved.name, saved.state, saved.updatedCount, saved.updatedAssociateId, saved.registered],
        ['crud2', 'Stopped', 1, 2, 1000],
      );
      assert.equal(await store.webhooks.updateWebhook(tenant.id, w.id, { ...update, expectedUpdatedCount: 0 }), 'conflict');
      assert.equal(await store.webhooks.updateWebhook(tenant.id, 999_999, { ...update, expectedUpdatedCount: 0 }), null);
      assert.equal(await store.webhooks.deleteWebhook(tenant.id, w.id), true);
      assert.equal(await store.webhooks.getWebhook(tenant.id, w.id), null);
      assert.equal(await store.webhooks.deleteWebhook(tenant.id, w.id), false);
    });

    it('fans an event out to exact, entity.* and * subscribers that are Active', async () => {
      const exact = await store.webhooks.createWebhook(tenant.id, input({ events: ['project.created'] }), stamp, null);
      const wild = await store.webhooks.createWebhook(tenant.id, input({ events: ['project.*', 'project.created'] }), stamp, null);
      const all = await store.webhooks.createWebhook(tenant.id, input({ events: ['*'] }), stamp, null);
      const off = await store.webhooks.createWebhook(tenant.id, input({ events: ['project.created'], state: 'Stopped' }), stamp, null);
      assert.equal(await store.intake.signal(tenant.id, [event('project.created'), event('nothing.here')], 3000), 4);
      for (const w of [exact, wild]) assert.equal(await store.deliveryLog.countQueued(w.id), 1);
      assert.equal(await store.deliveryLog.countQueued(all.id), 2);
      assert.equal(await store.deliveryLog.countQueued(off.id), 0);
      for (const w of [exact, wild, all, off]) await store.webhooks.deleteWebhook(tenant.id, w.id);
    });

    it("stores a large batch of several callers' events: each once, each delivery with its own event, in signal order", async () => {
      // 45 + 30 events fanned out (store/sqlite/signal.ts writes these a row a statement), then 70 to one webhook.
      const other = await store.accounts.ensureTenant('Batch', 3);
      const a1 = await store.webhooks.createWebhook(tenant.id, input({ events: ['batch.*'] }), stamp, null);
      const a2 = await store.webhooks.createWebhook(tenant.id, input({ events: ['batch.created'] }), stamp, null);
      const b1 = await store.webhooks.createWebhook(other.id, input({ events: ['*'] }), stamp, null);
      const mine = Array.from({ length: 45 }, (_, i) => (i % 9 === 4 ? event('batch.changed', 100 + i) : event('batch.created', 100 + i)));
      const theirs = Array.from({ length: 30 }, (_, i) => event('batch.created', 500 + i));
      const queued = await store.intake.signalGroups(
        [
          { tenantId: tenant.id, events: mine },
          { tenantId: other.id, events: theirs },
        ],
        7500,
      );
      assert.deepEqual(queued, [45 + 40, 30]);
      const taken = await store.queue.exchange(exchangeRequest(7500, { acquire: 10, acquireWant: 100 }));
      const keysOf = (id: number) => taken.deliveries.filter((d) => d.webhookId === id).map((d) => d.event.primaryKey);
      assert.deepEqual(
        keysOf(a1.id),
        mine.map((e) => e.primaryKey),
      );
      assert.deepEqual(
        keysOf(a2.id),
        mine.filter((e) => e.name === 'batch.created').map((e) => e.primaryKey),
      );
      assert.deepEqual(
        keysOf(b1.id),
        theirs.map((e) => e.primaryKey),
      );
      const ours = taken.deliveries.filter((d) => [a1.id, a2.id, b1.id].includes(d.webhookId));
      assert.equal(new Set(ours.map((d) => d.eventGuid)).size, 115, 'every delivery has its own EventId');
      for (const w of [a1, a2, b1]) {
        const ids = ours.filter((d) => d.webhookId === w.id).map((d) => d.deliveryId);
        assert.deepEqual(
          ids,
          [...ids].sort((x, y) => x - y),
          'delivery ids follow the signal order',
        );
      }
      assert.equal(new Set(ours.map((d) => d.deliveryId)).size, 115);
      assert.equal(taken.deliveries.find((d) => d.webhookId === b1.id)?.event.name, 'batch.created');
      await store.queue.releaseAll('w1');
      // All to one webhook: SQLite writes these 32 rows a statement (fanned out, a row a statement).
      const solo = await store.webhooks.createWebhook(tenant.id, input({ events: ['solo.created'] }), stamp, null);
      const alone = Array.from({ length: 70 }, (_, i) => event('solo.created', 900 + i));
      assert.deepEqual(await store.intake.signalGroups([{ tenantId: tenant.id, events: alone }], 7501), [70]);
      const soloTaken = await store.queue.exchange(exchangeRequest(7501, { acquire: 10, acquireWant: 100 }));
      const soloItems = soloTaken.deliveries.filter((d) => d.webhookId === solo.id);
      assert.deepEqual(
        soloItems.map((d) => d.event.primaryKey),
        alone.map((e) => e.primaryKey),
      );
      assert.deepEqual(
        soloItems.map((d) => d.deliveryId),
        soloItems.map((d) => d.deliveryId).sort((x, y) => x - y),
      );
      assert.equal(new Set(soloItems.map((d) => d.eventGuid)).size, 70);
      await store.queue.releaseAll('w1');
      for (const w of [a1, a2, solo]) await store.webhooks.deleteWebhook(tenant.id, w.id);
      await store.webhooks.deleteWebhook(other.id, b1.id);
    });

    it('reads an event back into the payload it was signalled with, byte for byte, and gives its fields back', async () => {
      // SQLite's refill writes the payload text in its query (json_quote); it must be what the signalled event writes.
      // (No NUL: the API refuses one before any store sees it, and PostgreSQL's text cannot hold it.)
      const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['text.*'] }), stamp, null);
      const texts = [
        'q"uote',
        'back\\slash',
        'nl\nx\r\t\b\f',
        '\u2028\u2029\u007f',
        'é😀',
        '\u0001\u001f',
        '</script>',
        'a\ud800b',
        '{"a":1}',
      ];
      const sent: EventRecord[] = texts.map((text, i) => ({
        ...event('text.changed', i % 2 === 0 ? 2_147_483_647 - i : -2_147_483_647 + i),
        bodyEvent: `text.${text}`,
        entity: i % 3 === 0 ? null : text,
        timestamp: `2026-01-01T00:00:0${i}.${text}Z`,
        changes: [text, ''],
        changedByAssociateId: i % 2 === 0 ? 2_147_483_647 : -7,
        contextIdentifier: text,
        values: i % 4 === 0 ? null : { [text]: [text, 1e308, -0, 0.1, null, true] },
        fieldValues: i % 5 === 0 ? null : { n: text, '2': 'an index key', nested: { deep: [text] } },
        traceParent: i % 2 === 0 ? null : '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      }));
      await store.intake.signal(tenant.id, sent, 7600);
      const taken = await store.queue.exchange(exchangeRequest(7600, { acquire: 10, acquireWant: 100 }));
      const got = taken.deliveries.filter((d) => d.webhookId === w.id);
      assert.equal(got.length, sent.length);
      got.forEach((d, i) => {
        const signalled = StoredEvent.of(sent[i] as EventRecord);
        const target = { name: 'Tonys "Handler"', properties: null };
        assert.equal(payloadBody(d.event, d.eventGuid, target), payloadBody(signalled, d.eventGuid, target), `event ${i}`);
        assert.equal(d.event.name, signalled.name);
        for (const k of [
          'bodyEvent',
          'entity',
          'primaryKey',
          'timestamp',
          'changedByAssociateId',
          'contextIdentifier',
          'traceParent',
        ] as const)
          assert.equal(d.event[k] ?? null, signalled[k] ?? null, `${k} of event ${i}`);
        for (const k of ['changes', 'values', 'fieldValues'] as const) assert.deepEqual(d.event[k], signalled[k], `${k} of event ${i}`);
        // Properties take the object path: it reads the fields back.
        const withProperties = { name: 'n', properties: { extra: 1 } };
        assert.equal(payloadBody(d.event, 'g', withProperties), JSON.stringify(payloadObject(signalled, 'g', withProperties)));
      });
      await store.queue.releaseAll('w1');
      await store.webhooks.deleteWebhook(tenant.id, w.id);
    });

    it('keeps a delivery log, retries on request and prunes what is old and delivered', async () => {
      const w = await store.webhooks.createWebhook(tenant.id, input({ events: ['quote.sent'] }), stamp, null);
      await store.intake.signal(tenant.id, [event('quote.sent', 1), event('quote.sent', 2)], 7000);
      const taken = await store.queue.exchange(exchangeRequest(7000, { acquire: 10 }));
      const first = taken.deliveries.find((d) => d.webhookId === w.id)!;
      await store.queue.exchange(
        exchangeRequest(7001, {
          attempts: [settled(first, 7001, { kind: 'success', status: 200 }, { kind: 'delivered' })],
          owned: owned(taken),
        }),
      );
      await store.queue.releaseAll('w1');
      const page = await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 1, skip: 0 });
      assert.equal(page.total, 2);
      assert.equal(page.items.length, 1);
      const log = await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 });
      const delivered = log.items.find((i) => i.status === 'delivered')!;
      assert.deepEqual(
        delivered.attempts.map((a) => [a.retry, a.statusCode, a.outcome]),
        [[0, 200, 'success']],
      );
      assert.equal(
        (await store.deliveryLog.listDeliveries(tenant.id + 999, w.id, { top: 10, skip: 0 })).total,
        0,
        'another tenant sees nothing',
      );
      assert.equal(await store.deliveryLog.retryDelivery(tenant.id, w.id, delivered.deliveryId, 8000, 'copy-guid'), true);
      assert.equal(await store.deliveryLog.countQueued(w.id), 2);
      assert.equal(await store.deliveryLog.retryDelivery(tenant.id, w.id, 999_999, 8000, 'x'), false);
      assert.deepEqual(await store.retention.prune(tenant.id + 999, { deliveriesBefore: 7500, eventsBefore: null }, 10), {
        deliveries: 0,
        events: 0,
      });
      const pruned = await store.retention.prune(tenant.id, { deliveriesBefore: 7500, eventsBefore: 7500 }, 10);
      assert.equal(pruned.deliveries, 1);
      assert.equal((await store.deliveryLog.listDeliveries(tenant.id, w.id, { top: 10, skip: 0 })).total, 2, 'queued deliveries are kept');
      await store.webhooks.deleteWebhook(tenant.id, w.id);
    });

    it("lists a tenant's associates by id, and no other tenant's", async () => {
      const { tenant: t3, associate: first } = await store.accounts.createTenant(
        'Assoc3',
        { name: 'A', userName: 'a3', passwordHash: 'x' },
        5,
      );
      const second = await store.accounts.createAssociate(t3.id, { name: 'B', userName: 'b3', passwordHash: 'x', isAdmin: false }, 6);
      assert.deepEqual(
        (await store.accounts.listAssociates(t3.id)).map((a) => [a.id, a.userName]),
        [
          [first.id, 'a3'],
          [second.id, 'b3'],
        ],
      );
      assert.ok((await store.accounts.listAssociates(tenant.id)).every((a) => a.tenantId === tenant.id));
    });

    it("reads the list's figures of many webhooks at once: failures since, the newest attempt, the newest pause", async () => {
      const failing = await store.webhooks.createWebhook(tenant.id, input({ events: ['usage.failing'] }), stamp, null);
      const paused = await store.webhooks.createWebhook(tenant.id, input({ events: ['usage.paused'] }), stamp, null);
      const quiet = await store.webhooks.createWebhook(tenant.id, input({ events: ['usage.quiet'] }), stamp, null);
      await store.intake.signal(tenant.id, [event('usage.failing', 1), event('usage.failing', 2), event('usage.paused', 3)], 9000);
      const taken = await store.queue.exchange(exchangeRequest(9000, { acquire: 50, acquireWant: 50 }));
      const of = (id: number) => taken.deliveries.filter((d) => d.webhookId === id);
      const [f1, f2] = of(failing.id) as [QueuedItem, QueuedItem];
      const [p1] = of(paused.id) as [QueuedItem];
      const fail: AttemptOutcome = { kind: 'failure', status: 500, stage: 'response', error: 'HTTP/1.1 500' };
      const throttled: AttemptOutcome = { kind: 'throttled', status: 429, stage: 'response', error: '429', retryAfterMs: 60_000 };
      await store.queue.exchange(
        exchangeRequest(9100, {
          attempts: [
            settled(f1, 9001, fail, { kind: 'retry', dueAt: 10_000, cycleAttempt: 1 }),
            settled(f2, 9100, { kind: 'success', status: 200 }, { kind: 'delivered' }),
            settled(p1, 9050, throttled, { kind: 'later', dueAt: 69_050 }),
          ],
          owned: owned(taken),
        }),
      );
      await store.queue.releaseAll('w1');
      const rows = await store.deliveryLog.webhookUsage(tenant.id, [failing.id, paused.id, quiet.id], 9000);
      const by = new Map(rows.map((r) => [r.webhookId, r]));
      assert.equal(rows.length, 3);
      assert.equal(by.get(failing.id)?.failures, 1);
      assert.deepEqual(
        [by.get(failing.id)?.last?.started, by.get(failing.id)?.last?.statusCode, by.get(failing.id)?.last?.outcome],
        [9100, 200, 'success'],
      );
      assert.equal(by.get(failing.id)?.lastThrottle, null);
      assert.equal((await store.deliveryLog.webhookUsage(tenant.id, [failing.id], 9002))[0]?.failures, 0, 'only failures since');
      assert.deepEqual(by.get(paused.id)?.lastThrottle, { answered: 9051, deliveryQueued: true, dueAt: 69_050 });
      assert.equal(by.get(paused.id)?.failures, 0, 'a pause is no failure');
      assert.deepEqual(by.get(quiet.id), { webhookId: quiet.id, failures: 0, last: null, lastThrottle: null });
      assert.deepEqual(
        await store.deliveryLog.webhookUsage(tenant.id + 999, [failing.id], 0),
        [],
        "another tenant's webhooks are not read",
      );
      for (const w of [failing, paused, quiet]) await store.webhooks.deleteWebhook(tenant.id, w.id);
    });
  });
}
