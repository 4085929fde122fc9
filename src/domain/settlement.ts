/**
 * Settling attempts, without I/O: where a delivery goes after an attempt, and what a batch of attempts
 * does to its webhook's statistics, as deltas the owner hands to the store. The owner of a webhook is its
 * only writer of statistics, so its running consecutive count decides TooManyErrors exactly.
 */
import { type AttemptOutcome, cutLastError, nextStepAfterFailure, type RetryPolicy } from './retry-policy.js';

/** Where a delivery goes after an attempt. */
export type DeliveryStep =
  | { kind: 'delivered' }
  | { kind: 'retry'; dueAt: number; cycleAttempt: number }
  | { kind: 'new-cycle'; dueAt: number; eventGuid: string }
  /** hookd's own fault: due again later, the attempt not counted. */
  | { kind: 'later'; dueAt: number };

/** hookd's own faults (no plugin, no handler) are tried again after this long: the host may register one meanwhile. */
export const FAULT_RETRY_MS = 5_000;

export function stepAfter(
  outcome: AttemptOutcome,
  position: { cycleAttempt: number },
  policy: RetryPolicy,
  now: number,
  newGuid: () => string,
): DeliveryStep {
  if (outcome.kind === 'success') return { kind: 'delivered' };
  if (outcome.kind === 'fault') return { kind: 'later', dueAt: now + FAULT_RETRY_MS };
  // The receiver asked for a pause: the same attempt again after it, the cycle where it was.
  if (outcome.kind === 'throttled') return { kind: 'later', dueAt: now + outcome.retryAfterMs };
  const step = nextStepAfterFailure(position, policy, now);
  if (step.kind === 'retry-in-cycle') return { kind: 'retry', dueAt: step.dueAt, cycleAttempt: step.cycleAttempt };
  return { kind: 'new-cycle', dueAt: step.dueAt, eventGuid: newGuid() };
}

/** One webhook's statistics changes over a batch of attempts. */
export interface Tally {
  calls: number;
  errors: number;
  /** A success in the batch: consecutive_errors restarts from `consecutiveAdd`. */
  consecutiveReset: boolean;
  consecutiveAdd: number;
  lastError: string | null;
  /** The EventId of the attempt that switched the webhook off, if one did. */
  tripGuid: string | null;
  /** The EventId of the first failed attempt after a success (NotifyWhen FirstFailure), if one was in the batch. */
  firstFailureGuid: string | null;
}

export function emptyTally(): Tally {
  return { calls: 0, errors: 0, consecutiveReset: false, consecutiveAdd: 0, lastError: null, tripGuid: null, firstFailureGuid: null };
}

/**
 * Adds one attempt to `tally` (changed in place: it is the owner's scratch for one pass) and returns the
 * webhook's running consecutive count. At the limit, or on 410 Gone, an Active webhook trips once.
 */
export function tallyAttempt(
  tally: Tally,
  consecutiveBefore: number,
  outcome: AttemptOutcome,
  eventGuid: string,
  policy: RetryPolicy,
): { consecutive: number; trips: boolean } {
  if (outcome.kind === 'fault') return { consecutive: consecutiveBefore, trips: false };
  tally.calls++;
  // A pause the receiver asked for is a call, not an error: TotalErrors, ConsecutiveErrors and LastError stay.
  if (outcome.kind === 'throttled') return { consecutive: consecutiveBefore, trips: false };
  if (outcome.kind === 'success') {
    tally.consecutiveReset = true;
    tally.consecutiveAdd = 0;
    return { consecutive: 0, trips: false };
  }
  tally.errors++;
  tally.consecutiveAdd++;
  tally.lastError = cutLastError(outcome.error);
  if (consecutiveBefore === 0 && tally.firstFailureGuid === null) tally.firstFailureGuid = eventGuid;
  const consecutive = consecutiveBefore + 1;
  const trips = tally.tripGuid === null && (outcome.kind === 'gone' || consecutive >= policy.maxConsecutiveErrors);
  if (trips) tally.tripGuid = eventGuid;
  return { consecutive, trips };
}

/** Two tallies of one webhook in order, as one (an exchange failed and its counts go out with the next). */
export function mergeTallies(older: Tally, newer: Tally): Tally {
  return {
    calls: older.calls + newer.calls,
    errors: older.errors + newer.errors,
    consecutiveReset: older.consecutiveReset || newer.consecutiveReset,
    consecutiveAdd: newer.consecutiveReset ? newer.consecutiveAdd : older.consecutiveAdd + newer.consecutiveAdd,
    lastError: newer.lastError ?? older.lastError,
    tripGuid: older.tripGuid ?? newer.tripGuid,
    firstFailureGuid: older.firstFailureGuid ?? newer.firstFailureGuid,
  };
}

/** One webhook's statistics changes as the store applies them at an exchange. */
export interface CounterDelta {
  webhookId: number;
  calls: number;
  errors: number;
  /** Set when the batch had a success: consecutive_errors restarts from `consecutiveAdd`. */
  consecutiveReset: boolean;
  consecutiveAdd: number;
  /** The last failure's text, or null to keep the stored one. */
  lastError: string | null;
  /** The owner switched it to TooManyErrors: the store fires `webhook{id}.errors` and records the e-mail. */
  trip: { eventGuid: string } | null;
  /** The batch had the first failed attempt after a success: the store records the FirstFailure notices. */
  firstFailure: { eventGuid: string } | null;
}

/** What one webhook's tally asks of the store at the next exchange (the store only applies it). */
export function counterDelta(webhookId: number, t: Tally): CounterDelta {
  return {
    webhookId,
    calls: t.calls,
    errors: t.errors,
    consecutiveReset: t.consecutiveReset,
    consecutiveAdd: t.consecutiveAdd,
    lastError: t.lastError,
    trip: t.tripGuid === null ? null : { eventGuid: t.tripGuid },
    firstFailure: t.firstFailureGuid === null ? null : { eventGuid: t.firstFailureGuid },
  };
}
