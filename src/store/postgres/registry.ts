/** The Webhook table on PostgreSQL (accounts.ts: tenants, associates, credentials). */
import { subscriptionsFor } from '../../domain/event-names.js';
import { type Webhook, type WebhookInput, stateValue } from '../../domain/webhook.js';
import { type WebhookRow, INPUT_COLUMN_NAMES, INPUT_COLUMNS, inputAssignments, inputColumns, toWebhook } from '../rows.js';
import type { AuditStamp, SecretRotation, WebhookFilter, WebhookUpdate } from '../store.js';
import type { Client } from './pool.js';
import { signalEvents } from './signal.js';

/** Placeholders the input columns take ($1…$N of an UPDATE; $2…$N+1 of an INSERT after tenant_id). */
const N = INPUT_COLUMN_NAMES.length;
const AFTER_INPUT = N + 1;

export async function getWebhook(c: Client, tenantId: number, id: number, lock = false): Promise<Webhook | null> {
  const { rows } = await c.query<WebhookRow>(`SELECT * FROM webhooks WHERE id = $1 AND tenant_id = $2${lock ? ' FOR UPDATE' : ''}`, [
    id,
    tenantId,
  ]);
  return rows[0] ? toWebhook(rows[0]) : null;
}

export async function listWebhooks(c: Client, tenantId: number, f: WebhookFilter): Promise<Webhook[]> {
  const where = ['w.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.name) add('w.name = ?', f.name);
  if (f.state && f.state !== 'Unknown') add('w.state = ?', stateValue(f.state));
  if (f.applicationToken) add('w.application_token = ?', f.applicationToken);
  if (f.event) add('EXISTS (SELECT 1 FROM webhook_events we WHERE we.webhook_id = w.id AND we.event = ANY(?))', subscriptionsFor(f.event));
  const { rows } = await c.query<WebhookRow>(`SELECT w.* FROM webhooks w WHERE ${where.join(' AND ')} ORDER BY w.id`, params);
  return rows.map(toWebhook);
}

async function writeSubscriptions(c: Client, webhookId: number, tenantId: number, events: string[]): Promise<void> {
  await c.query('DELETE FROM webhook_events WHERE webhook_id = $1', [webhookId]);
  await c.query(
    'INSERT INTO webhook_events (webhook_id, tenant_id, event) SELECT $1, $2, e FROM unnest($3::text[]) AS e ON CONFLICT DO NOTHING',
    [webhookId, tenantId, events],
  );
}

export async function createWebhook(
  c: Client,
  tenantId: number,
  i: WebhookInput,
  stamp: AuditStamp,
  appToken: string | null,
): Promise<Webhook> {
  const { rows } = await c.query<{ id: number }>(
    `INSERT INTO webhooks (tenant_id, ${INPUT_COLUMNS},
       application_token, registered, registered_associate_id, updated, updated_associate_id, updated_count)
     VALUES ($1, ${INPUT_COLUMN_NAMES.map((_, n) => `$${n + 2}`).join(', ')}, $${AFTER_INPUT + 1}, $${AFTER_INPUT + 2}, $${AFTER_INPUT + 3}, $${AFTER_INPUT + 2}, $${AFTER_INPUT + 3}, 0) RETURNING id`,
    [tenantId, ...inputColumns(i), appToken, stamp.now, stamp.associateId],
  );
  const id = rows[0]!.id;
  await writeSubscriptions(c, id, tenantId, i.events);
  return (await getWebhook(c, tenantId, id)) as Webhook;
}

export async function updateWebhook(c: Client, tenantId: number, id: number, u: WebhookUpdate): Promise<Webhook | null | 'conflict'> {
  const current = await getWebhook(c, tenantId, id, true);
  if (!current) return null;
  if (current.updatedCount !== u.expectedUpdatedCount) return 'conflict';
  const i = u.input;
  await c.query(
    `UPDATE webhooks SET ${inputAssignments((n) => `$${n + 1}`)},
       updated = $${N + 1}, updated_associate_id = $${N + 2}, updated_count = least(updated_count + 1, 65535),
       consecutive_errors = CASE WHEN $${N + 3} THEN 0 ELSE consecutive_errors END,
       previous_secret = CASE WHEN $${N + 4} THEN NULL ELSE previous_secret END,
       previous_secret_until = CASE WHEN $${N + 4} THEN NULL ELSE previous_secret_until END
     WHERE id = $${N + 5}`,
    [...inputColumns(i), u.stamp.now, u.stamp.associateId, u.resetConsecutiveErrors, u.endRotation === true, id],
  );
  await writeSubscriptions(c, id, tenantId, i.events);
  if (i.state === 'Active' && current.state !== 'Active') {
    await c.query('UPDATE deliveries SET due_at = least(due_at, $1) WHERE webhook_id = $2 AND status = 0', [u.stamp.now, id]);
    await c.query('NOTIFY hookd_work');
  }
  await signalEvents(c, tenantId, u.signals, u.stamp.now);
  return getWebhook(c, tenantId, id);
}

export async function rotateSecret(c: Client, tenantId: number, id: number, r: SecretRotation): Promise<Webhook | null> {
  await c.query(
    `UPDATE webhooks SET previous_secret = secret, secret = $1, previous_secret_until = $2, secret_confirmed = 0,
       updated = $3, updated_associate_id = $4, updated_count = least(updated_count + 1, 65535)
     WHERE id = $5 AND tenant_id = $6`,
    [r.secret, r.until, r.stamp.now, r.stamp.associateId, id, tenantId],
  );
  return getWebhook(c, tenantId, id);
}

export async function confirmSecret(c: Client, tenantId: number, id: number, updatedCount: number, stamp: AuditStamp): Promise<void> {
  await c.query(
    `UPDATE webhooks SET secret_confirmed = 1, updated = $1, updated_count = least(updated_count + 1, 65535)
     WHERE id = $2 AND tenant_id = $3 AND updated_count = $4 AND previous_secret IS NOT NULL AND secret_confirmed = 0`,
    [stamp.now, id, tenantId, updatedCount],
  );
}

export async function deleteWebhook(c: Client, tenantId: number, id: number): Promise<boolean> {
  // Lock the webhook first: recording attempts locks webhooks before deliveries too, so the two never deadlock.
  if (!(await getWebhook(c, tenantId, id, true))) return false;
  await c.query('DELETE FROM attempts WHERE webhook_id = $1', [id]);
  await c.query('DELETE FROM deliveries WHERE webhook_id = $1', [id]);
  await c.query('DELETE FROM webhooks WHERE id = $1', [id]);
  return true;
}
