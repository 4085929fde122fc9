/** Composition root of the server process: config → hookd → listen → signals. */

import { setFlagsFromString } from 'node:v8';
import type { Config } from './config/settings.js';
import { loadConfig } from './config/settings.js';
import { createHookd } from './hookd.js';

export async function serve(overrides: Partial<Config> = {}): Promise<void> {
  const { config, errors } = loadConfig(process.env, overrides);
  if (errors.length > 0) {
    console.error(`hookd cannot start; fix these settings:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    process.exit(2);
  }
  // The server's own process only: an embedding application keeps its own V8 settings. V8's default lets the heap grow
  // to 4× what a full collection kept; ingestion's 5,000-event requests fill that with garbage, so with 1,000,000 queued
  // the process peaked at ~290 MB where 2× gives ~215 MB, at no CPU cost measured (issue 22, BENCHMARKS.md). The flag is
  // read at each full collection, so setting it once the process runs takes effect.
  if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
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
