/** Events in: store each event and queue one delivery per Active subscriber, inside the caller's transaction. */
import { randomUUID } from 'node:crypto';
import { subscriptionsFor } from '../../domain/event-names.js';
import type { EventRecord } from '../../domain/payload.js';
import { StoredEvent } from '../../domain/stored-event.js';
import { type Db, q } from './database.js';
import { eventParams, reaches, type Subscriber, type SubscriberRow, toSubscriber } from '../event-rows.js';
import type { QueuedItem } from '../delivery-queue.js';
import type { SignalGroup } from '../store.js';

/**
 * Must run inside a transaction. Returns the number of deliveries queued; with `fresh`, each one is also pushed
 * there as the owner would read it back (handed to the worker once the caller's transaction commits).
 */
export function signalEvents(db: Db, tenantId: number, events: EventRecord[], now: number, fresh?: QueuedItem[]): number {
  const insertEvent = q(
    db,
    `INSERT INTO events (tenant_id, name, body_event, entity, primary_key, timestamp, changes, changed_by, context_identifier, vals, field_values, trace_parent, created)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Takes the tenant and the three names that receive an event; returns the Active subscribers (and what a filter needs).
  const subscribersOf = q(
    db,
    `SELECT DISTINCT we.webhook_id AS id, w.filter, w.name, w.properties FROM webhook_events we JOIN webhooks w ON w.id = we.webhook_id
     WHERE we.tenant_id = ? AND we.event IN (?, ?, ?) AND w.state = 1`,
  );
  const insertDelivery = q(db, 'INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created) VALUES (?, ?, ?, ?, ?)');
  const subscribersByName = new Map<string, Subscriber[]>();
  let queued = 0;
  for (const e of events) {
    let subscribers = subscribersByName.get(e.name);
    if (!subscribers) {
      subscribers = (subscribersOf.all(tenantId, ...subscriptionsFor(e.name)) as SubscriberRow[]).map(toSubscriber);
      subscribersByName.set(e.name, subscribers);
    }
    // Stored once: its JSON text is both the row's columns and, for every delivery it fans out to, the payload's part.
    const stored = StoredEvent.of(e);
    const eventId = insertEvent.run(...eventParams(tenantId, stored, now)).lastInsertRowid;
    for (const s of subscribers) {
      if (!reaches(s, e)) continue;
      const eventGuid = randomUUID();
      const { lastInsertRowid } = insertDelivery.run(s.id, eventId, eventGuid, now, now);
      fresh?.push({
        deliveryId: Number(lastInsertRowid),
        webhookId: s.id,
        eventGuid,
        cycleAttempt: 0,
        attempts: 0,
        dueAt: now,
        event: stored,
      });
      queued++;
    }
  }
  return queued;
}

/** Several callers' events in the caller's one transaction (group-committed ingestion); returns each group's queued count. */
export function signalGroups(db: Db, groups: SignalGroup[], now: number, fresh?: QueuedItem[]): number[] {
  return groups.map((g) => signalEvents(db, g.tenantId, g.events, now, fresh));
}
