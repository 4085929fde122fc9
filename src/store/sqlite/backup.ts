/**
 * `hookd backup` and `hookd restore` for the embedded store. The backup runs in its own process beside a serving hookd:
 * SQLite's online backup API reads one consistent snapshot of the database (WAL included) while hookd goes on writing,
 * so every transaction committed before the backup began is in the copy. The key file is never copied into the backup.
 */
import { chmodSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { readMigrations } from '../migration-files.js';

/** The database file of a data folder. */
export function databaseFile(dataDir: string): string {
  return resolve(join(dataDir, 'hookd.db'));
}

/** Thrown for what the operator must fix (a target that exists, a file that is no hookd database, a running server). */
export class BackupError extends Error {}

const LATEST = Math.max(...readMigrations(new URL('./migrations/', import.meta.url)).map((m) => m.version));

/**
 * Copies the live database of `dataDir` to `target` (which must not exist) while hookd may be running. Written beside
 * `target` first and linked into place, so a half-written file never carries the target's name. Returns its size.
 */
export async function backupDatabase(dataDir: string, target: string): Promise<{ file: string; bytes: number; version: number }> {
  const source = databaseFile(dataDir);
  const file = resolve(target);
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source} (HOOKD_DATA_DIR)`);
  if (file === source || file.startsWith(`${source}-`)) throw new BackupError(`the backup cannot be the live database ${source}`);
  if (existsSync(file)) throw new BackupError(`${file} exists: name a new file (a backup never overwrites)`);
  if (!existsSync(dirname(file)) || !statSync(dirname(file)).isDirectory())
    throw new BackupError(`the folder ${dirname(file)} does not exist`);
  const partial = join(dirname(file), `.${basename(file)}.partial-${process.pid}`);
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // All remaining pages in one step: one read snapshot, so the copy never restarts however busy the writer is
    // (with SQLite's default of 100 pages a step, each write by hookd between steps restarts the copy from page 1).
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
  try {
    // One self-contained file: the copy carries the live database's WAL mode in its header, which would make every
    // reader of the backup create -wal and -shm files beside it.
    const copy = new Database(partial, { fileMustExist: true });
    copy.pragma('journal_mode = DELETE');
    copy.close();
    chmodSync(partial, 0o600); // it holds every event and delivery: only its owner reads it
    const version = check(partial);
    linkSync(partial, file); // fails if the target appeared meanwhile: never overwrites
    return { file, bytes: statSync(file).size, version };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new BackupError(`${file} exists: name a new file (a backup never overwrites)`);
    throw e;
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${partial}${suffix}`, { force: true });
  }
}

/** The schema version of a hookd database file, after SQLite's quick check; throws BackupError when it is not one. */
function check(file: string): number {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new BackupError(`${file} cannot be opened as a database: ${(e as Error).message}`);
  }
  try {
    const ok = db.pragma('quick_check', { simple: true });
    if (ok !== 'ok') throw new BackupError(`${file} is damaged: ${String(ok)}`);
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    if (!has) throw new BackupError(`${file} is not a hookd database (no schema_migrations table)`);
    return (db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0;
  } catch (e) {
    if (e instanceof BackupError) throw e;
    throw new BackupError(`${file} is not a hookd database: ${(e as Error).message}`);
  } finally {
    db.close();
  }
}

/** The key ids of the secrets sealed in a hookd database file (enc:v1:<id>:…). */
export function sealedKeyIdsIn(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        "SELECT secret FROM webhooks WHERE secret LIKE 'enc:v1:%' UNION SELECT previous_secret FROM webhooks WHERE previous_secret LIKE 'enc:v1:%'",
      )
      .pluck()
      .all() as string[];
    return [...new Set(rows.map((s) => s.split(':')[2] ?? ''))];
  } finally {
    db.close();
  }
}

/** Whether a process (a running hookd) has the database open: WAL connections hold a shared lock on the file. */
function inUse(file: string): boolean {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return false;
  } catch {
    return true;
  } finally {
    db.close();
  }
}

/**
 * Puts the backup `from` in place as the database of `dataDir` (hookd must be stopped). The database it replaces is
 * kept beside it as hookd.db.before-restore-<time>. Refuses a file that is not a hookd database, or one from a newer
 * hookd. Returns where the old database went (null when there was none) and the key ids the backup's secrets need.
 */
export async function restoreDatabase(
  dataDir: string,
  from: string,
  now: number,
): Promise<{ keptAs: string | null; version: number; keyIds: string[] }> {
  const source = resolve(from);
  const live = databaseFile(dataDir);
  if (source === live) throw new BackupError(`${source} is the live database itself`);
  if (!existsSync(source) || !statSync(source).isFile()) throw new BackupError(`there is no backup file ${source}`);
  const version = check(source);
  if (version > LATEST) throw new BackupError(`${source} was written by a newer hookd (schema ${version}; this one knows ${LATEST})`);
  const keyIds = sealedKeyIdsIn(source);
  let keptAs: string | null = null;
  if (existsSync(live)) {
    if (inUse(live)) throw new BackupError(`${live} is in use: stop hookd before restoring`);
    keptAs = `${live}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  }
  // Copied through SQLite (not the file system), so the copy is a consistent database even if the backup is in WAL mode.
  mkdirSync(dirname(live), { recursive: true }); // a new data folder, as on a fresh machine
  const partial = `${live}.restoring-${process.pid}`;
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(partial, { progress: () => 0x7fffffff });
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  } finally {
    db.close();
  }
  if (keptAs !== null) {
    // The old database with its WAL (a clean close leaves none), kept whole.
    const reopened = new Database(live, { fileMustExist: true });
    reopened.pragma('wal_checkpoint(TRUNCATE)');
    reopened.close();
    renameSync(live, keptAs);
    for (const suffix of ['-wal', '-shm']) rmSync(`${live}${suffix}`, { force: true });
  }
  renameSync(partial, live);
  return { keptAs, version, keyIds };
}
