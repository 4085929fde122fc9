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

/** A node of the walk: the value, how deep it sits, and how it was reached (the path is written only for an error). */
interface Step {
  value: unknown;
  depth: number;
  parent: Step | null;
  key: string | number;
}

/** `$.a[0].b`: the path of a step, built by walking back to the root. */
function pathOf(step: Step): string {
  const parts: string[] = [];
  for (let at: Step | null = step; at?.parent; at = at.parent) parts.push(typeof at.key === 'number' ? `[${at.key}]` : `.${at.key}`);
  return `$${parts.reverse().join('')}`;
}

/**
 * Throws a 400 naming the first forbidden key, or the path that nests too deep. Iterative: any depth is safe to
 * check. It runs on every body of the ingestion path, so nothing is formatted unless it fails.
 */
export function checkInput(value: unknown, where: InputPlace, maxDepth = MAX_INPUT_DEPTH): void {
  const stack: Step[] = [{ value, depth: 0, parent: null, key: '' }];
  while (stack.length > 0) {
    const step = stack.pop() as Step;
    const v = step.value;
    if (typeof v === 'string' && v.includes(NUL)) throw new HookdError('invalid_field', { property: cut(pathOf(step)), rule: NUL_RULE });
    if (typeof v !== 'object' || v === null) continue;
    if (step.depth >= maxDepth) throw new HookdError('body_too_deep', { max: maxDepth, path: cut(pathOf(step)) });
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push({ value: v[i], depth: step.depth + 1, parent: step, key: i });
      continue;
    }
    for (const key of Object.keys(v)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw new HookdError('input_forbidden_key', { where, key, path: cut(pathOf({ value: null, depth: 0, parent: step, key })) });
      }
      if (key.includes(NUL)) throw new HookdError('invalid_field', { property: cut(pathOf(step)), rule: `names ${NUL_RULE}` });
      stack.push({ value: (v as Record<string, unknown>)[key], depth: step.depth + 1, parent: step, key });
    }
  }
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
