/**
 * The WebhookPayload body, byte for byte (webhook-notification.md, decisions.md "Delivery"): field order
 * EventId, Timestamp, Changes, Event, PrimaryKey, Entity, ContextIdentifier, ChangedByAssociateId,
 * WebhookName, then Values / FieldValues when present, then the webhook's Properties.
 */
import { StoredEvent } from './stored-event.js';

/** An event as stored when it was signalled; one per signal, shared by every delivery it fans out to. */
export interface EventRecord {
  /** The name subscribers match and `X-SuperOffice-Event` carries (`webhook12.started`). */
  name: string;
  /** The body's `Event` (`webhook.started` for state events, else the name). */
  bodyEvent: string;
  /** Null for state events, which carry no Entity. */
  entity: string | null;
  primaryKey: number;
  /** `Timestamp`, already formatted with 7 fractional digits. */
  timestamp: string;
  changes: string[];
  changedByAssociateId: number;
  contextIdentifier: string;
  values: Record<string, unknown> | null;
  fieldValues: Record<string, unknown> | null;
  /** The W3C traceparent stored with the event (domain/trace-context.ts); null or absent: none. Never in the payload. */
  traceParent?: string | null;
}

export interface PayloadTarget {
  name: string;
  properties: Record<string, unknown> | null;
}

/** The object in wire order; JSON.stringify keeps insertion order. */
export function payloadObject(event: EventRecord, eventId: string, webhook: PayloadTarget): Record<string, unknown> {
  return payloadFields(event, eventId, webhook);
}

/**
 * The payload object, or with `eventId` null what a filter sees: the same without EventId (not deleted afterwards,
 * which left an object V8 reads slowly, for every event a filter checks), and a Properties key EventId still left out.
 */
export function payloadFields(event: EventRecord, eventId: string | null, webhook: PayloadTarget): Record<string, unknown> {
  const body: Record<string, unknown> =
    eventId === null
      ? { Timestamp: event.timestamp, Changes: event.changes, Event: event.bodyEvent, PrimaryKey: event.primaryKey }
      : { EventId: eventId, Timestamp: event.timestamp, Changes: event.changes, Event: event.bodyEvent, PrimaryKey: event.primaryKey };
  if (event.entity !== null) body.Entity = event.entity;
  body.ContextIdentifier = event.contextIdentifier;
  body.ChangedByAssociateId = event.changedByAssociateId;
  body.WebhookName = webhook.name;
  if (event.values !== null) body.Values = event.values;
  if (event.fieldValues !== null) body.FieldValues = event.fieldValues;
  if (webhook.properties) {
    for (const [key, value] of Object.entries(webhook.properties)) if (key !== 'EventId' && !Object.hasOwn(body, key)) body[key] = value;
  }
  return body;
}

/** The exact body bytes that are signed and sent. */
export function payloadBody(event: EventRecord, eventId: string, webhook: PayloadTarget): string {
  // A stored event splices its JSON text (stored-event.ts); Properties, rare, take the object path.
  if (event instanceof StoredEvent && noProperties(webhook.properties)) return event.body(eventId, webhook.name);
  return JSON.stringify(payloadObject(event, eventId, webhook));
}

function noProperties(properties: Record<string, unknown> | null): boolean {
  if (properties === null) return true;
  for (const _ in properties) return false;
  return true;
}
