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

/**
 * Throws a 400 naming the first forbidden key, or the path that nests too deep. Recursive but bounded: it stops at
 * `maxDepth`, so any input is safe to check. It runs on every body of the ingestion path, so it allocates nothing
 * per value (one path of keys, pushed and popped) and formats nothing unless it fails.
 */
export function checkInput(value: unknown, where: InputPlace, maxDepth = MAX_INPUT_DEPTH): void {
  const keys: Array<string | number> = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      if (v.includes(NUL)) throw new HookdError('invalid_field', { property: cut(pathText(keys)), rule: NUL_RULE });
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (depth >= maxDepth) throw new HookdError('body_too_deep', { max: maxDepth, path: cut(pathText(keys)) });
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        keys.push(i);
        walk(v[i], depth + 1);
        keys.pop();
      }
      return;
    }
    // Every name of an object first, then its values: a forbidden key is named before anything nested below it.
    const names = Object.keys(v);
    for (const key of names) {
      if (FORBIDDEN_KEYS.has(key)) throw new HookdError('input_forbidden_key', { where, key, path: cut(pathText([...keys, key])) });
      if (key.includes(NUL)) throw new HookdError('invalid_field', { property: cut(pathText(keys)), rule: `names ${NUL_RULE}` });
    }
    for (const key of names) {
      keys.push(key);
      walk((v as Record<string, unknown>)[key], depth + 1);
      keys.pop();
    }
  };
  walk(value, 0);
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
