/** The webhook list's figures on PostgreSQL (domain/webhook-usage.ts): one query for every listed webhook. */
import { FAILED_OUTCOMES, type UsageRow } from '../../domain/webhook-usage.js';
import { type UsageDbRow, toUsageRow } from '../usage-rows.js';
import { type FoldedRow, newerFolded } from '../folded-attempts.js';
import type { Client } from './database.js';

/**
 * Takes a tenant, webhook ids and the start of the failure window; returns for each of those webhooks its failed
 * attempts since then (partial index attempts_failed_by_webhook), its newest attempt (attempts_by_webhook_started)
 * and its newest throttled one (attempts_throttled_by_webhook), each with its delivery, and its newest first attempt
 * kept in its delivery's row (deliveries_ok_by_webhook, migration 014): a few index lookups a webhook, whatever the
 * size of the log.
 */
export async function webhookUsage(c: Client, tenantId: number, ids: number[], failuresSince: number): Promise<UsageRow[]> {
  const { rows } = await c.query<UsageDbRow & { folded: FoldedRow | null }>(
    `SELECT w.id AS webhook_id, f.failures,
            a.started, a.status_code, a.outcome, a.stage, a.delivery_id, a.event_guid,
            d.status AS delivery_status, d.due_at,
            t.started + t.duration_ms AS throttle_answered, td.status AS throttle_delivery_status, td.due_at AS throttle_due_at,
            (SELECT row_to_json(k) FROM (SELECT o.webhook_id, o.id, o.ok_started, o.ok_status, o.event_guid, o.status, o.due_at
               FROM deliveries o WHERE o.webhook_id = w.id AND o.ok_status IS NOT NULL ORDER BY o.ok_started DESC LIMIT 1) k) AS folded
       FROM webhooks w
       CROSS JOIN LATERAL (SELECT count(*)::int AS failures FROM attempts
                            WHERE webhook_id = w.id AND started >= $2 AND outcome IN (${FAILED_OUTCOMES.map((o) => `'${o}'`).join(', ')})) f
       LEFT JOIN LATERAL (SELECT * FROM attempts WHERE webhook_id = w.id ORDER BY started DESC LIMIT 1) a ON true
       LEFT JOIN deliveries d ON d.id = a.delivery_id
       LEFT JOIN LATERAL (SELECT * FROM attempts WHERE webhook_id = w.id AND outcome = 'throttled' ORDER BY started DESC LIMIT 1) t ON true
       LEFT JOIN deliveries td ON td.id = t.delivery_id
      WHERE w.tenant_id = $1 AND w.id = ANY($3)`,
    [tenantId, failuresSince, ids],
  );
  return rows.map((r) => toUsageRow(newerFolded(r, r.folded ?? undefined)));
}
