/**
 * What happens after an attempt (webhook-notification.md "Failed Webhook notification attempts",
 * decisions.md): pure functions of the attempt's outcome, the webhook's counters and the clock.
 */
import type { WebhookState } from './webhook.js';

export interface RetryPolicy {
  /** Waits between the attempts of one cycle: NetServer waits 1 s, then 4 s (3 attempts a cycle). */
  cycleDelaysMs: readonly number[];
  /** Consecutive failed attempts that switch a webhook to TooManyErrors: 9 (3 cycles of 3). */
  maxConsecutiveErrors: number;
}

export const NETSERVER_POLICY: RetryPolicy = { cycleDelaysMs: [1000, 4000], maxConsecutiveErrors: 9 };

/**
 * Where a failed attempt stopped: the receiver's stages, then hookd's own (house-style.md 8). `auth`: the webhook's
 * OAuth2 token endpoint failed, so nothing was sent to the receiver (issue 25); it counts as the webhook's failure.
 */
export type FailureStage = 'target-check' | 'connect' | 'tls' | 'timeout' | 'network' | 'response' | 'handler' | 'auth';
/** hookd's own faults: no plugin or handler for the webhook, the store failing. Never the receiver's fault. */
export type FaultStage = 'prepare' | 'store';

/**
 * What one attempt came to (decisions.md: any 2xx succeeds, 410 Gone disables, all else fails; hookd's
 * own faults are retried later and never count against the webhook).
 */
export type AttemptOutcome =
  | { kind: 'success'; status: number }
  | { kind: 'gone'; status: number; stage: 'response'; error: string }
  | { kind: 'failure'; status: number | null; stage: FailureStage; error: string }
  /** 429 or 503 with Retry-After (README "Retry-After"): the webhook pauses, the same attempt is repeated, nothing counts as an error. */
  | { kind: 'throttled'; status: number; stage: 'response'; error: string; retryAfterMs: number }
  | { kind: 'fault'; status: null; stage: FaultStage; error: string };

export function classifyStatus(status: number): 'success' | 'gone' | 'failure' {
  if (status >= 200 && status < 300) return 'success';
  if (status === 410) return 'gone';
  return 'failure';
}

/**
 * The pause a 429 or 503 asks for with Retry-After (RFC 9110 §10.2.3: seconds, or an HTTP date), capped at
 * `maxMs`; null when the status or the header does not ask for one (then it is a plain failure).
 */
export function retryAfterMs(status: number, header: string | undefined, now: number, maxMs: number): number | null {
  if ((status !== 429 && status !== 503) || header === undefined) return null;
  const text = header.trim();
  let ms: number;
  if (/^\d+$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at) || !/[a-z]/i.test(text)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), maxMs);
}

/** Where a delivery stands in its cycle. */
export interface CyclePosition {
  /** Attempts already made in the current cycle (0 before the first). */
  cycleAttempt: number;
}

/** The next step for a delivery after a failed attempt. */
export type NextStep = { kind: 'retry-in-cycle'; dueAt: number; cycleAttempt: number } | { kind: 'back-of-queue'; dueAt: number };

export function nextStepAfterFailure(position: CyclePosition, policy: RetryPolicy, now: number): NextStep {
  const made = position.cycleAttempt + 1;
  const delay = policy.cycleDelaysMs[made - 1];
  if (delay !== undefined) return { kind: 'retry-in-cycle', dueAt: now + delay, cycleAttempt: made };
  // The cycle is over: the event goes to the back of the queue with a new EventId (new cycle).
  return { kind: 'back-of-queue', dueAt: now };
}

const LAST_ERROR_MAX = 4000;

/** `last_error` is cut to the 4000 characters of its column. */
export function cutLastError(text: string): string {
  return text.length > LAST_ERROR_MAX ? text.slice(0, LAST_ERROR_MAX) : text;
}

/** The state event a state change fires, if any (decisions.md "back to Active"). */
export function stateChangeVerb(from: WebhookState, to: WebhookState): 'started' | 'stopped' | 'errors' | null {
  if (from === to) return null;
  if (to === 'Active') return 'started';
  if (to === 'Stopped') return 'stopped';
  if (to === 'TooManyErrors') return 'errors';
  return null;
}
