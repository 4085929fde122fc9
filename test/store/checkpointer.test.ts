/**
 * SQLite's WAL checkpoints run on a thread of their own (store/sqlite/checkpointer.ts): the writer's own checkpoint
 * waits for its backstop, so a log well below it reaches the database file only through the thread; stopping the
 * thread closes its connection, so the writer's close removes the log.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { BACKSTOP_PAGES, Checkpointer } from '../../src/store/sqlite/checkpointer.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { waitUntil } from '../helpers/harness.js';

it('copies the log into the database file from its own thread, below the writer’s backstop, and stops cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-checkpoint-'));
  const file = join(dir, 'hookd.db');
  try {
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const checkpointer = Checkpointer.start(db, file);
    assert.ok(checkpointer);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_PAGES);
    const before = statSync(file).size;
    // ~2,500 pages in 25 transactions: a quarter of the backstop, so the writer itself copies nothing.
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 25; i++)
      db.transaction(() => {
        for (let k = 0; k < 100; k++) insert.run('x'.repeat(4_000));
      })();
    await waitUntil(() => statSync(file).size > before + 8_000_000, 5_000, 'the database file to receive the log from the thread');
    await checkpointer.stop();
    db.close();
    assert.equal(existsSync(`${file}-wal`), false, 'the writer closed last and removed the log');
    assert.equal(Checkpointer.start(db, ':memory:'), null, 'no thread for a database in memory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
