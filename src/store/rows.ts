/** Database rows (the same columns in SQLite and PostgreSQL) to domain objects and back. */
import { type Associate, ORDERINGS, stateFromValue, stateValue, type Webhook, type WebhookInput } from '../domain/webhook.js';
import type { Notice } from '../domain/notices.js';
import type { OAuth2Client, ReceiverAuth } from '../domain/receiver-auth.js';
import type { OwnedWebhookRow, SettledAttempt } from './delivery-queue.js';
import { type EventRow, jsonOrNull, parseJson, toEvent } from './event-rows.js';
import type { AttemptView, DeliveryView, QueueHead } from '../domain/delivery-view.js';
import type { Credential, CredentialKind } from '../domain/credential.js';
import type { Notification } from '../domain/notification.js';

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
  error_emails: string;
  error_associates: string;
  description: string;
  notify_via: number;
  notify_when: number;
  max_per_second: number | null;
  ordering: number;
  filter: string | null;
  previous_secret: string | null;
  previous_secret_until: number | string | null;
  secret_confirmed: number;
  client_certificate: string | null;
  client_key: string | null;
  ca_certificates: string | null;
  oauth2: string | null;
  oauth2_secret: string | null;
  basic_user: string | null;
  basic_password: string | null;
  send_trace_context: number;
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
    errorEmails: JSON.parse(r.error_emails) as string[],
    errorAssociateIds: JSON.parse(r.error_associates) as number[],
    description: r.description,
    notifyVia: r.notify_via,
    notifyWhen: r.notify_when,
    maxPerSecond: r.max_per_second,
    ordering: ORDERINGS[r.ordering] ?? 'None',
    filter: parseJson(r.filter),
    previousSecret: r.previous_secret,
    previousSecretUntil: r.previous_secret_until === null ? null : Number(r.previous_secret_until),
    secretConfirmed: r.secret_confirmed === 1,
    receiverAuth: toReceiverAuth(r),
    sendTraceContext: r.send_trace_context === 1,
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

/** The receiver-auth columns (migration 010) as ReceiverAuth; null when none is set, as on most webhooks. */
export function toReceiverAuth(r: WebhookRow): ReceiverAuth | null {
  if (r.client_certificate === null && r.ca_certificates === null && r.oauth2 === null && r.basic_user === null) return null;
  const oauth2 = parseJson<Omit<OAuth2Client, 'clientSecret'>>(r.oauth2);
  return {
    clientCertificate:
      r.client_certificate !== null && r.client_key !== null ? { certPem: r.client_certificate, keyPem: r.client_key } : null,
    caCertificates: r.ca_certificates,
    oauth2: oauth2 && r.oauth2_secret !== null ? { ...oauth2, clientSecret: r.oauth2_secret } : null,
    basic: r.basic_user !== null && r.basic_password !== null ? { user: r.basic_user, password: r.basic_password } : null,
  };
}

/** ReceiverAuth as its columns, in INPUT_COLUMN_NAMES order (the OAuth2 client secret in its own column, to be sealed). */
function receiverAuthColumns(a: ReceiverAuth | null): Array<string | null> {
  const o = a?.oauth2 ?? null;
  return [
    a?.clientCertificate?.certPem ?? null,
    a?.clientCertificate?.keyPem ?? null,
    a?.caCertificates ?? null,
    o && JSON.stringify({ tokenUrl: o.tokenUrl, clientId: o.clientId, scope: o.scope, audience: o.audience, method: o.method }),
    o?.clientSecret ?? null,
    a?.basic?.user ?? null,
    a?.basic?.password ?? null,
  ];
}

/** The columns that hold secrets (sealed at rest when HOOKD_ENCRYPTION_KEY is set): the stores reseal each on rotation. */
export const SECRET_COLUMNS = ['secret', 'previous_secret', 'client_key', 'oauth2_secret', 'basic_password'] as const;

export interface AssociateRow {
  id: number;
  tenant_id: number;
  name: string;
  user_name: string;
  is_admin: number | boolean;
  email: string | null;
}

/** The associates-table columns of an Associate, the same in both dialects. */
export const ASSOCIATE_COLUMNS = 'id, tenant_id, name, user_name, is_admin, email';

export function toAssociate(r: AssociateRow): Associate {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    userName: r.user_name,
    isAdmin: r.is_admin === 1 || r.is_admin === true,
    email: r.email,
  };
}

export interface QueueHeadRow {
  id: number | string;
  event_guid: string;
  attempts: number;
}

export function toQueueHead(r: QueueHeadRow): QueueHead {
  return { deliveryId: Number(r.id), eventGuid: r.event_guid, attempts: r.attempts };
}

/** An owned webhook's row, reduced to what its owner needs; `version` changes with every API write. */
export function toOwnedWebhook(r: WebhookRow): OwnedWebhookRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: r.name,
    type: r.type,
    targetUrl: r.target_url,
    secret: r.secret,
    headers: parseJson(r.headers),
    properties: parseJson(r.properties),
    previousSecret: r.previous_secret,
    previousSecretUntil: r.previous_secret_until === null ? null : Number(r.previous_secret_until),
    secretConfirmed: r.secret_confirmed === 1,
    receiverAuth: toReceiverAuth(r),
    sendTraceContext: r.send_trace_context === 1,
    state: stateFromValue(r.state),
    consecutiveErrors: r.consecutive_errors,
    maxPerSecond: r.max_per_second,
    strict: r.ordering === 1,
    version: webhookVersion(r.updated, r.updated_count),
  };
}

export function webhookVersion(updated: number, updatedCount: number): string {
  return `${updated}:${updatedCount}`;
}

/** The notifications-table columns a notice writes, and their values in that order. */
export const NOTIFICATION_COLUMNS = '(tenant_id, webhook_id, channel, associate_id, reason, recipient, subject, body, created)';

export function notificationParams(webhook: { id: number; tenantId: number }, n: Notice, now: number): unknown[] {
  return [webhook.tenantId, webhook.id, n.channel, n.associateId, n.reason, n.recipient, n.subject, n.body, now];
}

/** The attempts-table columns of a settled attempt, in insert order (delivery_id … error, stage). */
export function attemptParams(a: SettledAttempt): unknown[] {
  const o = a.outcome;
  return [
    a.deliveryId,
    a.webhookId,
    a.eventGuid,
    a.retry,
    a.startedAt,
    a.durationMs,
    o.status,
    o.kind,
    o.kind === 'success' ? null : o.error,
    o.kind === 'success' ? null : o.stage,
  ];
}

export interface DeliveryRow extends EventRow {
  id: number;
  webhook_id: number;
  event_guid: string;
  status: number;
  created: number;
  finished: number | null;
  due_at: number;
}

export interface AttemptRow {
  id: number;
  delivery_id: number;
  event_guid: string;
  retry: number;
  started: number;
  duration_ms: number;
  status_code: number | null;
  outcome: AttemptView['outcome'];
  stage: string | null;
  error: string | null;
}

/** The delivery log: deliveries (newest first) with their attempts (in order). */
export function toDeliveryViews(rows: DeliveryRow[], attempts: AttemptRow[]): DeliveryView[] {
  return rows.map((r) => ({
    deliveryId: r.id,
    webhookId: r.webhook_id,
    event: r.name,
    primaryKey: r.primary_key,
    record: toEvent(r),
    eventGuid: r.event_guid,
    status: r.status === 1 ? 'delivered' : 'queued',
    created: r.created,
    finished: r.finished,
    dueAt: r.status === 1 ? null : r.due_at,
    attempts: attempts
      .filter((a) => a.delivery_id === r.id)
      .map((a) => ({
        attemptId: a.id,
        eventGuid: a.event_guid,
        retry: a.retry,
        started: a.started,
        durationMs: a.duration_ms,
        statusCode: a.status_code,
        outcome: a.outcome,
        stage: a.stage as AttemptView['stage'],
        error: a.error,
      })),
  }));
}

export interface NotificationRow {
  id: number;
  tenant_id: number;
  webhook_id: number;
  recipient: string;
  subject: string;
  body: string;
  created: number;
  sent: number | null;
  channel: string;
  associate_id: number | null;
  reason: string;
}

export function toNotification(r: NotificationRow): Notification {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    webhookId: r.webhook_id,
    channel: r.channel === 'inapp' ? 'inapp' : 'email',
    associateId: r.associate_id === null ? null : Number(r.associate_id),
    reason: r.reason === 'FirstFailure' ? 'FirstFailure' : 'Disabling',
    recipient: r.recipient,
    subject: r.subject,
    body: r.body,
    created: r.created,
    sent: r.sent,
  };
}

export interface CredentialRow {
  id: number;
  kind: CredentialKind;
  associate_id: number;
  tenant_id: number;
  name: string | null;
  created: number;
  expires: number | null;
}

export function toCredential(r: CredentialRow): Credential {
  return {
    id: r.id,
    kind: r.kind,
    associateId: r.associate_id,
    tenantId: r.tenant_id,
    name: r.name,
    created: r.created,
    expires: r.expires,
  };
}

/** The same SELECT in both dialects; callers add the WHERE clause. */
export const CREDENTIAL_SELECT =
  'SELECT c.id, c.kind, c.associate_id, a.tenant_id, c.name, c.created, c.expires FROM credentials c JOIN associates a ON a.id = c.associate_id';

/** The columns a client sets, in the order of inputColumns(). */
export const INPUT_COLUMN_NAMES = [
  'name',
  'events',
  'target_url',
  'type',
  'headers',
  'properties',
  'secret',
  'state',
  'errors_email',
  'error_emails',
  'error_associates',
  'description',
  'notify_via',
  'notify_when',
  'max_per_second',
  'ordering',
  'filter',
  'client_certificate',
  'client_key',
  'ca_certificates',
  'oauth2',
  'oauth2_secret',
  'basic_user',
  'basic_password',
  'send_trace_context',
] as const;
export const INPUT_COLUMNS = INPUT_COLUMN_NAMES.join(', ');

/** `name = ?, events = ?, …` (SQLite) or `name = $1, …` (PostgreSQL, numbered from `first`). */
export function inputAssignments(placeholder: (i: number) => string): string {
  return INPUT_COLUMN_NAMES.map((c, i) => `${c} = ${placeholder(i)}`).join(', ');
}

export function inputColumns(i: WebhookInput): Array<string | number | null> {
  return [
    i.name,
    i.events.join(','),
    i.targetUrl,
    i.type,
    jsonOrNull(i.headers),
    jsonOrNull(i.properties),
    i.secret,
    stateValue(i.state),
    i.errorsEmail,
    JSON.stringify(i.errorEmails),
    JSON.stringify(i.errorAssociateIds),
    i.description,
    i.notifyVia,
    i.notifyWhen,
    i.maxPerSecond,
    ORDERINGS.indexOf(i.ordering),
    jsonOrNull(i.filter),
    ...receiverAuthColumns(i.receiverAuth),
    i.sendTraceContext ? 1 : 0,
  ];
}
