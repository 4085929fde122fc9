/**
 * Payload filters (a webhook's `Filter`): a MongoDB-style query over the fields a receiver would get,
 * matched by sift. hookd checks a filter before sift ever sees it — only the operators below, bounded
 * sizes, and regular expressions that cannot backtrack catastrophically (safe-regex2: no nested
 * quantifiers) — so that a filter can neither run code (`$where`) nor stall the signal path.
 */
import safeRegex from 'safe-regex2';
import siftModule from 'sift';
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
      else if (!('$regex' in value)) errors.push({ property: where, rule: 'goes with $regex' });
    } else if (op === '$not' || op === '$elemMatch') {
      if (!isObject(operand)) errors.push({ property: where, rule: 'must be an object' });
      // $elemMatch takes a filter over objects ({name: 'x'}) or a condition over scalars ({$gt: 1}).
      else if (op === '$not' || Object.keys(operand).every((k) => k.startsWith('$') && !LOGICAL_OPERATORS.includes(k)))
        checkCondition(operand, where, depth + 1, errors);
      else checkQuery(operand, where, depth + 1, errors);
    } else checkLiteral(operand, where, errors);
  }
}

/** A value to compare with: JSON scalars, lists and objects without operators. */
function checkLiteral(value: unknown, at: string, errors: FieldError[]): void {
  if (isObject(value)) {
    const op = Object.keys(value).find((k) => k.startsWith('$'));
    if (op) errors.push({ property: `${at}.${op}`, rule: `'${op}' may not appear inside a value` });
  }
}

function regexProblem(pattern: unknown, options: unknown): string | null {
  if (typeof pattern !== 'string') return 'must be a regular expression as a string';
  if (pattern.length > MAX_PATTERN) return `may be at most ${MAX_PATTERN} characters`;
  let compiled: RegExp;
  try {
    compiled = new RegExp(pattern, typeof options === 'string' && /^[ims]*$/.test(options) ? options : '');
  } catch (e) {
    return `is not a valid regular expression (${(e as Error).message})`;
  }
  // Nested quantifiers such as (a+)+ take exponential time on a near-miss; refused, not timed out.
  if (!safeRegex(compiled) || repeatsAmbiguousGroup(pattern)) {
    return 'could backtrack catastrophically (a repeated group holding a quantifier or an alternative); simplify it';
  }
  // Backreferences and lookarounds keep V8 from falling back to its linear engine (lib/regex-guard.ts).
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(pattern)) return 'may not use backreferences or lookarounds';
  return null;
}

/**
 * A group repeated by `*`, `+` or `{n,}` that holds an alternative or a quantifier — `(a|aa)+`, `(\w+\s?)*` —
 * can match one text in exponentially many ways; safe-regex2 catches only the nested-quantifier kind.
 */
function repeatsAmbiguousGroup(pattern: string): boolean {
  const open: Array<{ ambiguous: boolean }> = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') open.push({ ambiguous: false });
    else if (c === '|' || c === '*' || c === '+' || c === '?' || c === '{') {
      // `(?:` and `(?<name>` are group syntax, not a quantifier.
      if (c === '?' && pattern[i - 1] === '(') continue;
      const top = open[open.length - 1];
      if (top) top.ambiguous = true;
    } else if (c === ')') {
      const group = open.pop();
      const next = pattern[i + 1];
      const repeated = next === '*' || next === '+' || (next === '{' && /^\{\d+,\d*\}/.test(pattern.slice(i + 1)));
      if (group?.ambiguous && repeated) return true;
      // What a group holds makes its parent ambiguous too: ((a|b)c)+ repeats the alternative.
      const parent = open[open.length - 1];
      if (parent && group?.ambiguous) parent.ambiguous = true;
    }
  }
  return false;
}

// sift is CommonJS: its operations are properties of the default export.
const sift = siftModule as unknown as typeof import('sift');
/** sift's operations minus `$where` (it runs code), `$type` and `$mod`: sift refuses anything else. */
const OPERATIONS = {
  $eq: sift.$eq,
  $ne: sift.$ne,
  $gt: sift.$gt,
  $gte: sift.$gte,
  $lt: sift.$lt,
  $lte: sift.$lte,
  $in: sift.$in,
  $nin: sift.$nin,
  $exists: sift.$exists,
  $regex: sift.$regex,
  $options: sift.$options,
  $not: sift.$not,
  $all: sift.$all,
  $size: sift.$size,
  $elemMatch: sift.$elemMatch,
  $and: sift.$and,
  $or: sift.$or,
  $nor: sift.$nor,
};

/** Compiles a checked filter. Throws on an unchecked one: call filterProblems first. */
export function compileFilter(filter: Filter): Matcher {
  return sift.createQueryTester(filter as never, { operations: OPERATIONS }) as Matcher;
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
      if (!compileFilter(condition)(subject)) failed.push({ condition, value: key.startsWith('$') ? undefined : valueAt(subject, key) });
    }
  }
  return { matches, failed };
}

function valueAt(subject: unknown, path: string): unknown {
  let at: unknown = subject;
  for (const part of path.split('.')) {
    if (Array.isArray(at) && /^\d+$/.test(part)) at = at[Number(part)];
    else if (isObject(at)) at = at[part];
    else return undefined;
  }
  return at;
}
