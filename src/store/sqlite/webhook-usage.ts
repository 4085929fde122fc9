/** The webhook list's figures in SQLite (domain/webhook-usage.ts): one query for every listed webhook. */
import { FAILED_OUTCOMES, type UsageRow } from '../../domain/webhook-usage.js';
import { type Db, q } from './database.js';
import { type UsageDbRow, toUsageRow } from '../usage-rows.js';

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
  return rows.map((r) => toUsageRow(newerFolded(db, r)));
}

/**
 * A first attempt that succeeded is kept in its delivery's row (migration 013): when the webhook's newest such one
 * started after its newest attempt row, it is the webhook's last attempt (index deliveries_ok_by_webhook).
 */
function newerFolded(db: Db, r: UsageDbRow): UsageDbRow {
  const folded = q(
    db,
    `SELECT id, ok_started, ok_status, event_guid, status, due_at FROM deliveries
      WHERE webhook_id = ? AND ok_status IS NOT NULL ORDER BY ok_started DESC LIMIT 1`,
  ).get(r.webhook_id) as
    { id: number; ok_started: number; ok_status: number; event_guid: string; status: number; due_at: number } | undefined;
  if (!folded || (r.started !== null && Number(r.started) >= folded.ok_started)) return r;
  return {
    ...r,
    started: folded.ok_started,
    status_code: folded.ok_status,
    outcome: 'success',
    stage: null,
    delivery_id: folded.id,
    event_guid: folded.event_guid,
    delivery_status: folded.status,
    due_at: folded.due_at,
  };
}
