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

/** Throws a 400 naming the first forbidden key, or the path that nests too deep. Iterative: any depth is safe to check. */
export function checkInput(value: unknown, where: InputPlace, maxDepth = MAX_INPUT_DEPTH): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '$' }];
  while (stack.length > 0) {
    const { value: v, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) throw new HookdError('body_too_deep', { max: maxDepth, path: cut(path) });
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, depth: depth + 1, path: `${path}[${i}]` }));
      continue;
    }
    for (const key of Object.keys(v)) {
      const at = `${path}.${key}`;
      if (FORBIDDEN_KEYS.has(key)) throw new HookdError('input_forbidden_key', { where, key, path: cut(at) });
      stack.push({ value: (v as Record<string, unknown>)[key], depth: depth + 1, path: at });
    }
  }
}

/** Throws the same 400 when one name (a form field, a query parameter) is a forbidden key. */
export function checkName(key: string, where: InputPlace, path = key): void {
  if (FORBIDDEN_KEYS.has(key)) throw new HookdError('input_forbidden_key', { where, key, path: cut(path) });
}

/** Paths are echoed in the error: keep them readable when an attacker sends a long one. */
function cut(path: string): string {
  return path.length > 120 ? `${path.slice(0, 117)}...` : path;
}
