/**
 * The delivery queue on PostgreSQL. Claims are one statement: each candidate webhook row is locked
 * (SKIP LOCKED), so its in-flight count is exact across processes, and its due deliveries are leased.
 */
import { errorsEmailMessage, stateEventRecord } from '../../domain/state-events.js';
import { stateValue } from '../../domain/webhook.js';
import { type QueuedDelivery, planRecord } from '../record-plan.js';
import {
  type AttemptRow,
  type ClaimRow,
  type DeliveryRow,
  type NotificationRow,
  type WebhookRow,
  toClaimedDelivery,
  toDeliveryViews,
  toNotification,
  toWebhook,
} from '../rows.js';
import type { AttemptResult, ClaimOptions, ClaimedDelivery, DeliveryView, Notification, RecordContext } from '../store.js';
import type { Client } from './pool.js';
import { signalEvents } from './signal.js';

/** Webhooks considered in one claim; a random order spreads processes over them. */
const CANDIDATES = 1000;

// Takes now, perWebhookLimit, limit, leaseUntil, owner; returns the claimed deliveries with their event and webhook.
const CLAIM = `
WITH candidates AS (
  SELECT w.id FROM webhooks w
  WHERE w.state = 1
    AND EXISTS (SELECT 1 FROM deliveries d WHERE d.webhook_id = w.id AND d.status = 0 AND d.due_at <= $1 AND d.lease_until <= $1)
  ORDER BY random()
  LIMIT ${CANDIDATES}
  FOR UPDATE OF w SKIP LOCKED
),
room AS (
  SELECT c.id, $2::int - (SELECT count(*) FROM deliveries x
                           WHERE x.webhook_id = c.id AND x.status = 0 AND x.lease_until > 0 AND x.lease_until > $1)::int AS n
  FROM candidates c
),
picked AS (
  SELECT p.id FROM room r CROSS JOIN LATERAL (
    SELECT d.id FROM deliveries d
    WHERE d.webhook_id = r.id AND d.status = 0 AND d.due_at <= $1 AND d.lease_until <= $1
    ORDER BY d.due_at, d.id
    LIMIT greatest(r.n, 0)
    FOR UPDATE SKIP LOCKED
  ) p
  LIMIT $3
)
UPDATE deliveries d SET lease_until = $4, lease_owner = $5
FROM picked, events e, webhooks w
WHERE d.id = picked.id AND e.id = d.event_id AND w.id = d.webhook_id
RETURNING d.id, d.event_guid, d.cycle_attempt, d.attempts, d.webhook_id, d.due_at,
          e.name, e.body_event, e.entity, e.primary_key, e.timestamp, e.changes, e.changed_by, e.context_identifier, e.vals, e.field_values,
          w.tenant_id, w.name AS webhook_name, w.type, w.target_url, w.secret, w.headers, w.properties`;

export async function claimDue(c: Client, o: ClaimOptions): Promise<ClaimedDelivery[]> {
  const { rows } = await c.query<ClaimRow & { due_at: number }>(CLAIM, [o.now, o.perWebhookLimit, o.limit, o.now + o.leaseMs, o.owner]);
  rows.sort((a, b) => a.due_at - b.due_at || a.id - b.id);
  return rows.map(toClaimedDelivery);
}

/** Must run in a transaction. Locks webhooks, then deliveries (the order every writer uses), then writes the plan. */
export async function recordAttempts(c: Client, results: AttemptResult[], ctx: RecordContext): Promise<void> {
  const webhookIds = [...new Set(results.map((r) => r.webhookId))].sort((a, b) => a - b);
  const { rows: webhookRows } = await c.query<WebhookRow>('SELECT * FROM webhooks WHERE id = ANY($1) ORDER BY id FOR UPDATE', [webhookIds]);
  const { rows: deliveryRows } = await c.query<QueuedDelivery>(
    `SELECT id, webhook_id AS "webhookId", cycle_attempt AS "cycleAttempt", attempts FROM deliveries
     WHERE id = ANY($1) AND status = 0 ORDER BY id FOR UPDATE`,
    [results.map((r) => r.deliveryId)],
  );
  const plan = planRecord(results, new Map(deliveryRows.map((d) => [d.id, d])), new Map(webhookRows.map((r) => [r.id, toWebhook(r)])), ctx);
  const a = plan.attempts;
  if (a.length > 0) {
    await c.query(
      `INSERT INTO attempts (delivery_id, webhook_id, event_guid, retry, started, duration_ms, status_code, outcome, error)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::bigint[], $6::int[], $7::int[], $8::text[], $9::text[])`,
      [
        a.map((x) => x.deliveryId),
        a.map((x) => x.webhookId),
        a.map((x) => x.eventGuid),
        a.map((x) => x.retry),
        a.map((x) => x.started),
        a.map((x) => x.durationMs),
        a.map((x) => x.statusCode),
        a.map((x) => x.outcome),
        a.map((x) => x.error),
      ],
    );
  }
  if (plan.delivered.length > 0) {
    await c.query(
      'UPDATE deliveries SET status = 1, finished = $1, attempts = attempts + 1, lease_until = 0, lease_owner = NULL WHERE id = ANY($2)',
      [ctx.now, plan.delivered],
    );
  }
  if (plan.retries.length > 0) {
    await c.query(
      `UPDATE deliveries d SET due_at = t.due, cycle_attempt = t.ca, attempts = d.attempts + 1, lease_until = 0, lease_owner = NULL
       FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS t(id, due, ca) WHERE d.id = t.id`,
      [plan.retries.map((r) => r.id), plan.retries.map((r) => r.dueAt), plan.retries.map((r) => r.cycleAttempt)],
    );
  }
  if (plan.newCycles.length > 0) {
    await c.query(
      `UPDATE deliveries d SET due_at = t.due, cycle_attempt = 0, event_guid = t.guid, attempts = d.attempts + 1, lease_until = 0, lease_owner = NULL
       FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS t(id, due, guid) WHERE d.id = t.id`,
      [plan.newCycles.map((r) => r.id), plan.newCycles.map((r) => r.dueAt), plan.newCycles.map((r) => r.eventGuid)],
    );
  }
  const w = plan.webhooks;
  if (w.length > 0) {
    await c.query(
      `UPDATE webhooks h SET total_calls = t.calls, total_errors = t.errors, consecutive_errors = t.consecutive, last_error = t.last, state = t.state
       FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::text[], $6::smallint[]) AS t(id, calls, errors, consecutive, last, state)
       WHERE h.id = t.id`,
      [
        w.map((x) => x.id),
        w.map((x) => x.totalCalls),
        w.map((x) => x.totalErrors),
        w.map((x) => x.consecutiveErrors),
        w.map((x) => x.lastError),
        w.map((x) => stateValue(x.state)),
      ],
    );
  }
  for (const { webhook, eventGuid } of plan.switchedOff) {
    const { rows } = await c.query<{ identifier: string }>('SELECT identifier FROM tenants WHERE id = $1', [webhook.tenantId]);
    await signalEvents(c, webhook.tenantId, [stateEventRecord(webhook, 'errors', rows[0]!.identifier, ctx.now)], ctx.now);
    if (webhook.errorsEmail) {
      const mail = errorsEmailMessage(webhook, eventGuid);
      await c.query(
        'INSERT INTO notifications (tenant_id, webhook_id, recipient, subject, body, created) VALUES ($1, $2, $3, $4, $5, $6)',
        [webhook.tenantId, webhook.id, webhook.errorsEmail, mail.subject, mail.body, ctx.now],
      );
    }
  }
}

export async function nextDueAt(c: Client, now: number): Promise<number | null> {
  const { rows } = await c.query<{ next: number | null }>(
    `SELECT min((SELECT d.due_at FROM deliveries d WHERE d.webhook_id = w.id AND d.status = 0 AND d.lease_until <= $1
                 ORDER BY d.due_at LIMIT 1)) AS next FROM webhooks w WHERE w.state = 1`,
    [now],
  );
  return rows[0]?.next ?? null;
}

export async function listDeliveries(c: Client, tenantId: number, webhookId: number, page: { top: number; skip: number }) {
  const owned = await c.query('SELECT 1 FROM webhooks WHERE id = $1 AND tenant_id = $2', [webhookId, tenantId]);
  if (owned.rowCount === 0) return { items: [] as DeliveryView[], total: 0 };
  const { rows: totalRows } = await c.query<{ n: number }>('SELECT count(*) AS n FROM deliveries WHERE webhook_id = $1', [webhookId]);
  const { rows } = await c.query<DeliveryRow>(
    `SELECT d.id, d.webhook_id, e.name, e.primary_key, d.event_guid, d.status, d.created, d.finished, d.due_at
     FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2 OFFSET $3`,
    [webhookId, page.top, page.skip],
  );
  const { rows: attempts } = await c.query<AttemptRow>('SELECT * FROM attempts WHERE delivery_id = ANY($1) ORDER BY id', [
    rows.map((r) => r.id),
  ]);
  const items = toDeliveryViews(rows, attempts);
  return { items, total: totalRows[0]!.n };
}

export async function retryDelivery(c: Client, tenantId: number, webhookId: number, deliveryId: number, now: number, guid: string) {
  const { rows } = await c.query<{ status: number; event_id: number }>(
    `SELECT d.status, d.event_id FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
     WHERE d.id = $1 AND d.webhook_id = $2 AND w.tenant_id = $3 FOR UPDATE OF d`,
    [deliveryId, webhookId, tenantId],
  );
  const row = rows[0];
  if (!row) return false;
  if (row.status === 0) await c.query('UPDATE deliveries SET due_at = $1 WHERE id = $2', [now, deliveryId]);
  else {
    await c.query('INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created) VALUES ($1, $2, $3, $4, $4)', [
      webhookId,
      row.event_id,
      guid,
      now,
    ]);
  }
  await c.query('NOTIFY hookd_work');
  return true;
}

export async function listNotifications(c: Client, tenantId: number): Promise<Notification[]> {
  return (await c.query<NotificationRow>('SELECT * FROM notifications WHERE tenant_id = $1 ORDER BY id', [tenantId])).rows.map(
    toNotification,
  );
}

export async function unsentNotifications(c: Client, limit: number): Promise<Notification[]> {
  return (await c.query<NotificationRow>('SELECT * FROM notifications WHERE sent IS NULL ORDER BY id LIMIT $1', [limit])).rows.map(
    toNotification,
  );
}
