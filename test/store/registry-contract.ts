/**
 * The accounts', registry's and intake's part of the per-port contract (ports-contract.ts has the rest): each case on a
 * fresh store, on every backend, each able to fail (another associate's credential, a stale version, a replayed key).
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { FAIL, STAMP, event, freshCase, input, type OpenStore } from './fixtures.js';
import { exchangeRequest, owned, settled } from './queue-contract.js';

export function registryContract(name: string, open: OpenStore): void {
  const fresh = freshCase(open);

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
