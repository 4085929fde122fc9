/** Opens the store the settings name, migrated, with webhook secrets sealed when an encryption key is set. */
import type { Logger } from 'pino';
import { PostgresStore } from './postgres/postgres-store.js';
import { SecretBox } from './secret-box.js';
import { resealSecrets, sealedStore } from './sealed-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** What the store needs of the settings (config/settings.ts: HOOKD_DATABASE_URL, HOOKD_DATA_DIR, the encryption keys). */
export interface StoreOptions {
  /** postgres://… to use PostgreSQL; empty for SQLite. */
  databaseUrl: string;
  /** The folder of the SQLite file (or `:memory:`). */
  dataDir: string;
  encryptionKey: string;
  previousEncryptionKeys: readonly string[];
}

/** PostgreSQL when HOOKD_DATABASE_URL is set, else SQLite in the data folder. */
export function openStore(config: Pick<StoreOptions, 'databaseUrl' | 'dataDir'>): Store {
  return config.databaseUrl ? PostgresStore.open(config.databaseUrl) : SqliteStore.open(config.dataDir);
}

/**
 * Migrates `raw` and returns the store hookd uses: secrets sealed with HOOKD_ENCRYPTION_KEY (plain and
 * old-key ones resealed now), or `raw` itself with a warning when no key is set. Closes `raw` on failure.
 */
export async function prepareStore(
  raw: Store,
  config: Pick<StoreOptions, 'encryptionKey' | 'previousEncryptionKeys'>,
  logger: Logger,
): Promise<Store> {
  try {
    await raw.migrate();
    const box = SecretBox.fromSettings(config.encryptionKey, config.previousEncryptionKeys);
    const resealed = await resealSecrets(raw, box);
    if (!box.encrypts) {
      logger.warn('HOOKD_ENCRYPTION_KEY is not set: webhook secrets are stored unencrypted');
      return raw;
    }
    if (resealed > 0) logger.info({ resealed }, 'webhook secrets encrypted with the current HOOKD_ENCRYPTION_KEY');
    return sealedStore(raw, box);
  } catch (e) {
    await raw.close();
    throw e;
  }
}
