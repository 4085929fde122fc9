/** The delivery queue in SQLite: claiming due work under leases, recording attempts, the delivery log. */

import { errorsEmailMessage, stateEventRecord } from '../../domain/state-events.js';
import { stateValue } from '../../domain/webhook.js';
import { planRecord, type QueuedDelivery, type RecordPlan } from '../record-plan.js';
import type { AttemptResult, ClaimedDelivery, ClaimOptions, DeliveryView, Notification, RecordContext } from '../store.js';
import { type Db, q } from './database.js';
import {
  type AttemptRow,
  type ClaimRow,
  type DeliveryRow,
  type NotificationRow,
  toClaimedDelivery,
  toDeliveryViews,
  toNotification,
  toWebhook,
  type WebhookRow,
} from '../rows.js';
import { signalEvents } from './signal.js';

/** Round-robin start among webhooks with due work, so a global limit still serves every webhook. */
export interface ClaimCursor {
  next: number;
}

export function claimDue(db: Db, o: ClaimOptions, cursor: ClaimCursor): ClaimedDelivery[] {
  const ids: number[] = [];
  db.transaction(() => {
    const webhooks = q(
      db,
      // Only webhooks with due work that is not leased already: the rest have nothing to hand out.
      `SELECT w.id FROM webhooks w WHERE w.state = 1
           AND EXISTS (SELECT 1 FROM deliveries d WHERE d.webhook_id = w.id AND d.status = 0 AND d.due_at <= ? AND d.lease_until <= ?)`,
    )
      .pluck()
      .all(o.now, o.now) as number[];
    if (webhooks.length === 0) return;
    const inFlight = q(
      db,
      'SELECT count(*) FROM deliveries WHERE webhook_id = ? AND status = 0 AND lease_until > 0 AND lease_until > ?',
    ).pluck();
    const due = q(
      db,
      'SELECT id FROM deliveries WHERE webhook_id = ? AND status = 0 AND due_at <= ? AND lease_until <= ? ORDER BY due_at, id LIMIT ?',
    ).pluck();
    const lease = q(db, 'UPDATE deliveries SET lease_until = ?, lease_owner = ? WHERE id = ?');
    cursor.next = (cursor.next + 1) % webhooks.length;
    for (let i = 0; i < webhooks.length && ids.length < o.limit; i++) {
      const webhookId = webhooks[(cursor.next + i) % webhooks.length] as number;
      const room = Math.min(o.perWebhookLimit - (inFlight.get(webhookId, o.now) as number), o.limit - ids.length);
      if (room <= 0) continue;
      for (const id of due.all(webhookId, o.now, o.now, room) as number[]) {
        lease.run(o.now + o.leaseMs, o.owner, id);
        ids.push(id);
      }
    }
  }).immediate();
  if (ids.length === 0) return [];
  const rows = q(
    db,
    `SELECT d.id, d.event_guid, d.cycle_attempt, d.attempts, d.webhook_id,
              e.name, e.body_event, e.entity, e.primary_key, e.timestamp, e.changes, e.changed_by, e.context_identifier, e.vals, e.field_values,
              w.tenant_id, w.name AS webhook_name, w.type, w.target_url, w.secret, w.headers, w.properties
       FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id
       WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.due_at, d.id`,
  ).all(JSON.stringify(ids)) as ClaimRow[];
  return rows.map(toClaimedDelivery);
}

/** Records a batch of attempts with the webhooks' counters, in one transaction. */
export function recordAttempts(db: Db, results: AttemptResult[], ctx: RecordContext): void {
  if (results.length === 0) return;
  db.transaction(() => {
    const ids = JSON.stringify(results.map((r) => r.deliveryId));
    const deliveries = new Map(
      (
        q(
          db,
          `SELECT id, webhook_id AS webhookId, cycle_attempt AS cycleAttempt, attempts FROM deliveries
           WHERE id IN (SELECT value FROM json_each(?)) AND status = 0`,
        ).all(ids) as QueuedDelivery[]
      ).map((d) => [d.id, d]),
    );
    const webhookIds = JSON.stringify([...new Set([...deliveries.values()].map((d) => d.webhookId))]);
    const webhooks = new Map(
      (q(db, 'SELECT * FROM webhooks WHERE id IN (SELECT value FROM json_each(?))').all(webhookIds) as WebhookRow[]).map((r) => [
        r.id,
        toWebhook(r),
      ]),
    );
    applyPlan(db, planRecord(results, deliveries, webhooks, ctx), ctx.now);
  }).immediate();
}

function applyPlan(db: Db, plan: RecordPlan, now: number): void {
  const insertAttempt = q(
    db,
    'INSERT INTO attempts (delivery_id, webhook_id, event_guid, retry, started, duration_ms, status_code, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  for (const a of plan.attempts) {
    insertAttempt.run(a.deliveryId, a.webhookId, a.eventGuid, a.retry, a.started, a.durationMs, a.statusCode, a.outcome, a.error);
  }
  const delivered = q(
    db,
    'UPDATE deliveries SET status = 1, finished = ?, attempts = attempts + 1, lease_until = 0, lease_owner = NULL WHERE id = ?',
  );
  for (const id of plan.delivered) delivered.run(now, id);
  const retry = q(
    db,
    'UPDATE deliveries SET due_at = ?, cycle_attempt = ?, attempts = attempts + 1, lease_until = 0, lease_owner = NULL WHERE id = ?',
  );
  for (const r of plan.retries) retry.run(r.dueAt, r.cycleAttempt, r.id);
  const newCycle = q(
    db,
    'UPDATE deliveries SET due_at = ?, cycle_attempt = 0, event_guid = ?, attempts = attempts + 1, lease_until = 0, lease_owner = NULL WHERE id = ?',
  );
  for (const c of plan.newCycles) newCycle.run(c.dueAt, c.eventGuid, c.id);
  const saveStats = q(
    db,
    'UPDATE webhooks SET total_calls = ?, total_errors = ?, consecutive_errors = ?, last_error = ?, state = ? WHERE id = ?',
  );
  for (const w of plan.webhooks) saveStats.run(w.totalCalls, w.totalErrors, w.consecutiveErrors, w.lastError, stateValue(w.state), w.id);
  for (const { webhook, eventGuid } of plan.switchedOff) {
    const tenant = q(db, 'SELECT identifier FROM tenants WHERE id = ?').pluck().get(webhook.tenantId) as string;
    signalEvents(db, webhook.tenantId, [stateEventRecord(webhook, 'errors', tenant, now)], now);
    if (webhook.errorsEmail) {
      const mail = errorsEmailMessage(webhook, eventGuid);
      q(db, 'INSERT INTO notifications (tenant_id, webhook_id, recipient, subject, body, created) VALUES (?, ?, ?, ?, ?, ?)').run(
        webhook.tenantId,
        webhook.id,
        webhook.errorsEmail,
        mail.subject,
        mail.body,
        now,
      );
    }
  }
}

export function nextDueAt(db: Db, now: number): number | null {
  const value = q(
    db,
    `SELECT min(x) FROM (SELECT (SELECT d.due_at FROM deliveries d WHERE d.webhook_id = w.id AND d.status = 0 AND d.lease_until <= ?
                                  ORDER BY d.due_at LIMIT 1) AS x FROM webhooks w WHERE w.state = 1)`,
  )
    .pluck()
    .get(now) as number | null;
  return value ?? null;
}

export function releaseLeases(db: Db, owner: string | null): void {
  if (owner === null) q(db, 'UPDATE deliveries SET lease_until = 0, lease_owner = NULL WHERE status = 0 AND lease_until > 0').run();
  else q(db, 'UPDATE deliveries SET lease_until = 0, lease_owner = NULL WHERE status = 0 AND lease_owner = ?').run(owner);
}

export function listDeliveries(db: Db, tenantId: number, webhookId: number, page: { top: number; skip: number }) {
  const owned = q(db, 'SELECT 1 FROM webhooks WHERE id = ? AND tenant_id = ?').get(webhookId, tenantId);
  if (!owned) return { items: [] as DeliveryView[], total: 0 };
  const total = q(db, 'SELECT count(*) FROM deliveries WHERE webhook_id = ?').pluck().get(webhookId) as number;
  const rows = q(
    db,
    `SELECT d.id, d.webhook_id, e.name, e.primary_key, d.event_guid, d.status, d.created, d.finished, d.due_at
       FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ? OFFSET ?`,
  ).all(webhookId, page.top, page.skip) as DeliveryRow[];
  const attempts = q(db, 'SELECT * FROM attempts WHERE delivery_id IN (SELECT value FROM json_each(?)) ORDER BY id').all(
    JSON.stringify(rows.map((r) => r.id)),
  ) as AttemptRow[];
  const items = toDeliveryViews(rows, attempts);
  return { items, total };
}

export function retryDelivery(db: Db, tenantId: number, webhookId: number, deliveryId: number, now: number, newGuid: string): boolean {
  return db
    .transaction(() => {
      const row = q(
        db,
        `SELECT d.status, d.event_id FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
           WHERE d.id = ? AND d.webhook_id = ? AND w.tenant_id = ?`,
      ).get(deliveryId, webhookId, tenantId) as { status: number; event_id: number } | undefined;
      if (!row) return false;
      if (row.status === 0) q(db, 'UPDATE deliveries SET due_at = ? WHERE id = ?').run(now, deliveryId);
      else {
        q(db, 'INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created) VALUES (?, ?, ?, ?, ?)').run(
          webhookId,
          row.event_id,
          newGuid,
          now,
          now,
        );
      }
      return true;
    })
    .immediate();
}

export function countQueued(db: Db, webhookId?: number): number {
  return (
    webhookId === undefined
      ? q(db, 'SELECT count(*) FROM deliveries WHERE status = 0').pluck().get()
      : q(db, 'SELECT count(*) FROM deliveries WHERE status = 0 AND webhook_id = ?').pluck().get(webhookId)
  ) as number;
}

export function prune(db: Db, before: number): { deliveries: number; events: number } {
  return db
    .transaction(() => {
      q(db, 'DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE status = 1 AND finished < ?)').run(before);
      const deliveries = q(db, 'DELETE FROM deliveries WHERE status = 1 AND finished < ?').run(before).changes;
      const events = q(
        db,
        'DELETE FROM events WHERE created < ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)',
      ).run(before).changes;
      return { deliveries, events };
    })
    .immediate();
}

export function unsentNotifications(db: Db, limit: number): Notification[] {
  return (q(db, 'SELECT * FROM notifications WHERE sent IS NULL ORDER BY id LIMIT ?').all(limit) as NotificationRow[]).map(toNotification);
}

export function markNotificationSent(db: Db, id: number, now: number): void {
  q(db, 'UPDATE notifications SET sent = ? WHERE id = ?').run(now, id);
}

export function listNotifications(db: Db, tenantId: number): Notification[] {
  return (q(db, 'SELECT * FROM notifications WHERE tenant_id = ? ORDER BY id').all(tenantId) as NotificationRow[]).map(toNotification);
}
