/** `hookd app list|grant|revoke`: the administrator's grants of the Webhook agent ("Online Restricted", HOOKD_APP_ACCESS). */
import type { Command } from 'commander';
import { printJson, table } from '../output.js';
import { type ConnectionFlags, clientOf, withConnection } from './connection.js';

const COLUMNS = ['AppTokenHash', 'Name', 'Granted', 'GrantedBy'];

export function registerAppAccessCommands(program: Command): void {
  const app = program
    .command('app')
    .description("applications' access to the Webhook routes (Online Restricted: HOOKD_APP_ACCESS=restricted)");

  withConnection(app.command('list').description('the mode and the granted applications')).action(async (flags: ConnectionFlags) => {
    const access = await clientOf(flags).call('GET', '/api/v1/AppAccess');
    if (flags.json) return printJson(access);
    console.log(`mode: ${access.Mode}`);
    console.log(access.Grants.length > 0 ? table(access.Grants, COLUMNS) : 'no application is granted');
  });

  withConnection(app.command('grant <appToken>').description('let the application sending this SO-AppToken use the Webhook routes'))
    .option('--name <name>', 'a name to know the application by')
    .action(async (appToken: string, flags: ConnectionFlags & { name?: string }) => {
      const grant = await clientOf(flags).call('POST', '/api/v1/AppAccess', { AppToken: appToken, Name: flags.name ?? null });
      if (flags.json) printJson(grant);
      else console.log(`granted ${grant.Name || 'the application'} (${grant.AppTokenHash})`);
    });

  withConnection(
    app.command('revoke <appTokenHash>').description('take a grant back (the AppTokenHash that `hookd app list` shows)'),
  ).action(async (hash: string, flags: ConnectionFlags) => {
    await clientOf(flags).call('DELETE', `/api/v1/AppAccess/${encodeURIComponent(hash)}`);
    if (!flags.json) console.log(`revoked ${hash}`);
  });
}
