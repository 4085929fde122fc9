/** The `hookd` command line. */
import { Command } from 'commander';
import { describeConfig, loadConfig } from '../config/settings.js';
import { openStore } from '../hookd.js';
import { VERSION } from '../lib/version.js';
import { serve } from '../main.js';

const program = new Command('hookd').description('SuperOffice NetServer-compatible webhook server').version(VERSION);

program
  .command('serve')
  .description('run the server (API and delivery)')
  .option('--port <port>', 'port to listen on (PORT)')
  .option('--host <host>', 'address to bind (HOST)')
  .option('--data-dir <dir>', 'SQLite data folder (HOOKD_DATA_DIR)')
  .option('--dev', 'allow http and loopback/private targets (HOOKD_ALLOW_PRIVATE_TARGETS=1)')
  .action(async (opts: { port?: string; host?: string; dataDir?: string; dev?: boolean }) => {
    if (opts.port) process.env.PORT = opts.port;
    if (opts.host) process.env.HOST = opts.host;
    if (opts.dataDir) process.env.HOOKD_DATA_DIR = opts.dataDir;
    if (opts.dev) process.env.HOOKD_ALLOW_PRIVATE_TARGETS = '1';
    await serve();
  });

program
  .command('migrate')
  .description('create or upgrade the database schema, then exit')
  .action(async () => {
    const { config, errors } = loadConfig(process.env);
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const store = openStore(config);
    await store.migrate();
    await store.close();
    console.log('schema is up to date');
  });

program
  .command('config')
  .description('print the effective settings (secrets hidden)')
  .action(() => {
    const { config, errors } = loadConfig(process.env);
    for (const s of describeConfig(config)) console.log(`${s.env.padEnd(34)} ${s.value.padEnd(12)} ${s.doc}`);
    if (errors.length > 0) {
      console.error(`\nerrors:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
      process.exitCode = 2;
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`hookd: ${(e as Error).message}`);
  process.exit(1);
});
