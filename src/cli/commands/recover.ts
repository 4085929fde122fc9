/** `hookd recover`: send an outage's deliveries again, as a background job on the server, with a progress bar. */
import type { Command } from 'commander';
import { setTimeout as sleep } from 'node:timers/promises';
import { printJson, progress } from '../output.js';
import { type ConnectionFlags, clientOf, idArg, withConnection } from './connection.js';

interface RecoverFlags extends ConnectionFlags {
  since: string;
  until?: string;
  status?: string;
  events?: string;
  dryRun?: boolean;
}

export function registerRecoverCommand(program: Command): void {
  withConnection(
    program
      .command('recover <webhookId>')
      .description("send a stretch of a webhook's deliveries again ('all': every webhook of the tenant), e.g. after its receiver was down"),
  )
    .requiredOption('--since <when>', "start of the stretch: a date-time, or a span before now such as '2h'")
    .option('--until <when>', 'end of the stretch (default: now)')
    .option('--status <status>', "'failed' (delivered only after failed attempts; default) or 'all'")
    .option('--events <list>', 'only these event names, comma separated')
    .option('--dry-run', 'only count what would be sent')
    .action(async (webhookId: string, flags: RecoverFlags) => {
      const client = clientOf(flags);
      const path = webhookId === 'all' ? '/api/v1/Webhook/Recover' : `/api/v1/Webhook/${idArg(webhookId, 'webhookId')}/Recover`;
      const body = {
        Since: flags.since,
        ...(flags.until ? { Until: flags.until } : {}),
        ...(flags.status ? { Status: flags.status } : {}),
        ...(flags.events ? { Events: flags.events.split(',').map((e) => e.trim()) } : {}),
      };
      if (flags.dryRun) {
        const count = await client.call('POST', `${path}?DryRun=true`, body);
        if (flags.json) printJson(count);
        else console.log(`${count.Count} deliveries would be sent again`);
        return;
      }
      let job = await client.call('POST', path, body);
      while (job.State !== 'Done' && job.State !== 'Failed') {
        progress(`recover job ${job.JobId}`, job.Done, job.Total);
        await sleep(500);
        job = await client.call('GET', `/api/v1/Jobs/${job.JobId}`);
      }
      progress(`recover job ${job.JobId}`, job.Total, job.Total);
      if (flags.json) printJson(job);
      else console.log(`recover job ${job.JobId}: ${job.State}, ${job.Done} of ${job.Total} deliveries sent again`);
    });
}
