/** The delivery log of one webhook: read a page of it, or send one delivery again (hookd extensions). */
import { HookdError } from '../domain/errors.js';
import { bucketStats, MAX_BUCKETS, parseInstant, parseSpan, type StatsBucket } from '../domain/stats.js';
import type { EventRecord } from '../domain/payload.js';
import type { Webhook } from '../domain/webhook.js';
import { FAILURE_WINDOW_MS, type WebhookUsage, usageOf } from '../domain/webhook-usage.js';
import type { Clock } from '../lib/clock.js';
import type { DeliveryView, QueueHead } from '../domain/delivery-view.js';
import type { Notification } from '../domain/notification.js';
import type { Notifications } from '../store/notifications.js';
import type { DeliveryLog } from '../store/delivery-log.js';
import type { Caller } from './caller.js';
import type { WebhookService } from './webhook-service.js';
import { newGuid } from '../lib/guid.js';

/** Deliveries one page may carry at most. */
export const MAX_PAGE = 1000;
/** Attempts one Stats answer reads at most. */
export const MAX_STATS_ATTEMPTS = 1_000_000;

/** Builds the request hookd sends for a delivery (the HTTP plugin's own builder, wired by the composition root). */
export type DescribeRequest = (
  event: EventRecord,
  eventGuid: string,
  retry: number,
  webhook: Webhook,
) => { headers: Record<string, string>; body: string } | null;

export class DeliveryLogService {
  constructor(
    private readonly deps: {
      /** The ports this service uses: the delivery log and the notifications. */
      deliveryLog: DeliveryLog;
      notifications: Notifications;
      clock: Clock;
      webhooks: WebhookService;
      onWork: () => void;
      /** A queued delivery was retried now: the worker that keeps it for later sends it at once (else onWork). */
      onRetried?: (webhookId: number, deliveryId: number) => void;
      describeRequest?: DescribeRequest;
      /** Failures in a row that switch a webhook off (the retry policy's; NetServer's 9 when not given). */
      maxConsecutiveErrors?: number;
    },
  ) {}

  /** The list's figures for webhooks the caller listed (domain/webhook-usage.ts), read in one query. */
  async usage(caller: Caller, webhooks: Webhook[]): Promise<Map<number, WebhookUsage>> {
    const now = this.deps.clock.now();
    const ids = webhooks.map((w) => w.id);
    const rows = ids.length === 0 ? [] : await this.deps.deliveryLog.webhookUsage(caller.tenant.id, ids, now - FAILURE_WINDOW_MS);
    const byId = new Map(rows.map((r) => [r.webhookId, r]));
    const disableAfter = this.deps.maxConsecutiveErrors ?? 9;
    return new Map(webhooks.map((w) => [w.id, usageOf(w, byId.get(w.id), now, disableAfter)]));
  }

  /** Newest first, `page.top` at most MAX_PAGE; the webhook must be the caller's (404 otherwise). */
  /**
   * A page of the log, newest first. For a webhook with strict ordering also `blockedBy`: the oldest queued
   * delivery once an attempt of it has failed (the events behind it wait), or null when the queue flows.
   */
  async list(
    caller: Caller,
    webhookId: number,
    page: { top: number; skip: number },
    options: { describe?: boolean } = {},
  ): Promise<{ items: DeliveryView[]; total: number; blockedBy?: QueueHead | null; rotation?: { until: number; confirmed: boolean } }> {
    const webhook = await this.deps.webhooks.get(caller, webhookId);
    const { items, total, head } = await this.deps.deliveryLog.listDeliveries(caller.tenant.id, webhook.id, page);
    // The request as sent is signed per delivery: an export that does not show it skips the work.
    const describe = options.describe === false ? undefined : this.deps.describeRequest;
    if (describe) {
      for (const d of items) {
        const retry = d.attempts.at(-1)?.retry ?? 0;
        d.request = describe(d.record, d.attempts.at(-1)?.eventGuid ?? d.eventGuid, retry, webhook) ?? undefined;
      }
    }
    // A secret rotation in its overlap: deliveries are signed with both secrets (README "Delivery controls").
    const rotation =
      webhook.previousSecret !== null && webhook.previousSecretUntil !== null && webhook.previousSecretUntil > this.deps.clock.now()
        ? { rotation: { until: webhook.previousSecretUntil, confirmed: webhook.secretConfirmed } }
        : {};
    if (webhook.ordering !== 'Strict') return { items, total, ...rotation };
    return { items, total, blockedBy: head !== null && head.attempts > 0 ? head : null, ...rotation };
  }

  /** Queues it again: a queued one becomes due now, a finished one is copied with a new EventId. */
  async retry(caller: Caller, webhookId: number, deliveryId: number): Promise<void> {
    const webhook = await this.deps.webhooks.get(caller, webhookId);
    if (!(await this.deps.deliveryLog.retryDelivery(caller.tenant.id, webhook.id, deliveryId, this.deps.clock.now(), newGuid()))) {
      throw new HookdError('delivery_not_found', { id: deliveryId, webhookId: webhook.id });
    }
    if (this.deps.onRetried) this.deps.onRetried(webhook.id, deliveryId);
    else this.deps.onWork();
  }

  /**
   * A webhook's attempts in buckets (`Since` default 24 h ago, `Until` default now, `Bucket` default 1 h): the
   * numbers a dashboard charts. At most MAX_BUCKETS buckets and MAX_STATS_ATTEMPTS attempts (`Truncated` then).
   */
  async stats(
    caller: Caller,
    webhookId: number,
    query: { since?: string; until?: string; bucket?: string },
  ): Promise<{ since: number; until: number; bucketMs: number; buckets: StatsBucket[]; truncated: boolean }> {
    const webhook = await this.deps.webhooks.get(caller, webhookId);
    const now = this.deps.clock.now();
    const since = parseInstant(query.since ?? '24h', now);
    if (since === null)
      throw new HookdError('invalid_parameter', { name: 'Since', rule: "must be a date-time or a span before now such as '2h'" });
    const until = query.until === undefined ? now : parseInstant(query.until, now);
    if (until === null || until <= since) {
      throw new HookdError('invalid_parameter', { name: 'Until', rule: 'must be a date-time or a span before now, later than Since' });
    }
    const bucketMs = parseSpan(query.bucket ?? '1h');
    if (bucketMs === null || bucketMs === 0)
      throw new HookdError('invalid_parameter', { name: 'Bucket', rule: "must be a span such as '5m', '1h' or '1d'" });
    if ((until - since) / bucketMs > MAX_BUCKETS) {
      throw new HookdError('invalid_parameter', {
        name: 'Bucket',
        rule: `makes more than ${MAX_BUCKETS} buckets between Since and Until: choose a longer one`,
      });
    }
    const samples = await this.deps.deliveryLog.attemptsBetween(webhook.id, since, until, MAX_STATS_ATTEMPTS + 1);
    const truncated = samples.length > MAX_STATS_ATTEMPTS;
    return {
      since,
      until,
      bucketMs,
      buckets: bucketStats(truncated ? samples.slice(0, MAX_STATS_ATTEMPTS) : samples, since, until, bucketMs),
      truncated,
    };
  }

  /** The caller's in-app notifications (NotifyVia InApp of the webhooks that name the caller in ErrorAssociates). */
  async notifications(caller: Caller): Promise<Notification[]> {
    return this.deps.notifications.listNotifications(caller.tenant.id, caller.associate.id);
  }
}
