/**
 * The hookd extensions of a Webhook carrier that control delivery (README "Delivery controls"): MaxPerSecond,
 * Ordering, SendTraceContext and Filter, each read leniently as JSON, XML or form bodies carry them.
 */
import { pick } from './carrier-fields.js';
import type { FieldError } from './errors.js';
import { filterProblems } from './filter-check.js';
import { checkInput } from './input-guard.js';
import { MAX_PER_SECOND, type Ordering, ORDERINGS } from './webhook.js';

/** MaxPerSecond: attempts a second at most, fractions allowed (0.5 = one every 2 s); unset or null = no limit. */
export function readMaxPerSecond(raw: Record<string, unknown>, errors: FieldError[]): number | null {
  const v = pick(raw, 'MaxPerSecond');
  if (v === undefined || v === null || v === '' || v === 0 || v === '0') return null;
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < MAX_PER_SECOND.min || n > MAX_PER_SECOND.max) {
    errors.push({
      property: 'MaxPerSecond',
      rule: `must be a number of attempts a second from ${MAX_PER_SECOND.min} to ${MAX_PER_SECOND.max} (null or 0: no limit)`,
    });
    return null;
  }
  return n;
}

export function readOrdering(raw: Record<string, unknown>, errors: FieldError[]): Ordering {
  const v = pick(raw, 'Ordering');
  if (v === undefined || v === null || v === '') return 'None';
  const found =
    typeof v === 'string' ? ORDERINGS.find((o) => o.toLowerCase() === v.toLowerCase()) : v === 0 || v === 1 ? ORDERINGS[v] : undefined;
  if (found === undefined) errors.push({ property: 'Ordering', rule: "must be 'None' (0) or 'Strict' (1)" });
  return found ?? 'None';
}

/** SendTraceContext: true or false (XML and form bodies: the text `true`/`false`, or 1/0); unset: false. */
export function readSendTraceContext(raw: Record<string, unknown>, errors: FieldError[]): boolean {
  const v = pick(raw, 'SendTraceContext');
  if (v === undefined || v === null || v === '') return false;
  if (v === true || v === 1 || (typeof v === 'string' && /^(true|1)$/i.test(v))) return true;
  if (v === false || v === 0 || (typeof v === 'string' && /^(false|0)$/i.test(v))) return false;
  errors.push({ property: 'SendTraceContext', rule: 'must be true or false' });
  return false;
}

export function readFilter(raw: Record<string, unknown>, errors: FieldError[]): Record<string, unknown> | null {
  const v = pick(raw, 'Filter');
  if (v === undefined || v === null || v === '') return null;
  let parsed: unknown = v;
  if (typeof v === 'string') {
    // XML and form bodies carry the filter as JSON text.
    try {
      parsed = JSON.parse(v);
    } catch {
      errors.push({ property: 'Filter', rule: 'must be a JSON object such as {"FieldValues.amount": {"$gt": 100}}' });
      return null;
    }
    // JSON text inside a body is a body too: the same guard as the parsers' (prototype keys, depth).
    checkInput(parsed, 'request body');
  }
  const problems = filterProblems(parsed);
  errors.push(...problems);
  return problems.length === 0 && Object.keys(parsed as object).length > 0 ? (parsed as Record<string, unknown>) : null;
}
