/** The row both stores' webhook-usage query returns, and its reading (PostgreSQL's bigints arrive as strings). */
import type { UsageRow } from '../domain/webhook-usage.js';

export interface UsageDbRow {
  webhook_id: number | string;
  failures: number | string;
  started: number | string | null;
  status_code: number | null;
  outcome: string | null;
  stage: string | null;
  delivery_id: number | string | null;
  event_guid: string | null;
  delivery_status: number | null;
  due_at: number | string | null;
  throttle_answered: number | string | null;
  throttle_delivery_status: number | null;
  throttle_due_at: number | string | null;
}

export function toUsageRow(r: UsageDbRow): UsageRow {
  return {
    webhookId: Number(r.webhook_id),
    failures: Number(r.failures),
    last:
      r.started === null || r.outcome === null
        ? null
        : {
            started: Number(r.started),
            statusCode: r.status_code,
            outcome: r.outcome,
            stage: r.stage,
            deliveryId: Number(r.delivery_id),
            eventGuid: r.event_guid ?? '',
            // A pruned delivery reads as delivered: it is no longer queued.
            deliveryQueued: r.delivery_status === 0,
            dueAt: r.due_at === null ? null : Number(r.due_at),
          },
    lastThrottle:
      r.throttle_answered === null
        ? null
        : {
            answered: Number(r.throttle_answered),
            deliveryQueued: r.throttle_delivery_status === 0,
            dueAt: r.throttle_due_at === null ? null : Number(r.throttle_due_at),
          },
  };
}
