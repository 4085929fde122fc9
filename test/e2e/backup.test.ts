/**
 * `hookd backup` beside a serving hookd under load (issue 26): events are signalled and delivered while a separate
 * process copies the live SQLite database; every event acknowledged before the backup started is in the copy;
 * `hookd restore` puts it in place in another data folder, says the key file is missing, and hookd starts on it once the
 * key file is there. Hostile inputs: a target that exists, the live database, a missing folder, a file that is no
 * hookd database, a database of a newer hookd, restoring under a running hookd.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../helpers/cli.js';
import { call, webhookBody } from '../helpers/harness.js';
import { freePort, spawnHookd } from '../helpers/process.js';
import { Receiver } from '../helpers/receiver.js';

let root: string;
let receiver: Receiver;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'hookd-backup-'));
  receiver = await Receiver.start();
});
after(async () => {
  await receiver.close();
  rmSync(root, { recursive: true, force: true });
});

function primaryKeys(file: string): Set<number> {
  const db = new Database(file, { readonly: true });
  try {
    return new Set(db.prepare('SELECT primary_key FROM events').pluck().all() as number[]);
  } finally {
    db.close();
  }
}

describe('hookd backup and restore', () => {
  it(
    'copies the live database under load with every event acknowledged before it began, and restores it',
    { timeout: 180_000 },
    async () => {
      const dataDir = join(root, 'data');
      const backup = join(root, 'hookd-backup.db');
      const hookd = await spawnHookd(dataDir, await freePort());
      try {
        const created = await call(hookd.url, 'POST', '/api/v1/Webhook', {
          body: webhookBody(`${receiver.url}/b`, { Events: ['contact.*'] }),
        });
        assert.equal(created.status, 200, created.text);

        const acknowledged = new Set<number>();
        let stop = false;
        let batches = 0;
        const sender = (async () => {
          for (let b = 0; !stop; b++) {
            const items = Array.from({ length: 50 }, (_, i) => ({ EventName: 'contact.changed', PrimaryKey: b * 50 + i + 1 }));
            const res = await call(hookd.url, 'POST', '/api/v1/Webhook/Events', { body: items });
            assert.equal(res.status, 204, res.text);
            for (const item of items) acknowledged.add(item.PrimaryKey);
            batches++;
          }
        })();
        while (batches < 20 || receiver.count < 200) await new Promise((r) => setTimeout(r, 5));

        const before = new Set(acknowledged);
        const deliveredBefore = receiver.count;
        const batchesBefore = batches;
        const done = await runCli(['backup', backup], { HOOKD_DATA_DIR: dataDir });
        assert.equal(done.code, 0, done.stderr);
        assert.match(done.stdout, /backed up .*hookd\.db to .*hookd-backup\.db/);
        assert.match(done.stdout, /keep a copy of .*encryption\.key apart from the backup/);
        assert.ok(batches > batchesBefore, 'events kept arriving while the backup ran');
        assert.ok(receiver.count > deliveredBefore, 'deliveries went on while the backup ran');
        assert.equal(statSync(backup).mode & 0o777, 0o600);
        assert.ok(!existsSync(`${backup}-wal`), 'one self-contained file');

        const copied = primaryKeys(backup);
        const missing = [...before].filter((k) => !copied.has(k));
        assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${before.size} acknowledged events are missing from the backup`);

        // Hostile inputs while it runs.
        const again = await runCli(['backup', backup], { HOOKD_DATA_DIR: dataDir });
        assert.equal(again.code, 1);
        assert.match(again.stderr, /exists: name a new file/);
        const live = await runCli(['backup', join(dataDir, '..', 'data', 'hookd.db')], { HOOKD_DATA_DIR: dataDir });
        assert.match(live.stderr, /cannot be the live database/);
        const wal = await runCli(['backup', join(dataDir, 'hookd.db-wal')], { HOOKD_DATA_DIR: dataDir });
        assert.match(wal.stderr, /cannot be the live database/);
        const nowhere = await runCli(['backup', join(root, 'no', '..', 'nowhere', 'x.db')], { HOOKD_DATA_DIR: dataDir });
        assert.match(nowhere.stderr, /folder .*nowhere does not exist/);
        const underServer = await runCli(['restore', backup], { HOOKD_DATA_DIR: dataDir });
        assert.equal(underServer.code, 1);
        assert.match(underServer.stderr, /in use: stop hookd before restoring/);
        const pg = await runCli(['backup', join(root, 'pg.db')], {
          HOOKD_DATA_DIR: dataDir,
          HOOKD_DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
        });
        assert.match(pg.stderr, /pg_dump/);

        stop = true;
        await sender;
      } finally {
        hookd.child.kill('SIGTERM');
        await hookd.exited;
      }

      // Restore into a new folder: the key file is not in the backup, and restore says so.
      const restored = join(root, 'restored');
      mkdirSync(restored);
      const put = await runCli(['restore', backup], { HOOKD_DATA_DIR: restored });
      assert.equal(put.code, 3, put.stderr);
      assert.match(put.stdout, /restored .* \(schema \d+/);
      assert.match(put.stderr, /encrypted with key [0-9a-f]{8}, which is not here/);
      const refused = spawnHookd(restored, await freePort());
      await assert.rejects(refused, /key file .*encryption\.key does not exist/);
      copyFileSync(join(dataDir, 'encryption.key'), join(restored, 'encryption.key'));
      const back = await spawnHookd(restored, await freePort());
      try {
        const list = await call(back.url, 'GET', '/api/v1/Webhook');
        assert.equal(list.status, 200);
        assert.equal((list.json as unknown[]).length, 1);
      } finally {
        back.child.kill('SIGTERM');
        await back.exited;
      }
      // A second restore keeps the database it replaces.
      const second = await runCli(['restore', backup], { HOOKD_DATA_DIR: restored });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /kept as .*hookd\.db\.before-restore-/);
    },
  );

  it('refuses to restore a file that is no hookd database, or one of a newer hookd', async () => {
    const dir = join(root, 'hostile');
    mkdirSync(dir);
    writeFileSync(join(root, 'junk.db'), 'x'.repeat(10_000));
    const junk = await runCli(['restore', join(root, 'junk.db')], { HOOKD_DATA_DIR: dir });
    assert.equal(junk.code, 1);
    assert.match(junk.stderr, /not a hookd database|cannot be opened/);
    const other = new Database(join(root, 'other.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();
    assert.match((await runCli(['restore', join(root, 'other.db')], { HOOKD_DATA_DIR: dir })).stderr, /no schema_migrations table/);
    const newer = new Database(join(root, 'newer.db'));
    newer.exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied INTEGER); INSERT INTO schema_migrations VALUES (999, 'x', 0)",
    );
    newer.close();
    assert.match((await runCli(['restore', join(root, 'newer.db')], { HOOKD_DATA_DIR: dir })).stderr, /newer hookd \(schema 999/);
    assert.match((await runCli(['restore', join(root, 'absent.db')], { HOOKD_DATA_DIR: dir })).stderr, /there is no backup file/);
    assert.ok(!existsSync(join(dir, 'hookd.db')), 'nothing was put in place');
  });
});
