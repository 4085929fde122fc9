/** The WebhookRegistry port on PostgreSQL: the Webhook table and its subscriptions. */
import { subscriptionsFor } from '../../domain/event-names.js';
import { type Webhook, type WebhookInput, reactivates, stateValue } from '../../domain/webhook.js';
import { type WebhookRow, INPUT_COLUMN_NAMES, INPUT_COLUMNS, SECRET_COLUMNS, inputAssignments, inputColumns, toWebhook } from '../rows.js';
import type pg from 'pg';
import {
  type AuditStamp,
  type SecretCell,
  type SecretRotation,
  type WebhookFilter,
  type WebhookRegistry,
  type WebhookUpdate,
  secretRewrites,
} from '../webhooks.js';
import { type Client, transaction } from './database.js';
import { signalEvents } from './signal.js';

/** Placeholders the input columns take ($1…$N of an UPDATE; $2…$N+1 of an INSERT after tenant_id). */
const N = INPUT_COLUMN_NAMES.length;
const AFTER_INPUT = N + 1;

async function webhookById(c: Client, tenantId: number, id: number, lock = false): Promise<Webhook | null> {
  const { rows } = await c.query<WebhookRow>(`SELECT * FROM webhooks WHERE id = $1 AND tenant_id = $2${lock ? ' FOR UPDATE' : ''}`, [
    id,
    tenantId,
  ]);
  return rows[0] ? toWebhook(rows[0]) : null;
}

async function selectWebhooks(c: Client, tenantId: number, f: WebhookFilter): Promise<Webhook[]> {
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

async function insertWebhook(c: Client, tenantId: number, i: WebhookInput, stamp: AuditStamp, appToken: string | null): Promise<Webhook> {
  const { rows } = await c.query<{ id: number }>(
    `INSERT INTO webhooks (tenant_id, ${INPUT_COLUMNS},
       application_token, registered, registered_associate_id, updated, updated_associate_id, updated_count)
     VALUES ($1, ${INPUT_COLUMN_NAMES.map((_, n) => `$${n + 2}`).join(', ')}, $${AFTER_INPUT + 1}, $${AFTER_INPUT + 2}, $${AFTER_INPUT + 3}, $${AFTER_INPUT + 2}, $${AFTER_INPUT + 3}, 0) RETURNING id`,
    [tenantId, ...inputColumns(i), appToken, stamp.now, stamp.associateId],
  );
  const id = rows[0]!.id;
  await writeSubscriptions(c, id, tenantId, i.events);
  return (await webhookById(c, tenantId, id)) as Webhook;
}

async function writeUpdate(c: Client, tenantId: number, id: number, u: WebhookUpdate): Promise<Webhook | null | 'conflict'> {
  const current = await webhookById(c, tenantId, id, true);
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
  if (reactivates(current.state, i.state)) {
    await c.query('UPDATE deliveries SET due_at = least(due_at, $1) WHERE webhook_id = $2 AND status = 0', [u.stamp.now, id]);
    await c.query('NOTIFY hookd_work');
  }
  await signalEvents(c, tenantId, u.signals, u.stamp.now);
  return webhookById(c, tenantId, id);
}

async function writeRotation(c: Client, tenantId: number, id: number, r: SecretRotation): Promise<Webhook | null> {
  await c.query(
    `UPDATE webhooks SET previous_secret = secret, secret = $1, previous_secret_until = $2, secret_confirmed = 0,
       updated = $3, updated_associate_id = $4, updated_count = least(updated_count + 1, 65535)
     WHERE id = $5 AND tenant_id = $6`,
    [r.secret, r.until, r.stamp.now, r.stamp.associateId, id, tenantId],
  );
  return webhookById(c, tenantId, id);
}

async function writeConfirmation(c: Client, tenantId: number, id: number, updatedCount: number, stamp: AuditStamp): Promise<void> {
  await c.query(
    `UPDATE webhooks SET secret_confirmed = 1, updated = $1, updated_count = least(updated_count + 1, 65535)
     WHERE id = $2 AND tenant_id = $3 AND updated_count = $4 AND previous_secret IS NOT NULL AND secret_confirmed = 0`,
    [stamp.now, id, tenantId, updatedCount],
  );
}

async function removeWebhook(c: Client, tenantId: number, id: number): Promise<boolean> {
  // Lock the webhook first: recording attempts locks webhooks before deliveries too, so the two never deadlock.
  if (!(await webhookById(c, tenantId, id, true))) return false;
  await c.query('DELETE FROM attempts WHERE webhook_id = $1', [id]);
  await c.query('DELETE FROM deliveries WHERE webhook_id = $1', [id]);
  await c.query('DELETE FROM webhooks WHERE id = $1', [id]);
  return true;
}

/** The port: each write is one transaction; the functions above run inside it, on its client. */
export class PostgresWebhookRegistry implements WebhookRegistry {
  constructor(private readonly pool: pg.Pool) {}

  async listWebhooks(tenantId: number, filter: WebhookFilter): Promise<Webhook[]> {
    return selectWebhooks(this.pool, tenantId, filter);
  }
  async getWebhook(tenantId: number, id: number): Promise<Webhook | null> {
    return webhookById(this.pool, tenantId, id);
  }
  async createWebhook(tenantId: number, input: WebhookInput, stamp: AuditStamp, applicationToken: string | null): Promise<Webhook> {
    return transaction(this.pool, (c) => insertWebhook(c, tenantId, input, stamp, applicationToken));
  }
  async updateWebhook(tenantId: number, id: number, update: WebhookUpdate): Promise<Webhook | null | 'conflict'> {
    return transaction(this.pool, (c) => writeUpdate(c, tenantId, id, update));
  }
  async deleteWebhook(tenantId: number, id: number): Promise<boolean> {
    return transaction(this.pool, (c) => removeWebhook(c, tenantId, id));
  }
  async rotateSecret(tenantId: number, id: number, rotation: SecretRotation): Promise<Webhook | null> {
    return transaction(this.pool, (c) => writeRotation(c, tenantId, id, rotation));
  }
  async confirmSecret(tenantId: number, id: number, updatedCount: number, stamp: AuditStamp): Promise<void> {
    await writeConfirmation(this.pool, tenantId, id, updatedCount, stamp);
  }
  async rewriteSecrets(rewrite: (stored: string) => string | null): Promise<number> {
    return transaction(this.pool, async (c) => {
      const cells: SecretCell[] = [];
      for (const column of SECRET_COLUMNS) {
        const { rows } = await c.query<{ id: number; stored: string }>(
          `SELECT id, ${column} AS stored FROM webhooks WHERE ${column} IS NOT NULL FOR UPDATE`,
        );
        for (const r of rows) cells.push({ id: r.id, column, stored: r.stored });
      }
      const changes = secretRewrites(cells, rewrite);
      for (const x of changes) await c.query(`UPDATE webhooks SET ${x.column} = $1 WHERE id = $2`, [x.next, x.id]);
      return changes.length;
    });
  }
}
