/**
 * The delivery log as CSV (the Events tab's export; `GET …/Deliveries?Format=csv`): RFC 4180 — CRLF line ends,
 * fields quoted when they hold a comma, quote, CR or LF — one line per delivery with its newest attempt's result.
 * A field a spreadsheet would run as a formula (= + - @ at its start; event names may be custom) gets a leading
 * apostrophe (OWASP's advice on CSV injection). TraceId (issue 26) is last, so columns read by position keep theirs.
 */
import { traceIdOf } from '../domain/trace-context.js';
import type { DeliveryView } from '../domain/delivery-view.js';

export const DELIVERY_CSV_COLUMNS = [
  'DeliveryId',
  'EventId',
  'Event',
  'PrimaryKey',
  'Created',
  'Status',
  'Attempts',
  'StatusCode',
  'Outcome',
  'Stage',
  'LastAttempt',
  'Finished',
  'TraceId',
] as const;

/** One CSV field. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One delivery's line (without its line end). */
export function deliveryCsvLine(d: DeliveryView, format: (ms: number) => string): string {
  const last = d.attempts.at(-1) ?? null;
  return [
    d.deliveryId,
    // The EventId the receiver saw last (a new retry cycle sends a new one).
    last?.eventGuid ?? d.eventGuid,
    d.event,
    d.primaryKey,
    format(d.created),
    d.status,
    d.attempts.length,
    last?.statusCode ?? null,
    last?.outcome ?? null,
    last?.stage ?? null,
    last === null ? null : format(last.started),
    d.finished === null ? null : format(d.finished),
    traceIdOf(d.record.traceParent),
  ]
    .map(csvField)
    .join(',');
}

export function deliveryCsvHeader(): string {
  return DELIVERY_CSV_COLUMNS.join(',');
}
