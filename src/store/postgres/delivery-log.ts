/** The delivery log on PostgreSQL: listing, retrying one delivery (notifications: notifications.ts). */
import type { DeliveryLog, StoreSnapshot } from '../delivery-log.js';
import { type AttemptRow, type QueueHeadRow, toDeliveryViews, toQueueHead } from '../rows.js';
import { type FoldedDeliveryRow, foldedAttempt } from '../folded-attempts.js';
import { EVENT_COLUMNS } from '../event-rows.js';
import { stateFromValue } from '../../domain/webhook.js';
import type { AttemptSample } from '../../domain/stats.js';
import type { DeliveryView } from '../../domain/delivery-view.js';
import type pg from 'pg';
import type { UsageRow } from '../../domain/webhook-usage.js';
import { transaction } from './database.js';
import { webhookUsage } from './webhook-usage.js';

/** The DeliveryLog port on PostgreSQL. */
export class PostgresDeliveryLog implements DeliveryLog {
  constructor(private readonly pool: pg.Pool) {}

  async listDeliveries(tenantId: number, webhookId: number, page: { top: number; skip: number }) {
    const owned = await this.pool.query('SELECT 1 FROM webhooks WHERE id = $1 AND tenant_id = $2', [webhookId, tenantId]);
    if (owned.rowCount === 0) return { items: [] as DeliveryView[], total: 0, head: null };
    const { rows: totalRows } = await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM deliveries WHERE webhook_id = $1', [
      webhookId,
    ]);
    const { rows } = await this.pool.query<FoldedDeliveryRow>(
      `SELECT d.id, d.webhook_id, d.event_guid, d.status, d.created, d.finished, d.due_at, d.ok_started, d.ok_duration_ms, d.ok_status,
            ${EVENT_COLUMNS}
     FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2 OFFSET $3`,
      [webhookId, page.top, page.skip],
    );
    const { rows: attempts } = await this.pool.query<AttemptRow>('SELECT * FROM attempts WHERE delivery_id = ANY($1) ORDER BY id', [
      rows.map((r) => r.id),
    ]);
    // A first attempt that succeeded is kept in its delivery's row: its last attempt, after any of hookd's own faults.
    for (const r of rows) if (r.ok_status !== null) attempts.push(foldedAttempt(r));
    const items = toDeliveryViews(rows, attempts);
    // The oldest queued delivery: under strict ordering, the one the others wait for.
    const { rows: heads } = await this.pool.query<QueueHeadRow>(
      'SELECT id, event_guid, attempts FROM deliveries WHERE webhook_id = $1 AND status = 0 ORDER BY id LIMIT 1',
      [webhookId],
    );
    return { items, total: totalRows[0]!.n, head: heads[0] ? toQueueHead(heads[0]) : null };
  }

  async retryDelivery(tenantId: number, webhookId: number, deliveryId: number, now: number, guid: string): Promise<boolean> {
    return transaction(this.pool, async (c) => {
      const { rows } = await c.query<{ status: number; event_id: number; copy_of: string | null }>(
        `SELECT d.status, d.event_id, d.copy_of FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
     WHERE d.id = $1 AND d.webhook_id = $2 AND w.tenant_id = $3 FOR UPDATE OF d`,
        [deliveryId, webhookId, tenantId],
      );
      const row = rows[0];
      if (!row) return false;
      if (row.status === 0) await c.query('UPDATE deliveries SET due_at = $1 WHERE id = $2', [now, deliveryId]);
      else {
        // A copy names its original, which a later recover chooses instead of it (domain/recover.ts).
        await c.query(
          'INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created, copy_of) VALUES ($1, $2, $3, $4, $4, $5)',
          [webhookId, row.event_id, guid, now, row.copy_of ?? deliveryId],
        );
      }
      await c.query('NOTIFY hookd_work');
      return true;
    });
  }

  async snapshot(now: number): Promise<StoreSnapshot> {
    const { rows } = await this.pool.query<{ queued: string; oldest: string | null; states: Array<{ state: number; n: number }> | null }>(
      `SELECT (SELECT count(*) FROM deliveries WHERE status = 0) AS queued,
            (SELECT min(due_at) FROM deliveries WHERE status = 0 AND due_at <= $1) AS oldest,
            (SELECT json_agg(json_build_object('state', state, 'n', n)) FROM (SELECT state, count(*) AS n FROM webhooks GROUP BY state) s) AS states`,
      [now],
    );
    const r = rows[0]!;
    const webhooks: Record<string, number> = {};
    for (const s of r.states ?? []) webhooks[stateFromValue(s.state)] = Number(s.n);
    return { queued: Number(r.queued), oldestDueAt: r.oldest === null ? null : Number(r.oldest), webhooks };
  }

  async attemptsBetween(webhookId: number, since: number, until: number, limit: number): Promise<AttemptSample[]> {
    const { rows } = await this.pool.query<{ started: string; duration_ms: number; status_code: number | null; outcome: string }>(
      // Two index walks in time order (attempt rows, and first attempts kept in their deliveries' rows), merged.
      `SELECT * FROM (
         (SELECT started, duration_ms, status_code, outcome FROM attempts
           WHERE webhook_id = $1 AND started >= $2 AND started <= $3 ORDER BY started LIMIT $4)
         UNION ALL
         (SELECT ok_started, ok_duration_ms, ok_status, 'success' FROM deliveries
           WHERE webhook_id = $1 AND ok_status IS NOT NULL AND ok_started >= $2 AND ok_started <= $3 ORDER BY ok_started LIMIT $4)
       ) s ORDER BY started LIMIT $4`,
      [webhookId, since, until, limit],
    );
    return rows.map((r) => ({ started: Number(r.started), durationMs: r.duration_ms, statusCode: r.status_code, outcome: r.outcome }));
  }

  async countQueued(webhookId?: number): Promise<number> {
    const { rows } =
      webhookId === undefined
        ? await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM deliveries WHERE status = 0')
        : await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM deliveries WHERE status = 0 AND webhook_id = $1', [webhookId]);
    return rows[0]!.n;
  }

  async webhookUsage(tenantId: number, ids: number[], failuresSince: number): Promise<UsageRow[]> {
    return webhookUsage(this.pool, tenantId, ids, failuresSince);
  }
}
