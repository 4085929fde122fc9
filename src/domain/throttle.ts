/**
 * How far a receiver's Retry-After is heeded (decisions.md "429 / 503 with Retry-After", README "Retry-After"):
 * a pause is never shorter than the retry cycle's first delay, so `Retry-After: 0` or a date in the past is not
 * a licence to hammer (24,415 attempts in 10 s before this floor); and a webhook throttled without a success for
 * longer than a bound is failing: from then on each throttled answer is an ordinary failed attempt, so a receiver
 * that throttles forever is switched off like any failing one. Pure: `now` and the throttled-since instant are
 * arguments; the owner of the webhook keeps that instant.
 */
import type { AttemptOutcome, RetryPolicy } from './retry-policy.js';

export interface ThrottleRule {
  /** The shortest pause a Retry-After gets. */
  floorMs: number;
  /** How long a webhook may be throttled without a success before its throttled answers count as failures. */
  maxThrottledMs: number;
}

/** NetServer's first cycle delay (1 s), the floor when a configured cycle has no delays at all. */
const NETSERVER_FIRST_DELAY_MS = 1000;

/** The rule for a retry policy: the floor is the cycle's first delay (what a plain failure would wait). */
export function throttleRule(policy: RetryPolicy, maxThrottledMs: number): ThrottleRule {
  return { floorMs: policy.cycleDelaysMs[0] ?? NETSERVER_FIRST_DELAY_MS, maxThrottledMs };
}

/** What an attempt comes to once the throttle rule is applied, and since when the webhook is throttled now. */
export interface ThrottleJudgement {
  outcome: AttemptOutcome;
  /** The instant of the first throttled answer since the last success (null: not throttled). */
  throttledSince: number | null;
}

/**
 * Applies the floor to a throttled answer, or turns it into a failure once the webhook has been throttled
 * for `maxThrottledMs` or longer. A success ends the throttled stretch; failures and hookd's own faults
 * leave it as it was (only a success shows the receiver is back).
 */
export function judgeThrottle(outcome: AttemptOutcome, throttledSince: number | null, rule: ThrottleRule, now: number): ThrottleJudgement {
  if (outcome.kind === 'success') return { outcome, throttledSince: null };
  if (outcome.kind !== 'throttled') return { outcome, throttledSince };
  const since = throttledSince ?? now;
  if (now - since >= rule.maxThrottledMs) {
    const error = `[throttled for more than ${Math.round(rule.maxThrottledMs / 1000)} s: counted as a failure] ${outcome.error}`;
    return { outcome: { kind: 'failure', status: outcome.status, stage: 'response', error }, throttledSince: since };
  }
  return { outcome: { ...outcome, retryAfterMs: Math.max(outcome.retryAfterMs, rule.floorMs) }, throttledSince: since };
}
