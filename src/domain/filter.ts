/**
 * Payload filters (a webhook's `Filter`): a MongoDB-style query over the fields a receiver would get. hookd checks
 * a filter first (filter-check.ts: only known operators, bounded sizes) and matches it itself: field reads are own-property
 * reads, recursion is bounded by the filter, and every regular expression runs on RE2 (re2js, linear time; no
 * backtracking engine ever sees a user's pattern). So a filter can neither run code nor stall the signal path.
 */
import { compileRegex, depthOf, type Filter, isObject, LOGICAL_OPERATORS, MAX_SHOWN_DEPTH } from './filter-check.js';
import type { RE2JS } from 're2js';
import { type EventRecord, payloadFields, type PayloadTarget } from './payload.js';

export type Matcher = (subject: unknown) => boolean;

/** The values a filter compares with: JSON data, read from the payload by own properties only. */
type Condition = (found: unknown[]) => boolean;

/**
 * Compiles a checked filter into a matcher (MongoDB semantics for the operators above). Every field read is an
 * own-property read, so `constructor`, `toString` or `length` of a string are absent unless the payload has them,
 * and recursion is bounded by the filter (path length, literal depth), never by the payload.
 * Throws on an unchecked filter: call filterProblems first.
 */
export function compileFilter(filter: Filter): Matcher {
  return compileQuery(filter);
}

function compileQuery(query: Record<string, unknown>): Matcher {
  const parts = Object.entries(query).map(([key, value]): Matcher => {
    if (key === '$and' || key === '$or' || key === '$nor') {
      const each = (value as Array<Record<string, unknown>>).map(compileQuery);
      if (key === '$and') return (doc) => each.every((m) => m(doc));
      if (key === '$or') return (doc) => each.some((m) => m(doc));
      return (doc) => !each.some((m) => m(doc));
    }
    if (key === '$not') {
      const inner = compileQuery(value as Record<string, unknown>);
      return (doc) => !inner(doc);
    }
    if (key.startsWith('$')) throw new Error(`unchecked filter: ${key}`);
    const path = key.split('.');
    const condition = compileCondition(value);
    return (doc) => condition(valuesAt(doc, path));
  });
  return (doc) => parts.every((m) => m(doc));
}

function isCondition(value: unknown): value is Record<string, unknown> {
  return isObject(value) && Object.keys(value).some((k) => k.startsWith('$'));
}

function compileCondition(value: unknown): Condition {
  if (!isCondition(value)) return (found) => equalsAny(found, value);
  const parts: Condition[] = [];
  for (const [op, operand] of Object.entries(value)) {
    switch (op) {
      case '$eq':
        parts.push((found) => equalsAny(found, operand));
        break;
      case '$ne':
        parts.push((found) => !equalsAny(found, operand));
        break;
      case '$in':
      case '$nin': {
        const list = operand as unknown[];
        const hit: Condition = (found) => list.some((literal) => equalsAny(found, literal));
        parts.push(op === '$in' ? hit : (found) => !hit(found));
        break;
      }
      case '$all':
        parts.push((found) => (operand as unknown[]).every((literal) => equalsAny(found, literal)));
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        parts.push((found) => someCandidate(found, (c) => compares(op, c, operand)));
        break;
      case '$exists':
        parts.push((found) => found.length > 0 === operand);
        break;
      case '$size':
        parts.push((found) => found.some((v) => Array.isArray(v) && v.length === operand));
        break;
      case '$regex': {
        const options = value.$options;
        let re: RE2JS;
        try {
          re = compileRegex(operand as string, typeof options === 'string' ? options : '');
        } catch {
          // Stored by an older hookd that took JavaScript syntax RE2 has not (lookarounds, \\u escapes): it matches
          // nothing rather than stopping every signal; a PUT shows the receiver the 400 that says why.
          parts.push(() => false);
          break;
        }
        parts.push((found) => someCandidate(found, (c) => typeof c === 'string' && re.test(c)));
        break;
      }
      case '$options':
        break;
      case '$not': {
        const inner = compileCondition(operand);
        parts.push((found) => !inner(found));
        break;
      }
      case '$elemMatch': {
        const scalar = Object.keys(operand as object).every((k) => k.startsWith('$') && !LOGICAL_OPERATORS.includes(k));
        const each = scalar ? compileCondition(operand) : null;
        const query = scalar ? null : compileQuery(operand as Record<string, unknown>);
        // Scalars meet a condition ({$gt: 1}); a query ({name: 'x'}) is about objects, as in MongoDB.
        const matches: Matcher = each ? (item) => each([item]) : (item) => isObject(item) && (query as Matcher)(item);
        parts.push((found) => found.some((v) => Array.isArray(v) && v.some(matches)));
        break;
      }
      default:
        throw new Error(`unchecked filter: ${op}`);
    }
  }
  return (found) => parts.every((c) => c(found));
}

/**
 * The values at a dotted path, as MongoDB finds them: a name steps into an object's own property, or into each
 * object of an array (one level); a number indexes an array. Recursion is as deep as the path, no deeper.
 */
function valuesAt(doc: unknown, path: string[]): unknown[] {
  // Through objects only (most paths: `FieldValues.country_id`), a loop; the first array met takes the general walk.
  let node = doc;
  for (let i = 0; i < path.length; i++) {
    if (Array.isArray(node)) {
      const found: unknown[] = [];
      walkValues(node, path, i, found);
      return found;
    }
    const part = path[i] as string;
    if (!isObject(node) || !Object.hasOwn(node, part)) return [];
    node = node[part];
  }
  return [node];
}

function walkValues(node: unknown, path: string[], i: number, found: unknown[]): void {
  if (i === path.length) {
    found.push(node);
    return;
  }
  const part = path[i] as string;
  if (Array.isArray(node)) {
    if (INDEX.test(part)) {
      if (Number(part) < node.length) walkValues(node[Number(part)], path, i + 1, found);
    } else for (const item of node) if (isObject(item) && Object.hasOwn(item, part)) walkValues(item[part], path, i + 1, found);
  } else if (isObject(node) && Object.hasOwn(node, part)) walkValues(node[part], path, i + 1, found);
}
const INDEX = /^\d+$/;

/**
 * Whether `test` holds for one of what comparisons look at: each value found, and the items of those that are arrays;
 * a missing field is null. Walked in place: a filter runs for every event signalled to its webhook (issue 22).
 */
function someCandidate(found: unknown[], test: (candidate: unknown) => boolean): boolean {
  if (found.length === 0) return test(null);
  for (const v of found) {
    if (test(v)) return true;
    if (Array.isArray(v)) for (const item of v as unknown[]) if (test(item)) return true;
  }
  return false;
}

/** `{field: literal}`: a value found equals it, or an array found holds it; null also matches a missing field. */
function equalsAny(found: unknown[], literal: unknown): boolean {
  if (found.length === 0) return equals(null, literal);
  for (const v of found) {
    if (equals(v, literal)) return true;
    if (Array.isArray(v)) for (const item of v as unknown[]) if (equals(item, literal)) return true;
  }
  return false;
}

function compares(op: string, value: unknown, literal: unknown): boolean {
  if ((op === '$gte' || op === '$lte') && equals(value, literal)) return true;
  if (typeof value !== typeof literal || (typeof value !== 'number' && typeof value !== 'string')) return false;
  const a = value as number | string;
  const b = literal as number | string;
  return op === '$gt' || op === '$gte' ? a > b : a < b;
}

/** JSON equality; recursion stops at the literal's depth, which filterProblems bounds. */
function equals(value: unknown, literal: unknown): boolean {
  if (value === literal) return true;
  if (Array.isArray(literal)) {
    return Array.isArray(value) && value.length === literal.length && literal.every((l, i) => equals(value[i], l));
  }
  if (isObject(literal)) {
    if (!isObject(value)) return false;
    const keys = Object.keys(literal);
    if (Object.keys(value).length !== keys.length) return false;
    return keys.every((k) => Object.hasOwn(value, k) && equals(value[k], literal[k]));
  }
  return false;
}

/** What a filter sees: the payload a receiver would get, without the per-delivery EventId. */
export function filterSubject(event: EventRecord, webhook: PayloadTarget): Record<string, unknown> {
  return payloadFields(event, null, webhook);
}

/** Compiled filters by their JSON: a memo (bounded, ~1 KB a filter) shared by every signal in the process. */
const compiled = new Map<string, Matcher>();
const COMPILED_MAX = 10_000;

function matcherOf(filterJson: string): Matcher {
  let m = compiled.get(filterJson);
  if (!m) {
    if (compiled.size >= COMPILED_MAX) compiled.clear();
    m = compileFilter(JSON.parse(filterJson) as Filter);
    compiled.set(filterJson, m);
  }
  return m;
}

/** Whether an event reaches a webhook with this stored filter (null: no filter, every event of its names). */
export function filterMatches(filterJson: string | null, event: EventRecord, webhook: PayloadTarget): boolean {
  if (filterJson === null) return true;
  return matcherOf(filterJson)(filterSubject(event, webhook));
}

export interface FilterVerdict {
  matches: boolean;
  /** For a miss: each top-level condition that failed, with the value the payload had there. */
  failed: Array<{ condition: Filter; value: unknown }>;
}

/** Matches a filter against a sample payload and says why it missed (Filter/Test). */
export function explainFilter(filter: Filter, subject: Record<string, unknown>): FilterVerdict {
  const matches = compileFilter(filter)(subject);
  const failed: FilterVerdict['failed'] = [];
  if (!matches) {
    for (const [key, value] of Object.entries(filter)) {
      const condition = { [key]: value };
      if (!compileFilter(condition)(subject))
        failed.push({ condition, value: key.startsWith('$') ? undefined : shownValueAt(subject, key) });
    }
  }
  return { matches, failed };
}

/** The value at a path as Filter/Test shows it: own properties only, and undefined when it nests too deep to echo. */
function shownValueAt(subject: unknown, path: string): unknown {
  let at: unknown = subject;
  for (const part of path.split('.')) {
    if (Array.isArray(at) && INDEX.test(part)) at = at[Number(part)];
    else if (isObject(at) && Object.hasOwn(at, part)) at = at[part];
    else return undefined;
  }
  return depthOf(at, MAX_SHOWN_DEPTH) > MAX_SHOWN_DEPTH ? undefined : at;
}
