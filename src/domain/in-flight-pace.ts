/**
 * How many requests one webhook may have in flight (issue 22). A webhook starts at the floor — the most a receiver
 * that hangs can hold — and earns more by answering: after `limit` quick successes in a row its limit doubles, up to
 * the ceiling (HOOKD_MAX_IN_FLIGHT_PER_WEBHOOK). A slow answer, a timeout or any failure sends it back to the floor.
 * So a fast receiver gets the concurrency a bare sender would use, and a hanging one holds no more than before.
 */

/** A webhook's in-flight limit at most, and where it starts. */
export interface InFlightPace {
  floor: number;
  ceiling: number;
}

/** The most slots a receiver not yet proven fast may hold (the per-webhook limit before issue 22). */
export const SLOW_RECEIVER_IN_FLIGHT = 16;

/** An answer quicker than this counts towards a higher limit. */
export const QUICK_ANSWER_MS = 1_000;

/** The pace for a ceiling: the floor is the ceiling when it is low already. */
export function paceFor(ceiling: number): InFlightPace {
  return { floor: Math.min(ceiling, SLOW_RECEIVER_IN_FLIGHT), ceiling };
}

export interface PaceState {
  limit: number;
  /** Quick successes since the limit last changed. */
  quickInARow: number;
}

/** The limit after one attempt: doubled after `limit` quick successes in a row, the floor after anything else. */
export function pacedAfter(state: PaceState, success: boolean, durationMs: number, pace: InFlightPace): PaceState {
  if (!success || durationMs >= QUICK_ANSWER_MS) return { limit: pace.floor, quickInARow: 0 };
  if (state.limit >= pace.ceiling) return state;
  const quick = state.quickInARow + 1;
  return quick >= state.limit
    ? { limit: Math.min(pace.ceiling, state.limit * 2), quickInARow: 0 }
    : { limit: state.limit, quickInARow: quick };
}
