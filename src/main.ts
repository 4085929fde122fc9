/** Composition root of the server process: config → hookd → listen → signals. */

import type { Config } from './config/settings.js';
import { loadConfig } from './config/settings.js';
import { createHookd } from './hookd.js';

export async function serve(overrides: Partial<Config> = {}): Promise<void> {
  const { config, errors } = loadConfig(process.env, overrides);
  if (errors.length > 0) {
    console.error(`hookd cannot start; fix these settings:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    process.exit(2);
  }
  const hookd = await createHookd(config);
  if (hookd.generatedAdminPassword) {
    console.log(`First start: created user '${config.adminUser}' with password '${hookd.generatedAdminPassword}' (shown once).`);
  }
  const address = await hookd.listen();
  hookd.app.log.info({ address, dataDir: config.dataDir }, `hookd listening on ${address}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      hookd.app.log.warn({ signal }, 'second signal: aborting now');
      process.exit(1);
    }
    stopping = true;
    hookd.app.log.info({ signal }, 'shutting down: finishing in-flight deliveries');
    hookd.close().then(
      () => process.exit(0),
      (e) => {
        hookd.app.log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
