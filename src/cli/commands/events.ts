/** `hookd signal`, `hookd trigger`, `hookd deliveries`, `hookd retry`. */
import type { Command } from 'commander';
import { CATALOGUE_EVENTS, sampleData } from '../../domain/event-catalogue.js';
import { CliError } from '../client.js';
import { printJson, progress, table } from '../output.js';
import { type ConnectionFlags, clientOf, idArg, withConnection } from './connection.js';

async function signal(flags: ConnectionFlags, event: string, primaryKey: number, data: unknown): Promise<void> {
  const client = clientOf(flags);
  await client.call('POST', `/api/v1/Webhook/${encodeURIComponent(event)}/${primaryKey}`, data);
  const queued = Number(client.lastHeaders.get('x-hookd-deliveries') ?? 0);
  if (flags.json) printJson({ Event: event, PrimaryKey: primaryKey, Deliveries: queued });
  else console.log(`signalled ${event} ${primaryKey}: ${queued} deliveries queued`);
}

export function registerEventCommands(program: Command): void {
  withConnection(program.command('signal <event> <primaryKey>').description('fire an event (SignalEvent)'))
    .option('--data <json>', 'the event data: Changes, FieldValues, Values, …', '{}')
    .action(async (event: string, primaryKey: string, flags: ConnectionFlags & { data: string }) => {
      let data: unknown;
      try {
        data = JSON.parse(flags.data);
      } catch (e) {
        throw new Error(`--data is not JSON: ${(e as Error).message}`);
      }
      await signal(flags, event, idArg(primaryKey, 'primaryKey'), data);
    });

  withConnection(program.command('trigger <event>').description("fire a realistic sample of a catalogue event, e.g. 'contact.changed'"))
    .option('--primary-key <n>', 'the PrimaryKey to send', '18')
    .action(async (event: string, flags: ConnectionFlags & { primaryKey: string }) => {
      const primaryKey = idArg(flags.primaryKey, '--primary-key');
      const data = sampleData(event, primaryKey);
      if (!data) throw new Error(`no sample for '${event}': it is not an event of the catalogue (${CATALOGUE_EVENTS.join(', ')})`);
      await signal(flags, event, primaryKey, data);
    });

  withConnection(program.command('deliveries <webhookId>').description('the delivery log of a webhook'))
    .option('--top <n>', 'how many deliveries', '20')
    .option('--follow', 'keep watching and print new attempts as they happen')
    .action(async (webhookId: string, flags: ConnectionFlags & { top: string; follow?: boolean }) => {
      const client = clientOf(flags);
      const id = idArg(webhookId, 'webhookId');
      const seen = new Set<number>();
      const rows = (page: any) =>
        page.Items.flatMap((d: any) =>
          d.Attempts.map((a: any) => ({ ...a, DeliveryId: d.DeliveryId, Event: d.Event, PrimaryKey: d.PrimaryKey, Status: d.Status })),
        );
      const columns = ['DeliveryId', 'Event', 'PrimaryKey', 'Status', 'Retry', 'Started', 'StatusCode', 'Outcome', 'DurationMs', 'Error'];
      const page = await client.call('GET', `/api/v1/Webhook/${id}/Deliveries?$top=${idArg(flags.top, '--top')}`);
      if (flags.json && !flags.follow) return printJson(page);
      const first = rows(page);
      for (const r of first) seen.add(r.AttemptId);
      console.log(table(first, columns));
      while (flags.follow) {
        await new Promise((r) => setTimeout(r, 1000));
        const next = rows(await client.call('GET', `/api/v1/Webhook/${id}/Deliveries?$top=100`)).filter((r: any) => !seen.has(r.AttemptId));
        for (const r of next.reverse()) {
          seen.add(r.AttemptId);
          console.log(flags.json ? JSON.stringify(r) : columns.map((c) => String(r[c] ?? '')).join('  '));
        }
      }
    });

  withConnection(
    program.command('retry <webhookId> <deliveryIds>').description("send deliveries again: one id, or a range such as '100-250'"),
  ).action(async (webhookId: string, deliveryIds: string, flags: ConnectionFlags) => {
    const client = clientOf(flags);
    const webhook = idArg(webhookId, 'webhookId');
    const range = /^(\d{1,15})-(\d{1,15})$/.exec(deliveryIds);
    const [from, to] = range ? [Number(range[1]), Number(range[2])] : [idArg(deliveryIds, 'deliveryId'), idArg(deliveryIds, 'deliveryId')];
    if (to < from) throw new Error(`the range ${deliveryIds} is empty`);
    // Resolve the range to this webhook's deliveries first: each retry of a delivered one adds a copy with a
    // new id, which must not be retried in turn.
    const ids: number[] = [];
    for (let skip = 0; ; skip += 1000) {
      const page = await client.call('GET', `/api/v1/Webhook/${webhook}/Deliveries?$top=1000&$skip=${skip}`);
      for (const d of page.Items as Array<{ DeliveryId: number }>) if (d.DeliveryId >= from && d.DeliveryId <= to) ids.push(d.DeliveryId);
      const oldest = page.Items.at(-1)?.DeliveryId;
      if (page.Items.length < 1000 || oldest < from) break;
    }
    ids.sort((x, y) => x - y);
    if (to === from && ids.length === 0) throw new CliError(`webhook ${webhook} has no delivery ${from}`);
    for (const [i, id] of ids.entries()) {
      if (to > from) progress('retry', i, ids.length);
      await client.call('POST', `/api/v1/Webhook/${webhook}/Deliveries/${id}/Retry`);
    }
    if (to > from) progress('retry', ids.length, ids.length);
    const queued = ids.length;
    const missing = to - from + 1 - ids.length;
    if (flags.json) printJson({ Queued: queued, NotFound: missing });
    else if (to === from) console.log(`delivery ${from} queued again`);
    else console.log(`${queued} deliveries queued again${missing ? ` (${missing} ids in the range are not this webhook's)` : ''}`);
  });
}
