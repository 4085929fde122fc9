/** Tenants, associates, credentials and the Webhook table on PostgreSQL. */
import { subscriptionsFor } from '../../domain/event-names.js';
import { type Associate, type Tenant, type Webhook, type WebhookInput, stateValue } from '../../domain/webhook.js';
import {
  ASSOCIATE_COLUMNS,
  type AssociateRow,
  CREDENTIAL_SELECT,
  type CredentialRow,
  type WebhookRow,
  INPUT_COLUMN_NAMES,
  INPUT_COLUMNS,
  inputAssignments,
  inputColumns,
  toAssociate,
  toCredential,
  toWebhook,
} from '../rows.js';
import type { Credential, CredentialKind, NewAssociate } from '../../domain/credential.js';
import type { AuditStamp, SecretRotation, WebhookFilter, WebhookUpdate } from '../store.js';
import type { Client } from './pool.js';
import { signalEvents } from './signal.js';

/** Placeholders the input columns take ($1…$N of an UPDATE; $2…$N+1 of an INSERT after tenant_id). */
const N = INPUT_COLUMN_NAMES.length;
const AFTER_INPUT = N + 1;

export async function findTenant(c: Client, identifier: string): Promise<Tenant | null> {
  const { rows } = await c.query<Tenant>('SELECT id, identifier FROM tenants WHERE lower(identifier) = lower($1)', [identifier]);
  return rows[0] ?? null;
}

export async function ensureTenant(c: Client, identifier: string, now: number): Promise<Tenant> {
  await c.query('INSERT INTO tenants (identifier, registered) VALUES ($1, $2) ON CONFLICT DO NOTHING', [identifier, now]);
  return (await findTenant(c, identifier)) as Tenant;
}

export async function createAssociate(c: Client, tenantId: number, a: NewAssociate, now: number): Promise<Associate> {
  const { rows } = await c.query<{ id: number }>(
    'INSERT INTO associates (tenant_id, name, user_name, password_hash, is_admin, registered, email) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
    [tenantId, a.name, a.userName, a.passwordHash, a.isAdmin ? 1 : 0, now, a.email ?? null],
  );
  return { id: rows[0]!.id, tenantId, name: a.name, userName: a.userName, isAdmin: a.isAdmin, email: a.email ?? null };
}

export async function findLogin(c: Client, tenantId: number, userName: string) {
  const { rows } = await c.query<AssociateRow & { password_hash: string }>(
    `SELECT ${ASSOCIATE_COLUMNS}, password_hash FROM associates WHERE tenant_id = $1 AND lower(user_name) = lower($2)`,
    [tenantId, userName],
  );
  const row = rows[0];
  return row ? { associate: toAssociate(row), passwordHash: row.password_hash } : null;
}

export async function getAssociates(c: Client, ids: number[]): Promise<Associate[]> {
  if (ids.length === 0) return [];
  const { rows } = await c.query<AssociateRow>(`SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE id = ANY($1)`, [ids]);
  return rows.map(toAssociate);
}

/** Takes a tenant; returns its associates by id. */
export async function listAssociates(c: Client, tenantId: number): Promise<Associate[]> {
  const { rows } = await c.query<AssociateRow>(`SELECT ${ASSOCIATE_COLUMNS} FROM associates WHERE tenant_id = $1 ORDER BY id`, [tenantId]);
  return rows.map(toAssociate);
}

export async function createCredential(
  c: Client,
  x: { kind: CredentialKind; tokenHash: string; associateId: number; name: string | null; now: number; expires: number | null },
): Promise<Credential> {
  const { rows } = await c.query<{ id: number }>(
    'INSERT INTO credentials (kind, token_hash, associate_id, name, created, expires) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [x.kind, x.tokenHash, x.associateId, x.name, x.now, x.expires],
  );
  const { rows: found } = await c.query<CredentialRow>(`${CREDENTIAL_SELECT} WHERE c.id = $1`, [rows[0]!.id]);
  return toCredential(found[0]!);
}

export async function findCredential(c: Client, kind: CredentialKind, tokenHash: string, now: number): Promise<Credential | null> {
  const { rows } = await c.query<CredentialRow>(
    `${CREDENTIAL_SELECT} WHERE c.kind = $1 AND c.token_hash = $2 AND c.revoked IS NULL AND (c.expires IS NULL OR c.expires > $3)`,
    [kind, tokenHash, now],
  );
  return rows[0] ? toCredential(rows[0]) : null;
}

export async function listCredentials(c: Client, associateId: number, kind: CredentialKind): Promise<Credential[]> {
  const { rows } = await c.query<CredentialRow>(
    `${CREDENTIAL_SELECT} WHERE c.associate_id = $1 AND c.kind = $2 AND c.revoked IS NULL ORDER BY c.id`,
    [associateId, kind],
  );
  return rows.map(toCredential);
}

export async function revokeCredential(c: Client, associateId: number, id: number, now: number): Promise<boolean> {
  const r = await c.query('UPDATE credentials SET revoked = $1 WHERE id = $2 AND associate_id = $3 AND revoked IS NULL', [
    now,
    id,
    associateId,
  ]);
  return (r.rowCount ?? 0) > 0;
}

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
