/**
 * The encryption key of webhook secrets kept in its own file (mode 0600) beside the SQLite data, never inside the
 * database: a copy of hookd.db alone then holds no usable secret. Generated on the first start that has neither
 * HOOKD_ENCRYPTION_KEY nor a key file; HOOKD_ENCRYPTION_KEY_FILE puts it elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isSealed, parseKey } from './secret-box.js';
import type { Store } from './store.js';

/** The settings the key file depends on (HOOKD_ENCRYPTION_KEY_FILE, HOOKD_DATABASE_URL, HOOKD_DATA_DIR). */
export interface KeyFileOptions {
  encryptionKeyFile: string;
  databaseUrl: string;
  dataDir: string;
}

/** The file name beside hookd.db. */
export const KEY_FILE_NAME = 'encryption.key';

/**
 * Where the key file is: HOOKD_ENCRYPTION_KEY_FILE, else `<data dir>/encryption.key` for SQLite on a file. PostgreSQL
 * gets no default: replicas that each generated their own key would seal secrets the others cannot open.
 */
export function keyFilePath(options: KeyFileOptions): string | null {
  if (options.encryptionKeyFile !== '') return resolve(options.encryptionKeyFile);
  if (options.databaseUrl === '' && options.dataDir !== ':memory:') return resolve(join(options.dataDir, KEY_FILE_NAME));
  return null;
}

/** The key in `path`, or null when there is no such file; throws when the file holds no valid key. */
export function readKeyFile(path: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`the encryption key file ${path} cannot be read: ${(e as Error).message}`);
  }
  const key = parseKey(text);
  if (typeof key === 'string') throw new Error(`the encryption key file ${path} ${key}`);
  return text;
}

/** Whether others than the owner may read `path` (a key file should be 0600). */
export function readableByOthers(path: string): boolean {
  return (statSync(path).mode & 0o077) !== 0;
}

/**
 * Writes a new random key to `path` with mode 0600 and returns it; when another process created the file first
 * (two starts at once), returns that one's key instead.
 */
export function createKeyFile(path: string): { key: string; created: boolean } {
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32).toString('base64');
  // Written whole under a name of its own, then linked into place: link() fails when the file exists, and a process
  // that loses the race never reads a half-written file.
  const partial = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  writeFileSync(partial, `${key}\n`, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(partial, path);
    return { key, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const existing = readKeyFile(path);
    if (existing === null) throw e;
    return { key: existing, created: false };
  } finally {
    rmSync(partial, { force: true });
  }
}

/** The key ids (enc:v1:<id>:…) of the secrets already sealed in `store`, without changing any. */
export async function sealedKeyIds(store: Store): Promise<string[]> {
  const ids = new Set<string>();
  await store.webhooks.rewriteSecrets((stored) => {
    if (isSealed(stored)) ids.add(stored.split(':')[2] ?? '');
    return null;
  });
  return [...ids];
}
