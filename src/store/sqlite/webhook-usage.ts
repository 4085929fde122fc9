/** The webhook list's figures in SQLite (domain/webhook-usage.ts): one query for every listed webhook. */
import { FAILED_OUTCOMES, type UsageRow } from '../../domain/webhook-usage.js';
import { type Db, q } from './database.js';
import { type UsageDbRow, toUsageRow } from '../usage-rows.js';
import { type FoldedRow, newerFolded } from '../folded-attempts.js';

const FAILED = FAILED_OUTCOMES.map((o) => `'${o}'`).join(', ');

/**
 * Takes a tenant, webhook ids and the start of the failure window; returns for each of those webhooks its failed
 * attempts since then (partial index attempts_failed_by_webhook), its newest attempt (attempts_by_webhook_started)
 * and its newest throttled one (attempts_throttled_by_webhook), each with its delivery: a few index seeks a
 * webhook, whatever the size of the log.
 */
export function webhookUsage(db: Db, tenantId: number, ids: number[], failuresSince: number): UsageRow[] {
  const rows = q(
    db,
    `SELECT w.id AS webhook_id,
            (SELECT count(*) FROM attempts f
               WHERE f.webhook_id = w.id AND f.started >= ? AND f.outcome IN (${FAILED})) AS failures,
            a.started, a.status_code, a.outcome, a.stage, a.delivery_id, a.event_guid,
            d.status AS delivery_status, d.due_at,
            t.started + t.duration_ms AS throttle_answered, td.status AS throttle_delivery_status, td.due_at AS throttle_due_at
       FROM webhooks w
       LEFT JOIN attempts a ON a.id = (SELECT l.id FROM attempts l WHERE l.webhook_id = w.id ORDER BY l.started DESC LIMIT 1)
       LEFT JOIN deliveries d ON d.id = a.delivery_id
       LEFT JOIN attempts t ON t.id = (SELECT p.id FROM attempts p WHERE p.webhook_id = w.id AND p.outcome = 'throttled'
                                        ORDER BY p.started DESC LIMIT 1)
       LEFT JOIN deliveries td ON td.id = t.delivery_id
      WHERE w.tenant_id = ? AND w.id IN (SELECT value FROM json_each(?))`,
  ).all(failuresSince, tenantId, JSON.stringify(ids)) as UsageDbRow[];
  const folded = newestFolded(db, ids);
  return rows.map((r) => toUsageRow(newerFolded(r, folded.get(Number(r.webhook_id)))));
}

/**
 * A first attempt that succeeded is kept in its delivery's row (migration 013): each listed webhook's newest such
 * one, in one query (an index seek a webhook on deliveries_ok_by_webhook).
 */
function newestFolded(db: Db, ids: number[]): Map<number, FoldedRow> {
  // Takes a JSON array of webhook ids; returns, for each that has one, its newest folded first attempt.
  const rows = q(
    db,
    `SELECT d.webhook_id, d.id, d.ok_started, d.ok_status, d.event_guid, d.status, d.due_at FROM deliveries d
      WHERE d.id IN (SELECT (SELECT f.id FROM deliveries f WHERE f.webhook_id = w.value AND f.ok_status IS NOT NULL
                             ORDER BY f.ok_started DESC LIMIT 1) FROM json_each(?) w)`,
  ).all(JSON.stringify(ids)) as FoldedRow[];
  return new Map(rows.map((r) => [Number(r.webhook_id), r]));
}
