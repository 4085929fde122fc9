/** Opens the embedded database with the settings hookd relies on and brings its schema up to date. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { readMigrations } from '../migration-files.js';

export type Db = Database.Database;

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // WAL lets readers run beside the writer; synchronous=NORMAL in WAL mode survives a process crash
  // (SIGKILL) without losing a committed transaction, and is ~5x faster than FULL (stack-notes.md).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Applies the numbered migrations not yet applied, each in its own transaction. */
export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
  for (const m of readMigrations(new URL('./migrations/', import.meta.url))) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }).immediate();
  }
}

const cache = new WeakMap<Db, Map<string, Database.Statement>>();
const rawCache = new WeakMap<Db, Map<string, Database.Statement>>();

/** A prepared statement, prepared once per connection: parsing SQL on every call costs more than running it. */
export function q(db: Db, sql: string): Database.Statement {
  return prepared(cache, db, sql, false);
}

/** Like q(), in raw mode: rows come back as arrays, which better-sqlite3 builds faster than objects (hot reads only). */
export function qRaw(db: Db, sql: string): Database.Statement {
  return prepared(rawCache, db, sql, true);
}

function prepared(caches: WeakMap<Db, Map<string, Database.Statement>>, db: Db, sql: string, raw: boolean): Database.Statement {
  let statements = caches.get(db);
  if (!statements) {
    statements = new Map();
    caches.set(db, statements);
  }
  let s = statements.get(sql);
  if (!s) {
    s = raw ? db.prepare(sql).raw(true) : db.prepare(sql);
    statements.set(sql, s);
  }
  return s;
}
