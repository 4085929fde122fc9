/** The delivery log in SQLite: listing, retrying one delivery, counting (notifications.ts, retention.ts: the rest). */

import type { DeliveryLog, StoreSnapshot } from '../delivery-log.js';
import type { UsageRow } from '../../domain/webhook-usage.js';
import { webhookUsage } from './webhook-usage.js';
import { stateFromValue } from '../../domain/webhook.js';
import type { AttemptSample } from '../../domain/stats.js';
import type { DeliveryView } from '../../domain/delivery-view.js';
import { type Db, q } from './database.js';
import { type AttemptRow, type QueueHeadRow, toDeliveryViews, toQueueHead } from '../rows.js';
import { EVENT_COLUMNS } from '../event-rows.js';
import { type FoldedDeliveryRow, foldedAttempt } from '../folded-attempts.js';

/** The DeliveryLog port on SQLite. */
export class SqliteDeliveryLog implements DeliveryLog {
  constructor(private readonly db: Db) {}

  async listDeliveries(tenantId: number, webhookId: number, page: { top: number; skip: number }) {
    const owned = q(this.db, 'SELECT 1 FROM webhooks WHERE id = ? AND tenant_id = ?').get(webhookId, tenantId);
    if (!owned) return { items: [] as DeliveryView[], total: 0, head: null };
    const total = q(this.db, 'SELECT count(*) FROM deliveries WHERE webhook_id = ?').pluck().get(webhookId) as number;
    const rows = q(
      this.db,
      `SELECT d.id, d.webhook_id, d.event_guid, d.status, d.created, d.finished, d.due_at, d.ok_started, d.ok_duration_ms, d.ok_status,
            ${EVENT_COLUMNS}
       FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ? OFFSET ?`,
    ).all(webhookId, page.top, page.skip) as FoldedDeliveryRow[];
    const attempts = q(this.db, 'SELECT * FROM attempts WHERE delivery_id IN (SELECT value FROM json_each(?)) ORDER BY id').all(
      JSON.stringify(rows.map((r) => r.id)),
    ) as AttemptRow[];
    // A first attempt that succeeded is kept in its delivery's row: its last attempt, after any of hookd's own faults.
    for (const r of rows) if (r.ok_status !== null) attempts.push(foldedAttempt(r));
    const items = toDeliveryViews(rows, attempts);
    // The oldest queued delivery: under strict ordering, the one the others wait for.
    const head = q(this.db, 'SELECT id, event_guid, attempts FROM deliveries WHERE webhook_id = ? AND status = 0 ORDER BY id LIMIT 1').get(
      webhookId,
    ) as QueueHeadRow | undefined;
    return { items, total, head: head ? toQueueHead(head) : null };
  }

  async retryDelivery(tenantId: number, webhookId: number, deliveryId: number, now: number, newGuid: string): Promise<boolean> {
    return this.db
      .transaction(() => {
        const row = q(
          this.db,
          `SELECT d.status, d.event_id, d.copy_of FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
           WHERE d.id = ? AND d.webhook_id = ? AND w.tenant_id = ?`,
        ).get(deliveryId, webhookId, tenantId) as { status: number; event_id: number; copy_of: number | null } | undefined;
        if (!row) return false;
        if (row.status === 0) q(this.db, 'UPDATE deliveries SET due_at = ? WHERE id = ?').run(now, deliveryId);
        else {
          // A copy names its original, which a later recover chooses instead of it (domain/recover.ts).
          q(this.db, 'INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created, copy_of) VALUES (?, ?, ?, ?, ?, ?)').run(
            webhookId,
            row.event_id,
            newGuid,
            now,
            now,
            row.copy_of ?? deliveryId,
          );
        }
        return true;
      })
      .immediate();
  }

  async snapshot(now: number): Promise<StoreSnapshot> {
    const queued = q(this.db, 'SELECT count(*) FROM deliveries WHERE status = 0').pluck().get() as number;
    const oldestDueAt = q(this.db, 'SELECT min(due_at) FROM deliveries WHERE status = 0 AND due_at <= ?').pluck().get(now) as number | null;
    const webhooks: Record<string, number> = {};
    for (const r of q(this.db, 'SELECT state, count(*) AS n FROM webhooks GROUP BY state').all() as Array<{ state: number; n: number }>) {
      webhooks[stateFromValue(r.state)] = r.n;
    }
    return { queued, oldestDueAt, webhooks };
  }

  async attemptsBetween(webhookId: number, since: number, until: number, limit: number): Promise<AttemptSample[]> {
    // Two index walks in time order (attempt rows, and first attempts kept in their deliveries' rows), merged.
    const rows = q(
      this.db,
      `SELECT started, duration_ms, status_code, outcome FROM attempts
       WHERE webhook_id = ? AND started >= ? AND started <= ? ORDER BY started LIMIT ?`,
    ).all(webhookId, since, until, limit) as SampleRow[];
    const folded = q(
      this.db,
      `SELECT ok_started AS started, ok_duration_ms AS duration_ms, ok_status AS status_code, 'success' AS outcome FROM deliveries
       WHERE webhook_id = ? AND ok_status IS NOT NULL AND ok_started >= ? AND ok_started <= ? ORDER BY ok_started LIMIT ?`,
    ).all(webhookId, since, until, limit) as SampleRow[];
    return mergeByStarted(rows, folded, limit).map((r) => ({
      started: r.started,
      durationMs: r.duration_ms,
      statusCode: r.status_code,
      outcome: r.outcome,
    }));
  }

  async countQueued(webhookId?: number): Promise<number> {
    return (
      webhookId === undefined
        ? q(this.db, 'SELECT count(*) FROM deliveries WHERE status = 0').pluck().get()
        : q(this.db, 'SELECT count(*) FROM deliveries WHERE status = 0 AND webhook_id = ?').pluck().get(webhookId)
    ) as number;
  }

  async webhookUsage(tenantId: number, ids: number[], failuresSince: number): Promise<UsageRow[]> {
    return webhookUsage(this.db, tenantId, ids, failuresSince);
  }
}

interface SampleRow {
  started: number;
  duration_ms: number;
  status_code: number | null;
  outcome: string;
}

/** Two lists in `started` order, merged, the first `limit`. */
function mergeByStarted(a: SampleRow[], b: SampleRow[], limit: number): SampleRow[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b].sort((x, y) => x.started - y.started).slice(0, limit);
}
