/** The `hookd` command line: one file per command group, each a thin shell over the server's API. */
import { Command } from 'commander';
import { SETTINGS, describeConfig, loadConfig } from '../config/settings.js';
import { openStore } from '../store/open-store.js';
import { VERSION } from '../lib/version.js';
import { serve } from '../main.js';
import { CliError } from './client.js';
import { registerAppAccessCommands } from './commands/app-access.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerEventCommands } from './commands/events.js';
import { registerListenCommand } from './commands/listen.js';
import { registerRecoverCommand } from './commands/recover.js';
import { registerWebhookCommands } from './commands/webhook.js';

const program = new Command('hookd').description('SuperOffice NetServer-compatible webhook server').version(VERSION);
program.showHelpAfterError('(run with --help for usage)');

const serveCommand = program
  .command('serve')
  .description('run the server (API and delivery); every setting has a flag, which wins over its environment variable')
  .option('--dev', 'allow http and loopback/private targets (HOOKD_ALLOW_PRIVATE_TARGETS=1)')
  .option('--scripts <folder>', 'crmscript handlers: one ES module per script, named by its file (HOOKD_SCRIPTS_DIR)');
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
for (const [name, setting] of Object.entries(SETTINGS)) {
  serveCommand.option(`--${kebab(name)} <value>`, `${setting.doc} (${setting.env})`);
}
serveCommand.action(async (opts: Record<string, string | boolean | undefined>) => {
  for (const [name, setting] of Object.entries(SETTINGS)) {
    const value = opts[name];
    if (typeof value === 'string') process.env[setting.env] = value;
  }
  if (opts.dev) process.env.HOOKD_ALLOW_PRIVATE_TARGETS = '1';
  if (typeof opts.scripts === 'string') process.env.HOOKD_SCRIPTS_DIR = opts.scripts;
  await serve();
});

program
  .command('migrate')
  .description('create or upgrade the database schema, then exit')
  .action(async () => {
    const { config, errors } = loadConfig(process.env);
    if (errors.length > 0) throw new CliError(errors.join('\n'), 2);
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

registerWebhookCommands(program);
registerEventCommands(program);
registerListenCommand(program);
registerRecoverCommand(program);
registerAppAccessCommands(program);
registerAuditCommand(program);
registerBackupCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`hookd: ${(e as Error).message}`);
  process.exit(e instanceof CliError ? e.exitCode : 1);
});
