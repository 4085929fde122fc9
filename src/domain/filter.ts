/**
 * Payload filters (a webhook's `Filter`): a MongoDB-style query over the fields a receiver would get. hookd checks
 * a filter first — only the operators below, bounded sizes — and matches it itself: field reads are own-property
 * reads, recursion is bounded by the filter, and every regular expression runs on RE2 (re2js, linear time; no
 * backtracking engine ever sees a user's pattern). So a filter can neither run code nor stall the signal path.
 */
import { RE2JS } from 're2js';
import type { FieldError } from './errors.js';
import { type EventRecord, payloadObject, type PayloadTarget } from './payload.js';

/** Operators a filter may use on a field. */
const FIELD_OPERATORS = [
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$in',
  '$nin',
  '$exists',
  '$regex',
  '$options',
  '$not',
  '$all',
  '$size',
  '$elemMatch',
];
/** Operators that combine whole filters. */
const LOGICAL_OPERATORS = ['$and', '$or', '$nor', '$not'];
/** A filter's JSON may be this long: the Webhook table's longest text column (Events, TargetUrl) is 4000. */
export const FILTER_MAX_CHARS = 4000;
const MAX_DEPTH = 8;
const MAX_LIST = 500;
const MAX_PATTERN = 200;
/**
 * RE2 is linear in the text, but its constant grows with the compiled program when the lazy DFA thrashes and builds
 * a state per character (counted repetitions of wide classes: `\\pL{990}X` took 4.6 s on 100 KB, `a.{0,48}xa{20}q`
 * 100 ms). With repeats of at most 12 and programs of at most 100 steps, the worst pattern found, `a.{0,12}xa{12}q`
 * with `s` on random "axq", took 48–65 ms on 100 KB with a fresh compile (/tmp/hookd-notes/measure-filters.mts).
 */
const MAX_REPEAT = 12;
const MAX_PROGRAM = 100;
/** Literals nest at most this deep (equality recurses through them). */
const MAX_LITERAL_DEPTH = 16;
/** Filter/Test shows the value a condition saw only when it nests at most this deep (the body limit's depth). */
const MAX_SHOWN_DEPTH = 32;
const PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export type Filter = Record<string, unknown>;
export type Matcher = (subject: unknown) => boolean;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every problem of a filter, each naming the path or operator at fault (property `Filter…`). */
export function filterProblems(filter: unknown): FieldError[] {
  const errors: FieldError[] = [];
  if (!isObject(filter)) return [{ property: 'Filter', rule: 'must be an object such as {"FieldValues.amount": {"$gt": 100}}' }];
  const length = JSON.stringify(filter).length;
  if (length > FILTER_MAX_CHARS)
    errors.push({ property: 'Filter', rule: `may be at most ${FILTER_MAX_CHARS} characters as JSON (it has ${length})` });
  checkQuery(filter, 'Filter', 0, errors);
  return errors;
}

function checkQuery(query: Record<string, unknown>, at: string, depth: number, errors: FieldError[]): void {
  if (depth > MAX_DEPTH) {
    errors.push({ property: at, rule: `nests deeper than ${MAX_DEPTH} levels` });
    return;
  }
  for (const [key, value] of Object.entries(query)) {
    const where = `${at}.${key}`;
    if (key.startsWith('$')) {
      if (!LOGICAL_OPERATORS.includes(key)) {
        errors.push({ property: where, rule: `'${key}' is not an operator here; combine filters with ${LOGICAL_OPERATORS.join(', ')}` });
      } else if (key === '$not') {
        if (isObject(value)) checkQuery(value, where, depth + 1, errors);
        else errors.push({ property: where, rule: 'must be a filter object' });
      } else if (!Array.isArray(value) || value.length === 0 || !value.every(isObject)) {
        errors.push({ property: where, rule: 'must be a non-empty list of filter objects' });
      } else value.forEach((q, i) => checkQuery(q as Record<string, unknown>, `${where}[${i}]`, depth + 1, errors));
    } else if (!PATH.test(key) || key.length > 200) {
      errors.push({ property: where, rule: 'is not a field path (names of letters, digits, _ or -, joined by dots)' });
    } else checkCondition(value, where, depth + 1, errors);
  }
}

/** A field's condition: a literal to equal, or an object of operators. */
function checkCondition(value: unknown, at: string, depth: number, errors: FieldError[]): void {
  if (!isObject(value) || !Object.keys(value).some((k) => k.startsWith('$'))) {
    checkLiteral(value, at, errors);
    return;
  }
  for (const [op, operand] of Object.entries(value)) {
    const where = `${at}.${op}`;
    if (!FIELD_OPERATORS.includes(op)) {
      errors.push({ property: where, rule: `'${op}' is not a supported operator; use ${FIELD_OPERATORS.join(', ')}` });
      continue;
    }
    if (op === '$in' || op === '$nin' || op === '$all') {
      if (!Array.isArray(operand)) errors.push({ property: where, rule: 'must be a list' });
      else if (operand.length > MAX_LIST) errors.push({ property: where, rule: `may hold at most ${MAX_LIST} values` });
      else operand.forEach((v, i) => checkLiteral(v, `${where}[${i}]`, errors));
    } else if (op === '$exists') {
      if (typeof operand !== 'boolean') errors.push({ property: where, rule: 'must be true or false' });
    } else if (op === '$size') {
      if (!Number.isInteger(operand) || (operand as number) < 0) errors.push({ property: where, rule: 'must be a whole number' });
    } else if (op === '$regex') {
      const problem = regexProblem(operand, value.$options);
      if (problem) errors.push({ property: where, rule: problem });
    } else if (op === '$options') {
      if (typeof operand !== 'string' || !/^[ims]*$/.test(operand))
        errors.push({ property: where, rule: "must be regex flags among 'i', 'm', 's'" });
      else if (!Object.hasOwn(value, '$regex')) errors.push({ property: where, rule: 'goes with $regex' });
    } else if (op === '$not' || op === '$elemMatch') {
      if (!isObject(operand)) errors.push({ property: where, rule: 'must be an object' });
      // $elemMatch takes a filter over objects ({name: 'x'}) or a condition over scalars ({$gt: 1}).
      else if (op === '$not' || Object.keys(operand).every((k) => k.startsWith('$') && !LOGICAL_OPERATORS.includes(k)))
        checkCondition(operand, where, depth + 1, errors);
      else checkQuery(operand, where, depth + 1, errors);
    } else checkLiteral(operand, where, errors);
  }
}

/** A value to compare with: JSON scalars, lists and objects without operators, nested at most MAX_LITERAL_DEPTH. */
function checkLiteral(value: unknown, at: string, errors: FieldError[]): void {
  if (isObject(value)) {
    const op = Object.keys(value).find((k) => k.startsWith('$'));
    if (op) errors.push({ property: `${at}.${op}`, rule: `'${op}' may not appear inside a value` });
  }
  if (depthOf(value, MAX_LITERAL_DEPTH) > MAX_LITERAL_DEPTH)
    errors.push({ property: at, rule: `may nest at most ${MAX_LITERAL_DEPTH} levels` });
}

/** How deep a JSON value nests (a scalar is 0), counting no further than `limit + 1`: recursion stays bounded. */
function depthOf(value: unknown, limit: number): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (limit < 0) return 1;
  let deepest = 0;
  for (const item of Object.values(value)) {
    deepest = Math.max(deepest, depthOf(item, limit - 1));
    if (deepest > limit) break;
  }
  return deepest + 1;
}

/** A user pattern compiled for RE2 (linear time), with the flags `$options` named. */
export function compileRegex(pattern: string, options: string): RE2JS {
  let flags = 0;
  if (options.includes('i')) flags |= RE2JS.CASE_INSENSITIVE;
  if (options.includes('m')) flags |= RE2JS.MULTILINE;
  if (options.includes('s')) flags |= RE2JS.DOTALL;
  return RE2JS.compile(pattern, flags);
}

function regexProblem(pattern: unknown, options: unknown): string | null {
  if (typeof pattern !== 'string') return 'must be a regular expression as a string';
  if (pattern.length > MAX_PATTERN) return `may be at most ${MAX_PATTERN} characters`;
  const repeat = largestRepeat(pattern);
  if (repeat > MAX_REPEAT) return `may repeat at most ${MAX_REPEAT} times in {n,m} (it asks for ${repeat})`;
  let compiled: RE2JS;
  try {
    compiled = compileRegex(pattern, typeof options === 'string' ? options : '');
  } catch (e) {
    // RE2 has no backreferences or lookarounds: it refuses them, as it refuses a malformed pattern.
    const detail = (e as Error).message.replace(/^error parsing regexp: /, '');
    return `is not a regular expression hookd can run (RE2 syntax, without backreferences or lookarounds): ${detail}`;
  }
  if (compiled.programSize() > MAX_PROGRAM)
    return `is too large once compiled (${compiled.programSize()} steps, at most ${MAX_PROGRAM}); shorten it or its repetitions`;
  return null;
}

/** The largest count in a `{n}`, `{n,}` or `{n,m}` repetition, outside classes, escapes and `\Q…\E` quotes. */
function largestRepeat(pattern: string): number {
  let largest = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (pattern[i + 1] === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        i = end < 0 ? pattern.length : end + 1;
      } else i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '{') {
      const m = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i));
      if (m) largest = Math.max(largest, Number(m[1]), Number(m[2] || 0));
    }
  }
  return largest;
}

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
        parts.push((found) => candidates(found).some((c) => compares(op, c, operand)));
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
        parts.push((found) => candidates(found).some((c) => typeof c === 'string' && re.test(c)));
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
  const found: unknown[] = [];
  const walk = (node: unknown, i: number): void => {
    if (i === path.length) {
      found.push(node);
      return;
    }
    const part = path[i] as string;
    if (Array.isArray(node)) {
      if (INDEX.test(part)) {
        if (Number(part) < node.length) walk(node[Number(part)], i + 1);
      } else for (const item of node) if (isObject(item) && Object.hasOwn(item, part)) walk(item[part], i + 1);
    } else if (isObject(node) && Object.hasOwn(node, part)) walk(node[part], i + 1);
  };
  walk(doc, 0);
  return found;
}
const INDEX = /^\d+$/;

/** What comparisons look at: each value found, and the items of those that are arrays; a missing field is null. */
function candidates(found: unknown[]): unknown[] {
  if (found.length === 0) return [null];
  return found.flatMap((v) => (Array.isArray(v) ? [v, ...(v as unknown[])] : [v]));
}

/** `{field: literal}`: a value found equals it, or an array found holds it; null also matches a missing field. */
function equalsAny(found: unknown[], literal: unknown): boolean {
  return candidates(found).some((c) => equals(c, literal));
}

function compares(op: string, value: unknown, literal: unknown): boolean {
  if ((op === '$gte' || op === '$lte') && equals(value, literal)) return true;
  if (typeof value !== typeof literal || (typeof value !== 'number' && typeof value !== 'string')) return false;
  const [a, b] = [value as number | string, literal as number | string];
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
  const subject = payloadObject(event, '', webhook);
  delete subject.EventId;
  return subject;
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
