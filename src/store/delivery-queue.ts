/**
 * The delivery engine's port to the store: the few operations the worker needs, and nothing of the
 * registry. A webhook is owned by one worker at a time; the owner holds a window of its queued
 * deliveries in memory, decides every outcome in pure code, and meets the store once per pass with
 * `exchange`: the results it finished go in, the next work comes out — one transaction on SQLite, one
 * statement on PostgreSQL.
 */
import type { EventRecord } from '../domain/payload.js';
import type { ReceiverAuth } from '../domain/receiver-auth.js';
import type { AttemptOutcome } from '../domain/retry-policy.js';
import type { CounterDelta, DeliveryStep } from '../domain/settlement.js';
import type { WebhookState } from '../domain/webhook.js';

/** What the owner needs to send a webhook's deliveries and keep its counters. */
export interface WebhookTarget {
  id: number;
  tenantId: number;
  name: string;
  type: string;
  targetUrl: string;
  secret: string | null;
  headers: Record<string, string> | null;
  properties: Record<string, unknown> | null;
  /** A secret rotation's overlap (signing/rotation.ts picks the keys). */
  previousSecret: string | null;
  previousSecretUntil: number | null;
  secretConfirmed: boolean;
  /** Client certificate, private CA, OAuth2 or basic auth (domain/receiver-auth.ts); null on most webhooks. */
  receiverAuth: ReceiverAuth | null;
  /** Deliveries carry a `traceparent` (hookd's extension SendTraceContext; false on most webhooks). */
  sendTraceContext: boolean;
}

/** An owned webhook as the store knows it: its target, state, counters and the version the API last wrote. */
export interface OwnedWebhookRow extends WebhookTarget {
  state: WebhookState;
  consecutiveErrors: number;
  /** Attempts a second at most (null: no limit). */
  maxPerSecond: number | null;
  /** One delivery at a time, oldest signalled first: the store hands out its queue in id order, due or not. */
  strict: boolean;
  /** `updated` and `updated_count` together: any API write changes it; the worker's counter writes do not. */
  version: string;
}

/** One queued delivery in an owner's window. */
export interface QueuedItem {
  deliveryId: number;
  webhookId: number;
  eventGuid: string;
  /** Attempts already made in the current cycle. */
  cycleAttempt: number;
  /** Attempts made in all cycles: the next X-SuperOffice-Retry. */
  attempts: number;
  dueAt: number;
  event: EventRecord;
}

/** A finished attempt and its consequence for the delivery. */
export interface SettledAttempt {
  deliveryId: number;
  webhookId: number;
  eventGuid: string;
  /** The X-SuperOffice-Retry value it was sent with. */
  retry: number;
  startedAt: number;
  durationMs: number;
  outcome: AttemptOutcome;
  /** Where the delivery goes: decided by the owner with the pure policy (domain/settlement.ts). */
  next: DeliveryStep;
}

/** The delivery ids of some results, by webhook (the owners' refills and SQLite's next-due lookup leave them out). */
export function deliveryIdsByWebhook(attempts: readonly SettledAttempt[]): Map<number, number[]> {
  const by = new Map<number, number[]>();
  for (const a of attempts) {
    const list = by.get(a.webhookId);
    if (list) list.push(a.deliveryId);
    else by.set(a.webhookId, [a.deliveryId]);
  }
  return by;
}

/** What a batch of attempts changes in one webhook's statistics, as deltas: decided by the owner (domain/settlement.ts). */
export type { CounterDelta };

export interface RefillRequest {
  webhookId: number;
  /** How many more deliveries the window has room for. */
  want: number;
  /** Strict ordering: the queue in id order, due or not (the owner waits for the head). */
  strict?: boolean;
  /** Its delivery ids the owner holds (waiting, in flight, on a cycle timer, or recorded by this exchange): never returned. */
  holding: number[];
  /**
   * Only deliveries after this one in due order (due time, then id): where the owner's last refill stopped. The owner
   * holds everything still queued before it, so `holding` then names only what it holds after it. Never with strict.
   */
  after?: RefillMark;
  /**
   * About how many bytes of event text the owner has room for (eventBytes): the first delivery whatever its size, then
   * only as many as fit. PostgreSQL cuts its answer there, so a refill never carries a window of large events through
   * memory; SQLite cuts each refill as it reads it, before the next. None: no bound.
   */
  maxBytes?: number;
}

/** A place in a webhook's queue in due order: the last delivery a refill handed out. */
export interface RefillMark {
  dueAt: number;
  id: number;
}

export interface ExchangeRequest {
  owner: string;
  now: number;
  /** How long a webhook lease lasts from now (shared stores). */
  leaseMs: number;
  attempts: SettledAttempt[];
  counters: CounterDelta[];
  /** Every webhook the owner holds, with the version it knows: changed ones come back. */
  owned: Array<{ webhookId: number; version: string }>;
  /** Owned webhooks to give back (nothing of theirs is in flight). */
  release: number[];
  refill: RefillRequest[];
  /** How many more webhooks with due work to take at most; 0 = none this pass. A shared store also holds it to the fair share. */
  acquire: number;
  /** Window size for a newly taken webhook. */
  acquireWant: number;
  /** The byte room of a newly taken webhook (as RefillRequest.maxBytes); none: no bound. */
  acquireMaxBytes?: number;
  /** Compare the owned webhooks' versions (a shared store always does: it checks ownership in the same statement). */
  checkVersions: boolean;
  /** Renew every owned lease and this process's heartbeat (shared stores; the owner asks a few times a lease). */
  renew: boolean;
}

export interface ExchangeResult {
  /** Webhooks taken by this exchange, and owned ones whose version changed: the owner's view is replaced. */
  webhooks: OwnedWebhookRow[];
  /** Owned webhooks this owner no longer holds (lease taken over, or deleted). */
  lost: number[];
  /** New window items, oldest first per webhook. */
  deliveries: QueuedItem[];
  /**
   * For refilled webhooks whose window came back short: when their next queued delivery that was not handed out
   * falls due — this exchange's own reschedules included, even one due at once (a new cycle) — or null: none.
   */
  nextDue: Array<{ webhookId: number; at: number | null }>;
  /** Processes sharing the work (1 on a store only this process uses). */
  workers: number;
  /** Webhooks with due work, owned by anyone or no one: with `workers`, each owner's fair share. Null when not counted (no acquire, or one process). */
  busyWebhooks: number | null;
}

export interface DeliveryQueue {
  /** Several processes share this queue: leases, heartbeats and fair shares matter. */
  readonly shared: boolean;
  exchange(request: ExchangeRequest): Promise<ExchangeResult>;
  /** Gives back every webhook this owner holds (a clean stop). */
  releaseAll(owner: string): Promise<void>;
  /** Calls `listener` when another process may have stored work: a wake-up hint; polling stays the truth. */
  watchWork(listener: () => void): Promise<() => Promise<void>>;
  /**
   * An unshared store only (SQLite): after each commit of signalled events, the deliveries it queued are handed to
   * `listener` — already in memory, so an owner that has nothing else waiting need not read them back (a refill
   * read was ~8 µs of a delivery). They stay queued in the store: the hand-off is a copy, never the record.
   * A shared store (PostgreSQL) leaves this out: another process may own the webhook, and an exchange in flight
   * could read the same rows.
   */
  onQueued?(listener: (items: QueuedItem[]) => void): void;
}
