/**
 * The Stats API's numbers, without I/O: a webhook's attempts in time buckets — how many, how many succeeded
 * and failed, failures by status code, and the p50/p95 of attempt durations — what a dashboard charts.
 */

/** One attempt as the Stats API reads it. */
export interface AttemptSample {
  started: number;
  durationMs: number;
  statusCode: number | null;
  outcome: string;
}

export interface StatsBucket {
  Start: number;
  Attempts: number;
  Successes: number;
  Failures: number;
  /** Answers that asked for a pause (429/503 with Retry-After): not failures. */
  Throttled: number;
  /** Failed attempts by status code (`none`: no answer). */
  FailuresByStatus: Record<string, number>;
  P50Ms: number | null;
  P95Ms: number | null;
}

/** The most buckets one answer may hold. */
export const MAX_BUCKETS = 1000;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `5m`, `1h`, `7d` as milliseconds, or null. */
export function parseSpan(text: string): number | null {
  const m = /^(\d{1,6})([smhd])$/.exec(text.trim());
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : null;
}

/** A point in time: an ISO date-time, or a span before `now` (`2h` = two hours ago). */
export function parseInstant(text: string, now: number): number | null {
  const span = parseSpan(text);
  if (span !== null) return now - span;
  if (!/^\d{4}-\d\d-\d\d/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** The q-th quantile (0–1) of sorted values, nearest rank. */
function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export function bucketStats(samples: readonly AttemptSample[], since: number, until: number, bucketMs: number): StatsBucket[] {
  const count = Math.max(0, Math.ceil((until - since) / bucketMs));
  const durations: number[][] = Array.from({ length: count }, () => []);
  const buckets: StatsBucket[] = Array.from({ length: count }, (_, i) => ({
    Start: since + i * bucketMs,
    Attempts: 0,
    Successes: 0,
    Failures: 0,
    Throttled: 0,
    FailuresByStatus: {},
    P50Ms: null,
    P95Ms: null,
  }));
  for (const s of samples) {
    // Until is inclusive: what started at that very instant belongs to the last bucket.
    const i = s.started === until ? count - 1 : Math.floor((s.started - since) / bucketMs);
    const b = buckets[i];
    if (!b) continue;
    b.Attempts++;
    (durations[i] as number[]).push(s.durationMs);
    if (s.outcome === 'success') b.Successes++;
    else if (s.outcome === 'throttled') b.Throttled++;
    else if (s.outcome !== 'fault') {
      b.Failures++;
      const key = s.statusCode === null ? 'none' : String(s.statusCode);
      b.FailuresByStatus[key] = (b.FailuresByStatus[key] ?? 0) + 1;
    }
  }
  buckets.forEach((b, i) => {
    const sorted = (durations[i] as number[]).sort((x, y) => x - y);
    b.P50Ms = quantile(sorted, 0.5);
    b.P95Ms = quantile(sorted, 0.95);
  });
  return buckets;
}
