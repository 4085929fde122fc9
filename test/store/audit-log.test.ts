/** The AuditLog port's contract (issue 25), on SQLite and (with HOOKD_TEST_DATABASE_URL) PostgreSQL: a fresh store each. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AuditEntry, AuditFilter } from '../../src/domain/audit.js';
import { SqliteStore } from '../../src/store/sqlite/index.js';
import type { Store } from '../../src/store/store.js';
import { freshPostgres, POSTGRES_URL } from '../helpers/stores.js';

const stores: Array<[string, () => Promise<{ store: Store; cleanup: () => Promise<void> }>]> = [
  [
    'SQLite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hookd-audit-'));
      const store = SqliteStore.open(dir);
      return { store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
];
if (POSTGRES_URL)
  stores.push([
    'PostgreSQL',
    async () => {
      const { store, drop } = await freshPostgres();
      return { store, cleanup: async () => (await store.close(), await drop()) };
    },
  ]);

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  tenantId: 1,
  at: 1_000,
  actorKind: 'user',
  actorId: 1,
  actorName: 'admin',
  application: null,
  address: '127.0.0.1',
  action: 'webhook.create',
  webhookId: 7,
  changes: { Set: ['Name'], Values: { Name: 'n' } },
  ...over,
});
const all: AuditFilter = { from: null, to: null, actor: null, webhookId: null, top: 50, skip: 0 };

for (const [name, open] of stores) {
  describe(`AuditLog on ${name}`, () => {
    it('appends and lists newest first, one tenant at a time, filtered and paged', async () => {
      const { store, cleanup } = await open();
      try {
        await store.migrate();
        await store.audit.append(entry());
        await store.audit.append(entry({ at: 2_000, actorName: 'carol', webhookId: 8, action: 'webhook.update' }));
        await store.audit.append(
          entry({ at: 3_000, actorKind: 'application', application: 'abcdef012345', webhookId: null, action: 'token.create' }),
        );
        await store.audit.append(entry({ tenantId: 2, at: 2_500, actorName: 'bob' }));
        const page = await store.audit.list(1, all);
        assert.equal(page.total, 3);
        assert.deepEqual(
          page.items.map((r) => r.action),
          ['token.create', 'webhook.update', 'webhook.create'],
        );
        assert.deepEqual(page.items[2]!.changes, { Set: ['Name'], Values: { Name: 'n' } });
        assert.equal(page.items[2]!.at, 1_000);
        assert.equal((await store.audit.list(2, all)).items[0]!.actorName, 'bob');
        assert.equal((await store.audit.list(1, { ...all, from: 2_000 })).total, 2);
        assert.equal((await store.audit.list(1, { ...all, to: 2_000 })).total, 1);
        assert.equal((await store.audit.list(1, { ...all, actor: 'carol' })).total, 1);
        assert.equal((await store.audit.list(1, { ...all, actor: 'abcdef012345' })).total, 1, 'an application by its id');
        assert.equal((await store.audit.list(1, { ...all, application: 'abcdef012345' })).total, 1);
        assert.equal((await store.audit.list(1, { ...all, webhookId: 8 })).items[0]!.actorName, 'carol');
        const second = await store.audit.list(1, { ...all, top: 1, skip: 1 });
        assert.deepEqual([second.total, second.items.map((r) => r.action)], [3, ['webhook.update']]);
      } finally {
        await cleanup();
      }
    });

    it('prunes a tenant’s records older than a time, at most `limit` at once', async () => {
      const { store, cleanup } = await open();
      try {
        await store.migrate();
        for (let i = 0; i < 5; i++) await store.audit.append(entry({ at: i * 1_000 }));
        await store.audit.append(entry({ tenantId: 2, at: 0 }));
        assert.equal(await store.audit.prune(1, 3_500, 2), 2);
        assert.equal(await store.audit.prune(1, 3_500, 10), 2);
        assert.equal((await store.audit.list(1, all)).total, 1);
        assert.equal((await store.audit.list(2, all)).total, 1, "another tenant's records stay");
      } finally {
        await cleanup();
      }
    });
  });
}
