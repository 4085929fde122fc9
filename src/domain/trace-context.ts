/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as hookd keeps it: the `traceparent` a SignalEvent request
 * carried (or its ingestion span's, when tracing is on) is stored with the event, shown in the delivery log by its
 * trace id, and sent on to receivers that opted in. Pure: parsing, formatting and the span ids hookd derives.
 */
import { createHash } from 'node:crypto';

/** Version 00 exactly, lowercase hex only: `00-<trace id>-<parent id>-<flags>` (55 characters). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The header as hookd keeps it, or null when it is absent or not a valid version-00 traceparent (other versions,
 * uppercase hex, all-zero ids, any extra character). A bad header is ignored, never an error: tracing is the
 * caller's aid, not part of the request. Checked by length first, so a 10 KB header costs nothing.
 */
export function validTraceParent(header: unknown): string | null {
  if (typeof header !== 'string' || header.length !== 55) return null;
  const m = TRACEPARENT.exec(header);
  if (m === null || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return null;
  return header;
}

/** The trace id (32 hex) of a stored traceparent; null without one. */
export function traceIdOf(traceParent: string | null | undefined): string | null {
  return traceParent ? traceParent.slice(3, 35) : null;
}

/** The parent (span) id (16 hex) of a stored traceparent. */
export function parentIdOf(traceParent: string): string {
  return traceParent.slice(36, 52);
}

/** The trace flags (2 hex) of a stored traceparent. */
export function flagsOf(traceParent: string): string {
  return traceParent.slice(53, 55);
}

/** A traceparent naming `spanId` as the parent, in the trace (and with the flags) of `traceParent`. */
export function childTraceParent(traceParent: string, spanId: string): string {
  return `00-${traceIdOf(traceParent)}-${spanId}-${flagsOf(traceParent)}`;
}

/** 16 hex from a hash of `key`, never all zeros: a span id hookd can name again without keeping it anywhere. */
export function derivedSpanId(key: string): string {
  const id = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return id === ZERO_SPAN ? '0000000000000001' : id;
}

/**
 * The span id of one attempt: from its EventId (a random UUID, new each retry cycle) and its Retry, so the
 * traceparent a receiver gets and the attempt span written after the answer (tracing on) name the same span
 * without the two meeting. With tracing off it is just an unpredictable id, unique per attempt.
 */
export function attemptSpanId(eventGuid: string, retry: number): string {
  return derivedSpanId(`attempt ${eventGuid} ${retry}`);
}

/** The span id of one delivery (the parent of its attempts), the same at every attempt, in any process. */
export function deliverySpanId(deliveryId: number, traceParent: string): string {
  return derivedSpanId(`delivery ${deliveryId} ${traceParent}`);
}
