/**
 * Events and the deliveries queued from them, as rows (the same columns in SQLite and PostgreSQL) and back: the
 * event columns, the refill's rows (objects, or arrays in SQLite's raw mode), and which subscribers an event reaches.
 */
import { filterMatches } from '../domain/filter.js';
import type { EventRecord, PayloadTarget } from '../domain/payload.js';
import { StoredEvent } from '../domain/stored-event.js';
import type { QueuedItem } from './delivery-queue.js';

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export { jsonOrNull } from '../domain/stored-event.js';

/** An event's columns as EventRow reads them, from `events e` joined to a query. */
export const EVENT_COLUMNS =
  'e.name, e.body_event, e.entity, e.primary_key, e.timestamp, e.changes, e.changed_by, e.context_identifier, e.vals, e.field_values, e.trace_parent';

export interface EventRow {
  name: string;
  body_event: string;
  entity: string | null;
  primary_key: number;
  timestamp: string;
  changes: string;
  changed_by: number;
  context_identifier: string;
  vals: string | null;
  field_values: string | null;
  trace_parent: string | null;
}

export function toEvent(r: EventRow): EventRecord {
  return {
    name: r.name,
    bodyEvent: r.body_event,
    entity: r.entity,
    primaryKey: r.primary_key,
    timestamp: r.timestamp,
    changes: JSON.parse(r.changes) as string[],
    changedByAssociateId: r.changed_by,
    contextIdentifier: r.context_identifier,
    values: parseJson(r.vals),
    fieldValues: parseJson(r.field_values),
    traceParent: r.trace_parent,
  };
}

/**
 * Parameters for inserting an event row, in the column order of the insert statement; its JSON columns are the stored
 * event's. Written into `into` when given: a batch of thousands fills one array in turn.
 */
export function eventParams(tenantId: number, e: StoredEvent, now: number, into: unknown[] = new Array<unknown>(13)): unknown[] {
  into[0] = tenantId;
  into[1] = e.name;
  into[2] = e.bodyEvent;
  into[3] = e.entity;
  into[4] = e.primaryKey;
  into[5] = e.timestamp;
  into[6] = e.changesJson;
  into[7] = e.changedByAssociateId;
  into[8] = e.contextIdentifier;
  into[9] = e.valuesJson;
  into[10] = e.fieldValuesJson;
  into[11] = e.traceParent;
  into[12] = now;
  return into;
}

/** The delivery's six columns that start a refill row of either store. */
export type QueuedDelivery = [id: number, webhookId: number, eventGuid: string, cycleAttempt: number, attempts: number, dueAt: number];

/** A window item: a refill row's delivery columns and its event. */
export function queuedItem(r: readonly [...QueuedDelivery, ...unknown[]], event: StoredEvent): QueuedItem {
  return { deliveryId: r[0], webhookId: r[1], eventGuid: r[2], cycleAttempt: r[3], attempts: r[4], dueAt: r[5], event };
}

/**
 * PostgreSQL's refill row as an array: the delivery's six columns, then EVENT_COLUMNS (the last, trace_parent: migration
 * 012), the JSON columns as their text; its exchange builds it with json_build_array (no keys to write). SQLite's refill
 * reads the payload's text instead (store/sqlite/queue.ts).
 */
export type QueuedRow = [
  ...QueuedDelivery,
  name: string,
  bodyEvent: string,
  entity: string | null,
  primaryKey: number,
  timestamp: string,
  changes: string,
  changedBy: number,
  contextIdentifier: string,
  vals: string | null,
  fieldValues: string | null,
  traceParent: string | null,
];

/** A window item from PostgreSQL's refill row; its JSON columns stay text until something other than the payload asks. */
export function toQueuedItem(r: QueuedRow): QueuedItem {
  return queuedItem(r, StoredEvent.fromColumns(r[6], r[7], r[8], r[9], r[10], r[12], r[13], r[16], r[11], r[14], r[15]));
}

/** An Active webhook subscribed to an event's name, with what its payload filter needs. */
export interface SubscriberRow {
  id: number | string;
  filter: string | null;
  name: string;
  properties: string | null;
}
export interface Subscriber {
  id: number;
  filter: string | null;
  target: PayloadTarget;
}

export function toSubscriber(r: SubscriberRow): Subscriber {
  // The payload target is parsed only for a filtered webhook: most have none.
  return { id: Number(r.id), filter: r.filter, target: { name: r.name, properties: r.filter === null ? null : parseJson(r.properties) } };
}

/** Whether a signalled event is queued for this subscriber: its filter, if any, matches the payload. */
export function reaches(s: Subscriber, event: EventRecord): boolean {
  return s.filter === null || filterMatches(s.filter, event, s.target);
}
