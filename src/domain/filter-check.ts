/**
 * Checking a payload filter (a webhook's `Filter`) before it is stored: only the operators below, bounded sizes,
 * depth and patterns — every regular expression compiled for RE2 (re2js, linear time). filter.ts matches checked filters.
 */
import { RE2JS } from 're2js';
import type { FieldError } from './errors.js';

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
export const LOGICAL_OPERATORS = ['$and', '$or', '$nor', '$not'];
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
export const MAX_SHOWN_DEPTH = 32;
const PATH = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export type Filter = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
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
export function depthOf(value: unknown, limit: number): number {
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
