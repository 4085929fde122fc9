/**
 * A delivery whose first attempt succeeded keeps that attempt in its own row (issue 22: SQLite migration 013,
 * PostgreSQL migration 014) instead of a row of `attempts`. The readers on both stores turn it back into an attempt:
 * the delivery log, the Stats samples and the webhook list's last attempt.
 */
import type { AttemptRow, DeliveryRow } from './rows.js';
import type { UsageDbRow } from './usage-rows.js';

/** A delivery row with its folded first attempt (null: not folded). PostgreSQL's bigints come as strings. */
export interface FoldedDeliveryRow extends DeliveryRow {
  ok_started: number | string | null;
  ok_duration_ms: number | null;
  ok_status: number | null;
}

/** The first attempt a delivery's row keeps, as an attempt row (it was its first and only send: Retry 0). */
export function foldedAttempt(r: FoldedDeliveryRow): AttemptRow {
  return {
    // Its delivery's id, negated: unique beside the attempt rows' ids, and the same at every read.
    id: -Number(r.id),
    delivery_id: Number(r.id),
    event_guid: r.event_guid,
    retry: 0,
    started: Number(r.ok_started ?? 0),
    duration_ms: r.ok_duration_ms ?? 0,
    status_code: r.ok_status,
    outcome: 'success',
    stage: null,
    error: null,
  };
}

/** A webhook's newest folded first attempt, with its delivery. */
export interface FoldedRow {
  webhook_id: number | string;
  id: number | string;
  ok_started: number | string;
  ok_status: number;
  event_guid: string;
  status: number;
  due_at: number | string;
}

/** The webhook's last attempt for its list row: the folded one when it started after its newest attempt row. */
export function newerFolded(r: UsageDbRow, folded: FoldedRow | undefined): UsageDbRow {
  if (!folded || (r.started !== null && Number(r.started) >= Number(folded.ok_started))) return r;
  return {
    ...r,
    started: folded.ok_started,
    status_code: folded.ok_status,
    outcome: 'success',
    stage: null,
    delivery_id: folded.id,
    event_guid: folded.event_guid,
    delivery_status: folded.status,
    due_at: folded.due_at,
  };
}
