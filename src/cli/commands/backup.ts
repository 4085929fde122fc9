/** `hookd backup <file>` and `hookd restore <file>`: the embedded SQLite database, copied while hookd runs and put back. */
import type { Command } from 'commander';
import { loadConfig } from '../../config/settings.js';
import { keyFilePath, readKeyFile } from '../../store/key-file.js';
import { keyIdOf } from '../../store/secret-box.js';
import { backupDatabase, databaseFile, restoreDatabase } from '../../store/sqlite/backup.js';
import { CliError } from '../client.js';

interface Flags {
  dataDir?: string;
}

/** The data folder and key settings, or a CliError when hookd runs on PostgreSQL (pg_dump's job). */
function settings(flags: Flags) {
  const { config, errors } = loadConfig(process.env, flags.dataDir ? { dataDir: flags.dataDir } : {});
  if (errors.length > 0) throw new CliError(errors.join('\n'), 2);
  if (config.databaseUrl !== '') {
    throw new CliError('HOOKD_DATABASE_URL is set: back up PostgreSQL with pg_dump and restore with pg_restore (README: Backup)', 2);
  }
  return config;
}

export function registerBackupCommands(program: Command): void {
  program
    .command('backup <file>')
    .description('copy the SQLite database to a new file, safely while hookd runs and delivers (the key file is not copied)')
    .option('--data-dir <folder>', 'the data folder (HOOKD_DATA_DIR)')
    .action(async (file: string, flags: Flags) => {
      const config = settings(flags);
      const done = await backupDatabase(config.dataDir, file).catch(rethrow);
      console.log(`backed up ${databaseFile(config.dataDir)} to ${done.file} (${done.bytes} bytes, schema ${done.version})`);
      const keyFile = config.encryptionKey === '' ? keyFilePath(config) : null;
      if (keyFile) console.log(`the key of its webhook secrets is not in it: keep a copy of ${keyFile} apart from the backup`);
    });

  program
    .command('restore <file>')
    .description('put a backup in place as the SQLite database (stop hookd first; the database it replaces is kept beside it)')
    .option('--data-dir <folder>', 'the data folder (HOOKD_DATA_DIR)')
    .action(async (file: string, flags: Flags) => {
      const config = settings(flags);
      const done = await restoreDatabase(config.dataDir, file, Date.now()).catch(rethrow);
      console.log(`restored ${file} to ${databaseFile(config.dataDir)} (schema ${done.version}; newer hookd migrates it on start)`);
      if (done.keptAs) console.log(`the database it replaced is kept as ${done.keptAs}`);
      if (done.keyIds.length === 0) return;
      const path = keyFilePath(config);
      const key = config.encryptionKey !== '' ? config.encryptionKey : path ? readKeyFile(path) : null;
      const id = key === null ? null : keyIdOf(key);
      if (id === null || !done.keyIds.includes(id)) {
        console.error(
          `warning: its webhook secrets are encrypted with key ${done.keyIds.join(', ')}, which ${key === null ? `is not here (no ${path ?? 'HOOKD_ENCRYPTION_KEY'})` : 'is not the key configured here'}: ` +
            'put the encryption.key saved with this backup in place, or hookd will not start',
        );
        process.exitCode = 3;
      }
    });
}

function rethrow(e: unknown): never {
  throw new CliError((e as Error).message, 1);
}
