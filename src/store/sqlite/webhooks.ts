/** The WebhookRegistry port on SQLite: the Webhook table and its subscriptions. */
import { subscriptionsFor } from '../../domain/event-names.js';
import { reactivates, stateValue, type Webhook, type WebhookInput } from '../../domain/webhook.js';
import {
  type AuditStamp,
  type SecretCell,
  type SecretRotation,
  type WebhookFilter,
  type WebhookRegistry,
  type WebhookUpdate,
  secretRewrites,
} from '../webhooks.js';
import { type Db, q } from './database.js';
import { SECRET_COLUMNS, INPUT_COLUMN_NAMES, INPUT_COLUMNS, inputAssignments, inputColumns, toWebhook, type WebhookRow } from '../rows.js';
import { signalEvents } from './signal.js';

/** Sync, for use inside a transaction. */
function webhookById(db: Db, tenantId: number, id: number): Webhook | null {
  const row = q(db, 'SELECT * FROM webhooks WHERE id = ? AND tenant_id = ?').get(id, tenantId) as WebhookRow | undefined;
  return row ? toWebhook(row) : null;
}

function writeSubscriptions(db: Db, webhookId: number, tenantId: number, events: string[]): void {
  q(db, 'DELETE FROM webhook_events WHERE webhook_id = ?').run(webhookId);
  const insert = q(db, 'INSERT OR IGNORE INTO webhook_events (webhook_id, tenant_id, event) VALUES (?, ?, ?)');
  for (const e of events) insert.run(webhookId, tenantId, e);
}

export class SqliteWebhookRegistry implements WebhookRegistry {
  constructor(private readonly db: Db) {}

  async getWebhook(tenantId: number, id: number): Promise<Webhook | null> {
    return webhookById(this.db, tenantId, id);
  }

  async listWebhooks(tenantId: number, f: WebhookFilter): Promise<Webhook[]> {
    const where = ['w.tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (f.name) {
      where.push('w.name = ?');
      params.push(f.name);
    }
    if (f.state && f.state !== 'Unknown') {
      where.push('w.state = ?');
      params.push(stateValue(f.state));
    }
    if (f.applicationToken) {
      where.push('w.application_token = ?');
      params.push(f.applicationToken);
    }
    if (f.event) {
      where.push('EXISTS (SELECT 1 FROM webhook_events we WHERE we.webhook_id = w.id AND we.event IN (SELECT value FROM json_each(?)))');
      params.push(JSON.stringify(subscriptionsFor(f.event)));
    }
    const rows = q(this.db, `SELECT w.* FROM webhooks w WHERE ${where.join(' AND ')} ORDER BY w.id`).all(...params) as WebhookRow[];
    return rows.map(toWebhook);
  }

  async createWebhook(tenantId: number, input: WebhookInput, stamp: AuditStamp, appToken: string | null): Promise<Webhook> {
    return this.db
      .transaction(() => {
        const info = q(
          this.db,
          `INSERT INTO webhooks (tenant_id, ${INPUT_COLUMNS},
           application_token, registered, registered_associate_id, updated, updated_associate_id, updated_count)
         VALUES (?, ${INPUT_COLUMN_NAMES.map(() => '?').join(', ')}, ?, ?, ?, ?, ?, 0)`,
        ).run(tenantId, ...inputColumns(input), appToken, stamp.now, stamp.associateId, stamp.now, stamp.associateId);
        const id = Number(info.lastInsertRowid);
        writeSubscriptions(this.db, id, tenantId, input.events);
        return webhookById(this.db, tenantId, id) as Webhook;
      })
      .immediate();
  }

  async updateWebhook(tenantId: number, id: number, u: WebhookUpdate): Promise<Webhook | null | 'conflict'> {
    return this.db
      .transaction(() => {
        const current = webhookById(this.db, tenantId, id);
        if (!current) return null;
        if (current.updatedCount !== u.expectedUpdatedCount) return 'conflict';
        const i = u.input;
        q(
          this.db,
          `UPDATE webhooks SET ${inputAssignments(() => '?')}, updated = ?, updated_associate_id = ?, updated_count = min(updated_count + 1, 65535),
           consecutive_errors = CASE WHEN ? THEN 0 ELSE consecutive_errors END,
           previous_secret = CASE WHEN ? THEN NULL ELSE previous_secret END,
           previous_secret_until = CASE WHEN ? THEN NULL ELSE previous_secret_until END
         WHERE id = ? AND tenant_id = ?`,
        ).run(
          ...inputColumns(i),
          u.stamp.now,
          u.stamp.associateId,
          u.resetConsecutiveErrors ? 1 : 0,
          u.endRotation === true ? 1 : 0,
          u.endRotation === true ? 1 : 0,
          id,
          tenantId,
        );
        writeSubscriptions(this.db, id, tenantId, i.events);
        // Queued deliveries that were held while the webhook was off become due now.
        if (reactivates(current.state, i.state)) {
          q(this.db, 'UPDATE deliveries SET due_at = min(due_at, ?) WHERE webhook_id = ? AND status = 0').run(u.stamp.now, id);
        }
        signalEvents(this.db, tenantId, u.signals, u.stamp.now);
        return webhookById(this.db, tenantId, id);
      })
      .immediate();
  }

  async deleteWebhook(tenantId: number, id: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        const exists = q(this.db, 'SELECT 1 FROM webhooks WHERE id = ? AND tenant_id = ?').get(id, tenantId);
        if (!exists) return false;
        q(this.db, 'DELETE FROM attempts WHERE webhook_id = ?').run(id);
        q(this.db, 'DELETE FROM deliveries WHERE webhook_id = ?').run(id);
        q(this.db, 'DELETE FROM webhooks WHERE id = ?').run(id);
        return true;
      })
      .immediate();
  }

  async rotateSecret(tenantId: number, id: number, r: SecretRotation): Promise<Webhook | null> {
    q(
      this.db,
      `UPDATE webhooks SET previous_secret = secret, secret = ?, previous_secret_until = ?, secret_confirmed = 0,
       updated = ?, updated_associate_id = ?, updated_count = min(updated_count + 1, 65535)
     WHERE id = ? AND tenant_id = ?`,
    ).run(r.secret, r.until, r.stamp.now, r.stamp.associateId, id, tenantId);
    return webhookById(this.db, tenantId, id);
  }

  async confirmSecret(tenantId: number, id: number, updatedCount: number, stamp: AuditStamp): Promise<void> {
    q(
      this.db,
      `UPDATE webhooks SET secret_confirmed = 1, updated = ?, updated_count = min(updated_count + 1, 65535)
     WHERE id = ? AND tenant_id = ? AND updated_count = ? AND previous_secret IS NOT NULL AND secret_confirmed = 0`,
    ).run(stamp.now, id, tenantId, updatedCount);
  }

  async rewriteSecrets(rewrite: (stored: string) => string | null): Promise<number> {
    return this.db
      .transaction(() => {
        const cells: SecretCell[] = [];
        for (const column of SECRET_COLUMNS) {
          const rows = q(this.db, `SELECT id, ${column} AS stored FROM webhooks WHERE ${column} IS NOT NULL`).all() as Array<{
            id: number;
            stored: string;
          }>;
          for (const r of rows) cells.push({ id: r.id, column, stored: r.stored });
        }
        const changes = secretRewrites(cells, rewrite);
        for (const c of changes) q(this.db, `UPDATE webhooks SET ${c.column} = ? WHERE id = ?`).run(c.next, c.id);
        return changes.length;
      })
      .immediate();
  }
}
