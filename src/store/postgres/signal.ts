/** Events in, on PostgreSQL: store the events and queue one delivery per Active subscriber, in the caller's transaction. */
import { randomUUID } from 'node:crypto';
import { subscriptionsFor } from '../../domain/event-names.js';
import type { EventRecord } from '../../domain/payload.js';
import { jsonOrNull, reaches, type Subscriber, type SubscriberRow, toSubscriber } from '../event-rows.js';
import type { SignalGroup } from '../store.js';
import type { Client } from './database.js';

/** The channel workers LISTEN on: a wake-up hint only; polling stays the truth. */
export const WORK_CHANNEL = 'hookd_work';

export async function signalEvents(client: Client, tenantId: number, events: EventRecord[], now: number): Promise<number> {
  const [queued] = await signalGroups(client, [{ tenantId, events }], now);
  return queued ?? 0;
}

/**
 * Stores every group's events and their deliveries in four statements however many groups there are; returns each
 * group's queued count. The statements are named: each connection parses them once (issue 22: with the exchange's,
 * PostgreSQL's CPU per delivery fell from 72 to 53 µs).
 */
export async function signalGroups(client: Client, groups: SignalGroup[], now: number): Promise<number[]> {
  const events = groups.flatMap((g) => g.events.map((e) => ({ tenantId: g.tenantId, e })));
  const queued = groups.map(() => 0);
  if (events.length === 0) return queued;
  const subscribersOf = new Map<string, Subscriber[]>();
  for (const key of new Set(events.map(({ tenantId, e }) => `${tenantId} ${e.name}`))) {
    const [tenantId, name] = [Number(key.slice(0, key.indexOf(' '))), key.slice(key.indexOf(' ') + 1)];
    const { rows } = await client.query<SubscriberRow>({
      name: 'hookd_subscribers',
      text: `SELECT DISTINCT we.webhook_id AS id, w.filter, w.name, w.properties FROM webhook_events we JOIN webhooks w ON w.id = we.webhook_id
       WHERE we.tenant_id = $1 AND we.event = ANY($2) AND w.state = 1`,
      values: [tenantId, subscriptionsFor(name)],
    });
    subscribersOf.set(key, rows.map(toSubscriber));
  }
  // Ids are taken first, so each event's deliveries can name it without relying on RETURNING order.
  const { rows: idRows } = await client.query<{ id: number }>({
    name: 'hookd_event_ids',
    text: "SELECT nextval(pg_get_serial_sequence('events', 'id')) AS id FROM generate_series(1, $1)",
    values: [events.length],
  });
  const ids = idRows.map((r) => r.id);
  await client.query({
    name: 'hookd_insert_events',
    text: `INSERT INTO events (id, tenant_id, name, body_event, entity, primary_key, timestamp, changes, changed_by, context_identifier, vals, field_values, trace_parent, created)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[])`,
    values: [
      ids,
      events.map((x) => x.tenantId),
      events.map((x) => x.e.name),
      events.map((x) => x.e.bodyEvent),
      events.map((x) => x.e.entity),
      events.map((x) => x.e.primaryKey),
      events.map((x) => x.e.timestamp),
      events.map((x) => JSON.stringify(x.e.changes)),
      events.map((x) => x.e.changedByAssociateId),
      events.map((x) => x.e.contextIdentifier),
      events.map((x) => jsonOrNull(x.e.values)),
      events.map((x) => jsonOrNull(x.e.fieldValues)),
      events.map((x) => x.e.traceParent ?? null),
      events.map(() => now),
    ],
  });
  const webhookIds: number[] = [];
  const eventIds: number[] = [];
  let i = 0;
  groups.forEach((g, gi) => {
    for (const e of g.events) {
      for (const s of subscribersOf.get(`${g.tenantId} ${e.name}`) ?? []) {
        if (!reaches(s, e)) continue;
        webhookIds.push(s.id);
        eventIds.push(ids[i] as number);
        queued[gi]!++;
      }
      i++;
    }
  });
  if (webhookIds.length > 0) {
    await client.query({
      name: 'hookd_insert_deliveries',
      text: `INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created)
       SELECT w, e, g, $4, $4 FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS t(w, e, g)`,
      values: [webhookIds, eventIds, webhookIds.map(() => randomUUID()), now],
    });
    await client.query(`NOTIFY ${WORK_CHANNEL}`);
  }
  return queued;
}
