/** The delivery log's port (DeliveryLogService, /metrics): what was sent and tried, retrying one delivery, the figures. */
import type { DeliveryView, QueueHead } from '../domain/delivery-view.js';
import type { AttemptSample } from '../domain/stats.js';
import type { UsageRow } from '../domain/webhook-usage.js';

/** What /metrics reads from the store at each scrape. */
export interface StoreSnapshot {
  queued: number;
  /** When the oldest delivery that is due now fell due, or null: none is due. */
  oldestDueAt: number | null;
  /** Webhooks by State name. */
  webhooks: Record<string, number>;
}

export interface DeliveryLog {
  /** A page of a webhook's deliveries, newest first, with their attempts; nothing for another tenant's webhook. */
  listDeliveries(
    tenantId: number,
    webhookId: number,
    page: { top: number; skip: number },
  ): Promise<{ items: DeliveryView[]; total: number; head: QueueHead | null }>;
  /** Queues a delivery again: a queued one becomes due now, a delivered one is copied with a new EventId. */
  retryDelivery(tenantId: number, webhookId: number, deliveryId: number, now: number, newGuid: string): Promise<boolean>;
  /** Queued deliveries, of one webhook or all. */
  countQueued(webhookId?: number): Promise<number>;
  /** Queue depth, the oldest due delivery and webhooks by state (/metrics). */
  snapshot(now: number): Promise<StoreSnapshot>;
  /** For each of these webhooks of the tenant: failed attempts since `failuresSince` and the newest attempt (one query). */
  webhookUsage(tenantId: number, ids: number[], failuresSince: number): Promise<UsageRow[]>;
  /** A webhook's attempts started in [since, until], oldest first, at most `limit` (the Stats API). */
  attemptsBetween(webhookId: number, since: number, until: number, limit: number): Promise<AttemptSample[]>;
}
