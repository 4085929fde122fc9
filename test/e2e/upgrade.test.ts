/**
 * Upgrades (issue 26): databases written by earlier hookd releases — the first release and the one before this change
 * on SQLite, the first PostgreSQL release and the one before this change on PostgreSQL (a pg_dump --inserts) — each
 * holding two webhooks and six deliveries queued after a failed attempt (their receiver was down), open on today's
 * hookd, migrate, and deliver every queued event exactly once, signed with the webhook's own secret.
 * The fixtures are made by test/fixtures/upgrade/make-fixture.mjs from the old commits named in each .json.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { verifySignature } from '../../src/signing/netserver.js';
import type { Store } from '../../src/store/store.js';
import { listenOn } from '../helpers/harness.js';
import { Receiver } from '../helpers/receiver.js';
import { POSTGRES_URL, freshPostgres } from '../helpers/stores.js';

const FIXTURES = new URL('../fixtures/upgrade/', import.meta.url);

interface Expected {
  commit: string;
  secrets: Record<string, string>;
  queued: Array<{ webhook: string; event: string; primaryKey: number }>;
}

let root: string;
let receiver: Receiver;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'hookd-upgrade-'));
  receiver = await Receiver.start();
});
after(async () => {
  await receiver.close();
  rmSync(root, { recursive: true, force: true });
});

/** The old webhooks' receiver was port 9 (down); today's receiver takes its place, one path per webhook. */
function targetOf(name: string): string {
  return `${receiver.url}/${name === 'fixture A' ? 'a' : 'b'}`;
}

/** Starts today's hookd on the old data, waits for the deliveries and checks each came once, signed with its secret. */
async function deliversEachOnce(dataDir: string, expected: Expected, store?: Store): Promise<void> {
  const from = receiver.count;
  const hookd = await listenOn(dataDir, { store });
  try {
    const deadline = Date.now() + 30_000;
    while (receiver.count - from < expected.queued.length) {
      assert.ok(Date.now() < deadline, `${receiver.count - from} of ${expected.queued.length} deliveries arrived`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 1500)); // time for a duplicate to show up
  } finally {
    await hookd.hookd.close();
  }
  const got = receiver.received.slice(from).map((r) => {
    const body = JSON.parse(r.body.toString('utf8')) as { Event: string; PrimaryKey: number };
    const webhook = r.path === '/a' ? 'fixture A' : 'fixture B';
    assert.ok(
      verifySignature(r.body, r.headers['x-superoffice-signature'] as string, expected.secrets[webhook]!),
      `${body.Event} ${body.PrimaryKey} is signed with the secret of ${webhook}`,
    );
    return `${webhook} ${body.Event} ${body.PrimaryKey}`;
  });
  const want = expected.queued.map((q) => `${q.webhook} ${q.event} ${q.primaryKey}`);
  assert.deepEqual(got.sort(), want.sort(), 'every queued delivery exactly once');
}

describe('upgrades from earlier releases', () => {
  for (const name of ['first-release', 'before-issue-26']) {
    it(`SQLite: ${name} opens, migrates and delivers every queued event once`, { timeout: 60_000 }, async () => {
      const expected = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as Expected;
      const dataDir = join(root, name);
      mkdirSync(dataDir);
      copyFileSync(new URL(`${name}.db`, FIXTURES), join(dataDir, 'hookd.db'));
      const db = new Database(join(dataDir, 'hookd.db'));
      for (const hook of Object.keys(expected.secrets))
        db.prepare('UPDATE webhooks SET target_url = ? WHERE name = ?').run(targetOf(hook), hook);
      const oldVersion = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number;
      db.close();
      await deliversEachOnce(dataDir, expected);
      const after = new Database(join(dataDir, 'hookd.db'), { readonly: true });
      const newVersion = after.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number;
      const secrets = after.prepare('SELECT secret FROM webhooks').pluck().all() as string[];
      after.close();
      assert.ok(newVersion > oldVersion || name === 'before-issue-26', `migrated from ${oldVersion} to ${newVersion}`);
      assert.ok(existsSync(join(dataDir, 'encryption.key')), 'a key file was generated');
      assert.ok(
        secrets.every((s) => s.startsWith('enc:v1:')),
        "the old release's plain secrets are sealed",
      );
    });
  }

  for (const name of ['first-postgres-release', 'before-issue-26-postgres']) {
    it(
      `PostgreSQL: ${name} restored from pg_dump opens, migrates and delivers every queued event once`,
      { timeout: 60_000, skip: POSTGRES_URL ? false : 'set HOOKD_TEST_DATABASE_URL (.ci/run does)' },
      async () => {
        const expected = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as Expected;
        const { store, schema, drop } = await freshPostgres();
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        try {
          await client.query(readFileSync(new URL(`${name}.sql`, FIXTURES), 'utf8').replaceAll('hookd_fixture', schema));
          for (const hook of Object.keys(expected.secrets)) {
            await client.query(`UPDATE ${schema}.webhooks SET target_url = $1 WHERE name = $2`, [targetOf(hook), hook]);
          }
          const dataDir = join(root, name);
          await deliversEachOnce(dataDir, expected, store);
          const { rows } = await client.query(`SELECT secret FROM ${schema}.webhooks`);
          assert.ok(
            rows.every((r: { secret: string }) => r.secret.startsWith('enc:v1:')),
            'sealed',
          );
        } finally {
          await client.end();
          await drop();
        }
      },
    );
  }
});
