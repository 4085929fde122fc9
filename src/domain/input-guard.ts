/**
 * What every parsed body and query string must pass before a route sees it: no name that reaches an
 * object's prototype, and no nesting deeper than MAX_INPUT_DEPTH. One check for JSON, XML, form and
 * query, so no route can forget it (issue 20: a form field `__proto__.x` polluted Object.prototype).
 */
import { HookdError } from './errors.js';

/** Names that, assigned as `obj[name] = …` or read through `in`, reach Object.prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Deepest nesting a body may have. NetServer's carriers are 3 levels deep and a Filter is at most 8
 * (domain/filter.ts); 32 leaves room for any event Data we have seen, far below the ~5,000 levels at which
 * recursive code (payload building, serialisers) overflowed the stack.
 */
export const MAX_INPUT_DEPTH = 32;

export type InputPlace = 'request body' | 'query string';

/** PostgreSQL cannot store U+0000 in text: refused in every string and name of a request, so both stores answer alike. */
const NUL = '\u0000';
const NUL_RULE = 'must not contain a NUL character (U+0000)';

/** `$.a[0].b`: a path of keys, written out only for an error. */
function pathText(keys: ReadonlyArray<string | number>): string {
  return `$${keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
}

/** What the walk found. Its path is gathered on the way back up (leaf first), so a value that passes costs no bookkeeping. */
class Problem {
  readonly keys: Array<string | number> = [];

  constructor(
    readonly kind: 'forbidden key' | 'NUL' | 'NUL in a name' | 'too deep',
    key?: string,
  ) {
    if (key !== undefined) this.keys.push(key);
  }
}

/**
 * Throws a 400 naming the first forbidden key, or the path that nests too deep. Recursive but bounded: it stops at
 * `maxDepth`, so any input is safe to check. It runs on every body of the ingestion path, so it allocates nothing
 * per value and formats nothing unless it fails.
 */
export function checkInput(value: unknown, where: InputPlace, maxDepth = MAX_INPUT_DEPTH): void {
  const p = problemAt(value, 0, maxDepth);
  if (p === null) return;
  const path = cut(pathText(p.keys.reverse()));
  switch (p.kind) {
    case 'forbidden key':
      throw new HookdError('input_forbidden_key', { where, key: p.keys[p.keys.length - 1] as string, path });
    case 'too deep':
      throw new HookdError('body_too_deep', { max: maxDepth, path });
    case 'NUL':
      throw new HookdError('invalid_field', { property: path, rule: NUL_RULE });
    case 'NUL in a name':
      throw new HookdError('invalid_field', { property: path, rule: `names ${NUL_RULE}` });
  }
}

/** A string or a number is checked here, without a call of the walk for each (small enough to be inlined). */
function problemAt(v: unknown, depth: number, maxDepth: number): Problem | null {
  if (typeof v === 'string') return v.includes(NUL) ? new Problem('NUL') : null;
  return typeof v === 'object' && v !== null ? problemIn(v, depth, maxDepth) : null;
}

function problemIn(v: object, depth: number, maxDepth: number): Problem | null {
  if (depth >= maxDepth) return new Problem('too deep');
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = problemAt(v[i], depth + 1, maxDepth);
      if (p !== null) {
        p.keys.push(i);
        return p;
      }
    }
    return null;
  }
  // Every name of an object first, then its values: a forbidden key is named before anything nested below it.
  const names = Object.keys(v);
  for (let k = 0; k < names.length; k++) {
    const key = names[k] as string;
    if (FORBIDDEN_KEYS.has(key)) return new Problem('forbidden key', key);
    if (key.includes(NUL)) return new Problem('NUL in a name');
  }
  for (let k = 0; k < names.length; k++) {
    const key = names[k] as string;
    const p = problemAt((v as Record<string, unknown>)[key], depth + 1, maxDepth);
    if (p !== null) {
      p.keys.push(key);
      return p;
    }
  }
  return null;
}

/** Throws the same 400 when one name (a form field, a query parameter) is a forbidden key. */
export function checkName(key: string, where: InputPlace, path = key): void {
  if (FORBIDDEN_KEYS.has(key)) throw new HookdError('input_forbidden_key', { where, key, path: cut(path) });
}

/** A query parameter: its name as checkName, and no value holding a NUL (a 400 naming it, never a 500 from the store). */
export function checkParameter(key: string, value: unknown): void {
  checkName(key, 'query string');
  const values = Array.isArray(value) ? value : [value];
  if (key.includes(NUL) || values.some((x) => typeof x === 'string' && x.includes(NUL))) {
    throw new HookdError('invalid_parameter', { name: cut(key.replaceAll(NUL, '\\0')), rule: NUL_RULE });
  }
}

/** Paths are echoed in the error: keep them readable when an attacker sends a long one. */
function cut(path: string): string {
  return path.length > 120 ? `${path.slice(0, 117)}...` : path;
}
