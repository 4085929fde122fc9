/** Events in, on PostgreSQL: store the events and queue one delivery per Active subscriber, in the caller's transaction. */
import { randomUUID } from 'node:crypto';
import { subscriptionsFor } from '../../domain/event-names.js';
import type { EventRecord } from '../../domain/payload.js';
import { jsonOrNull } from '../rows.js';
import type { Client } from './pool.js';

/** The channel workers LISTEN on: a wake-up hint only; polling stays the truth. */
export const WORK_CHANNEL = 'hookd_work';

export async function signalEvents(client: Client, tenantId: number, events: EventRecord[], now: number): Promise<number> {
  if (events.length === 0) return 0;
  const subscribersByName = new Map<string, number[]>();
  for (const name of new Set(events.map((e) => e.name))) {
    const { rows } = await client.query<{ webhook_id: number }>(
      `SELECT DISTINCT we.webhook_id FROM webhook_events we JOIN webhooks w ON w.id = we.webhook_id
       WHERE we.tenant_id = $1 AND we.event = ANY($2) AND w.state = 1`,
      [tenantId, subscriptionsFor(name)],
    );
    subscribersByName.set(
      name,
      rows.map((r) => r.webhook_id),
    );
  }
  // Ids are taken first, so each event's deliveries can name it without relying on RETURNING order.
  const { rows: idRows } = await client.query<{ id: number }>(
    "SELECT nextval(pg_get_serial_sequence('events', 'id')) AS id FROM generate_series(1, $1)",
    [events.length],
  );
  const ids = idRows.map((r) => r.id);
  await client.query(
    `INSERT INTO events (id, tenant_id, name, body_event, entity, primary_key, timestamp, changes, changed_by, context_identifier, vals, field_values, created)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[], $13::bigint[])`,
    [
      ids,
      events.map(() => tenantId),
      events.map((e) => e.name),
      events.map((e) => e.bodyEvent),
      events.map((e) => e.entity),
      events.map((e) => e.primaryKey),
      events.map((e) => e.timestamp),
      events.map((e) => JSON.stringify(e.changes)),
      events.map((e) => e.changedByAssociateId),
      events.map((e) => e.contextIdentifier),
      events.map((e) => jsonOrNull(e.values)),
      events.map((e) => jsonOrNull(e.fieldValues)),
      events.map(() => now),
    ],
  );
  const webhookIds: number[] = [];
  const eventIds: number[] = [];
  events.forEach((e, i) => {
    for (const w of subscribersByName.get(e.name) ?? []) {
      webhookIds.push(w);
      eventIds.push(ids[i] as number);
    }
  });
  if (webhookIds.length > 0) {
    await client.query(
      `INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created)
       SELECT w, e, g, $4, $4 FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS t(w, e, g)`,
      [webhookIds, eventIds, webhookIds.map(() => randomUUID()), now],
    );
    await client.query(`NOTIFY ${WORK_CHANNEL}`);
  }
  return webhookIds.length;
}
