/** `hookd audit`: the tenant's audit log (issue 25), newest first, filtered by time, actor and webhook. */
import type { Command } from 'commander';
import { printJson, table } from '../output.js';
import { type ConnectionFlags, clientOf, withConnection } from './connection.js';

const COLUMNS = ['At', 'ActorKind', 'Actor', 'Application', 'Address', 'Action', 'WebhookId', 'Changed'];

interface AuditFlags extends ConnectionFlags {
  from?: string;
  to?: string;
  actor?: string;
  webhook?: string;
  top?: string;
  skip?: string;
}

export function registerAuditCommand(program: Command): void {
  withConnection(program.command('audit').description('who changed what, when and from where (never a secret); newest first'))
    .option('--from <date-time>', 'records at or after this UTC date-time, e.g. 2026-01-05T09:00:00Z')
    .option('--to <date-time>', 'records before this UTC date-time')
    .option('--actor <name>', "a user name, or an application's id as the log shows it")
    .option('--webhook <id>', "one webhook's records")
    .option('--top <n>', 'records at most (default 50, at most 500)')
    .option('--skip <n>', 'records to skip')
    .action(async (flags: AuditFlags) => {
      const query = new URLSearchParams();
      if (flags.from) query.set('From', flags.from);
      if (flags.to) query.set('To', flags.to);
      if (flags.actor) query.set('Actor', flags.actor);
      if (flags.webhook) query.set('WebhookId', flags.webhook);
      if (flags.top) query.set('$top', flags.top);
      if (flags.skip) query.set('$skip', flags.skip);
      const page = await clientOf(flags).call('GET', `/api/v1/Audit${query.size > 0 ? `?${query}` : ''}`);
      if (flags.json) return printJson(page);
      const rows = page.Items.map((r: any) => ({ ...r, Changed: (r.Changes?.Set ?? []).join(',') }));
      console.log(rows.length > 0 ? table(rows, COLUMNS) : 'no records');
      console.log(`${page.Items.length} of ${page.Total}`);
    });
}
