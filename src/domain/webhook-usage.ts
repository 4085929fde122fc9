/**
 * What the webhook list shows beside each webhook (12.1's panel, superoffice-webhooks.md §12): its last
 * attempt and result, its failures in the last 24 hours, and the badge those make with its state; past 12.1,
 * whether it is paused by a Retry-After or waiting behind a failing event (strict ordering). Pure: the store
 * reads one row per webhook, these functions decide what the row means at `now`.
 */
import type { Webhook } from './webhook.js';

/** 12.1's "Failures (24 h)" column. */
export const FAILURE_WINDOW_MS = 24 * 3_600_000;

/** Outcomes that are the receiver's failures. `throttled` is a pause the receiver asked for and `fault` is hookd's own. */
export const FAILED_OUTCOMES = ['failure', 'gone'] as const;

/** A webhook's newest attempt and the state of its delivery, as the store reads them. */
export interface LastAttempt {
  started: number;
  statusCode: number | null;
  outcome: string;
  stage: string | null;
  deliveryId: number;
  eventGuid: string;
  /** The delivery is still queued (status 0), due at `dueAt`. */
  deliveryQueued: boolean;
  dueAt: number | null;
}

/** A webhook's newest throttled attempt (a 429/503 with Retry-After) and the state of its delivery. */
export interface LastThrottle {
  /** When the receiver's answer came: started + duration. */
  answered: number;
  deliveryQueued: boolean;
  /** The pause's end: the same attempt is due again then. */
  dueAt: number | null;
}

/** One webhook's row of the list query. */
export interface UsageRow {
  webhookId: number;
  /** Failed attempts (FAILED_OUTCOMES) started in the window. */
  failures: number;
  last: LastAttempt | null;
  lastThrottle: LastThrottle | null;
}

export interface WebhookUsage {
  lastDelivery: number | null;
  lastOutcome: string | null;
  lastStatusCode: number | null;
  lastStage: string | null;
  failures24h: number;
  /** Failures in a row and the count that switches the webhook to TooManyErrors (the "7/9" of the badge). */
  consecutiveErrors: number;
  disableAfter: number;
  /** A 429/503 with Retry-After paused the webhook until then (null: not paused). */
  pausedUntil: number | null;
  /** Strict ordering: the failing delivery the others wait behind (null: the queue flows). */
  waitingFor: { deliveryId: number; eventGuid: string } | null;
}

/** 12.1's badges: Active (green), Active with failures (amber), Stopped (grey), Disabled (red). */
export type PanelStatus = 'Active' | 'ActiveWithFailures' | 'Stopped' | 'Disabled';

/** The badge of a webhook in `state` with `failures24h` failed attempts in the last 24 hours. */
export function panelStatus(state: string, failures24h: number): PanelStatus {
  if (state === 'TooManyErrors') return 'Disabled';
  if (state !== 'Active') return 'Stopped';
  return failures24h > 0 ? 'ActiveWithFailures' : 'Active';
}

/** What a webhook's row means at `now`; `disableAfter` is the retry policy's maxConsecutiveErrors. */
export function usageOf(webhook: Webhook, row: UsageRow | undefined, now: number, disableAfter: number): WebhookUsage {
  const last = row?.last ?? null;
  const queued = last !== null && last.deliveryQueued;
  // The owner starts nothing after a throttled answer until the pause ends, so the pause holds while its
  // delivery waits for a due time still ahead and no attempt started after that answer (attempts already in
  // flight then may have started later than the throttled one, but not after its answer).
  const t = row?.lastThrottle ?? null;
  const paused = t !== null && t.deliveryQueued && t.dueAt !== null && t.dueAt > now && (last === null || last.started <= t.answered);
  // Under strict ordering the newest attempt is the head's: when it failed and its delivery is still queued, the
  // events behind it wait (the delivery log's BlockedBy says the same for one webhook).
  const blocked = queued && webhook.ordering === 'Strict' && last.outcome !== 'success' && last.outcome !== 'throttled';
  return {
    lastDelivery: last?.started ?? null,
    lastOutcome: last?.outcome ?? null,
    lastStatusCode: last?.statusCode ?? null,
    lastStage: last?.stage ?? null,
    failures24h: row?.failures ?? 0,
    consecutiveErrors: webhook.consecutiveErrors,
    disableAfter,
    pausedUntil: paused ? t.dueAt : null,
    waitingFor: blocked ? { deliveryId: last.deliveryId, eventGuid: last.eventGuid } : null,
  };
}
