/** Opens the store the settings name, migrated, with webhook secrets sealed when an encryption key is set. */
import type { Logger } from 'pino';
import { PostgresStore } from './postgres/index.js';
import { createKeyFile, keyFilePath, readKeyFile, readableByOthers, sealedKeyIds } from './key-file.js';
import { SecretBox } from './secret-box.js';
import { resealSecrets, sealedStore } from './sealed-store.js';
import { SqliteStore } from './sqlite/index.js';
import type { Store } from './store.js';

/** What the store needs of the settings (config/settings.ts: HOOKD_DATABASE_URL, HOOKD_DATA_DIR, the encryption keys). */
export interface StoreOptions {
  /** postgres://… to use PostgreSQL; empty for SQLite. */
  databaseUrl: string;
  /** The folder of the SQLite file (or `:memory:`). */
  dataDir: string;
  encryptionKey: string;
  /** Where the generated key lives (HOOKD_ENCRYPTION_KEY_FILE); empty: `encryption.key` beside the SQLite data. */
  encryptionKeyFile: string;
  previousEncryptionKeys: readonly string[];
}

/** PostgreSQL when HOOKD_DATABASE_URL is set, else SQLite in the data folder. */
export function openStore(config: Pick<StoreOptions, 'databaseUrl' | 'dataDir'>): Store {
  return config.databaseUrl ? PostgresStore.open(config.databaseUrl) : SqliteStore.open(config.dataDir);
}

/**
 * Migrates `raw` and returns the store hookd uses: secrets sealed with HOOKD_ENCRYPTION_KEY, else with the key in the
 * key file (generated on the first start; see key-file.ts), plain and old-key ones resealed now; `raw` itself with a
 * warning when there is neither (PostgreSQL without a key). Closes `raw` on failure.
 */
export async function prepareStore(
  raw: Store,
  config: Pick<StoreOptions, 'encryptionKey' | 'encryptionKeyFile' | 'previousEncryptionKeys' | 'databaseUrl' | 'dataDir'>,
  logger: Logger,
): Promise<Store> {
  try {
    await raw.migrate();
    const key = config.encryptionKey !== '' ? config.encryptionKey : await keyFromFile(raw, config, logger);
    const box = SecretBox.fromSettings(key, config.previousEncryptionKeys);
    const resealed = await resealSecrets(raw, box);
    if (!box.encrypts) {
      logger.warn('HOOKD_ENCRYPTION_KEY is not set: webhook secrets are stored unencrypted');
      return raw;
    }
    if (resealed > 0) logger.info({ resealed }, 'webhook secrets encrypted with the current key');
    return sealedStore(raw, box);
  } catch (e) {
    await raw.close();
    throw e;
  }
}

/** The key of the key file, created on the first start; '' when there is no key file to use (PostgreSQL by default). */
async function keyFromFile(
  raw: Store,
  config: Pick<StoreOptions, 'encryptionKeyFile' | 'databaseUrl' | 'dataDir'>,
  logger: Logger,
): Promise<string> {
  const path = keyFilePath(config);
  if (path === null) return '';
  const existing = readKeyFile(path);
  if (existing !== null) {
    if (readableByOthers(path)) logger.warn({ keyFile: path }, `the encryption key file ${path} is readable by others: chmod 600 it`);
    return existing;
  }
  // No key file: a database whose secrets are already sealed (a backup restored without its key file) must not get a
  // new key, which would leave every secret unreadable and hide why.
  const sealedWith = await sealedKeyIds(raw);
  if (sealedWith.length > 0) {
    throw new Error(
      `the database holds webhook secrets encrypted with key ${sealedWith.join(', ')}, but the key file ${path} does not exist: ` +
        'put the encryption.key that belongs to this database there (or name it with HOOKD_ENCRYPTION_KEY_FILE, or set HOOKD_ENCRYPTION_KEY); ' +
        'without it the webhook secrets cannot be read',
    );
  }
  const { key, created } = createKeyFile(path);
  if (created) {
    logger.warn(
      { keyFile: path },
      `generated the encryption key of webhook secrets in ${path} (mode 0600): back it up apart from the database; without it the secrets cannot be read`,
    );
  }
  return key;
}
