/** Database rows (the same columns in SQLite and PostgreSQL) to domain objects and back. */
import type { EventRecord } from '../domain/payload.js';
import { type Associate, stateFromValue, type Webhook } from '../domain/webhook.js';

export interface WebhookRow {
  id: number;
  tenant_id: number;
  name: string;
  events: string;
  target_url: string;
  type: string;
  application_token: string | null;
  headers: string | null;
  properties: string | null;
  secret: string | null;
  state: number;
  errors_email: string | null;
  total_calls: number;
  total_errors: number;
  consecutive_errors: number;
  last_error: string | null;
  registered: number;
  registered_associate_id: number;
  updated: number;
  updated_associate_id: number;
  updated_count: number;
}

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function toWebhook(r: WebhookRow): Webhook {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    events: r.events === '' ? [] : r.events.split(','),
    targetUrl: r.target_url,
    type: r.type,
    applicationToken: r.application_token,
    headers: parseJson(r.headers),
    properties: parseJson(r.properties),
    secret: r.secret,
    state: stateFromValue(r.state),
    errorsEmail: r.errors_email,
    totalCalls: r.total_calls,
    totalErrors: r.total_errors,
    consecutiveErrors: r.consecutive_errors,
    lastError: r.last_error,
    registered: r.registered,
    registeredAssociateId: r.registered_associate_id,
    updated: r.updated,
    updatedAssociateId: r.updated_associate_id,
    updatedCount: r.updated_count,
  };
}

export interface AssociateRow {
  id: number;
  tenant_id: number;
  name: string;
  user_name: string;
  is_admin: number;
}

export function toAssociate(r: AssociateRow): Associate {
  return { id: r.id, tenantId: r.tenant_id, name: r.name, userName: r.user_name, isAdmin: r.is_admin === 1 };
}

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
  };
}

/** Parameters for inserting an event row, in the column order of the insert statement. */
export function eventParams(tenantId: number, e: EventRecord, now: number): unknown[] {
  return [
    tenantId,
    e.name,
    e.bodyEvent,
    e.entity,
    e.primaryKey,
    e.timestamp,
    JSON.stringify(e.changes),
    e.changedByAssociateId,
    e.contextIdentifier,
    jsonOrNull(e.values),
    jsonOrNull(e.fieldValues),
    now,
  ];
}
