/**
 * PATCH of a Webhook (superoffice-webhooks.md §2 "PATCH semantics"): JSON Patch ops add, replace, remove and
 * test (move and copy are not supported); a Merge-Patch object becomes a list of such ops. Paths match
 * property names in any letter case, and the leading slash is optional.
 */
import fastJsonPatch from 'fast-json-patch';
import { HookdError } from './errors.js';
import { checkName } from './input-guard.js';

export interface PatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function escapeSegment(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** RFC 7396 → RFC 6902, walking into objects the target already has. */
export function mergePatchToOps(patch: unknown, target: Record<string, unknown>, prefix = ''): PatchOp[] {
  if (!isObject(patch)) throw new HookdError('invalid_patch', { detail: 'a merge patch must be a JSON object' });
  const ops: PatchOp[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const path = `${prefix}/${escapeSegment(key)}`;
    const current = target[key];
    if (value === null) {
      if (key in target) ops.push({ op: 'remove', path });
    } else if (isObject(value) && isObject(current)) ops.push(...mergePatchToOps(value, current, path));
    else ops.push({ op: key in target ? 'replace' : 'add', path, value });
  }
  return ops;
}

/** A JSON Pointer's segments, unescaped (RFC 6901); the leading slash is optional, as hookd's PATCH takes it. */
export function pointerSegments(path: string): string[] {
  return (path.startsWith('/') ? path.slice(1) : path).split('/').map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Resolves each segment of `path` against the target's keys in any letter case. */
function canonicalPath(path: string, target: unknown): string {
  let node: unknown = target;
  const out: string[] = [];
  for (const segment of pointerSegments(path)) {
    checkName(segment, 'request body', path);
    let key = segment;
    if (isObject(node)) key = Object.keys(node).find((k) => k.toLowerCase() === segment.toLowerCase()) ?? segment;
    out.push(escapeSegment(key));
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
  }
  return `/${out.join('/')}`;
}

/** Checks the shape of a JSON Patch document. */
export function readPatchOps(body: unknown): PatchOp[] {
  if (!Array.isArray(body)) throw new HookdError('invalid_patch', { detail: 'a JSON Patch must be an array of operations' });
  return body.map((raw, i) => {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw new HookdError('invalid_patch', { detail: `operation ${i} needs a string 'op' and a string 'path'` });
    }
    const op = raw.op.toLowerCase();
    if (op === 'move' || op === 'copy') throw new HookdError('invalid_patch', { detail: `operation ${i}: '${op}' is not supported` });
    if (op !== 'add' && op !== 'replace' && op !== 'remove' && op !== 'test') {
      throw new HookdError('invalid_patch', {
        detail: `operation ${i}: '${raw.op}' is not an operation (use add, replace, remove or test)`,
      });
    }
    if (op !== 'remove' && !Object.hasOwn(raw, 'value'))
      throw new HookdError('invalid_patch', { detail: `operation ${i} (${op}) needs a 'value'` });
    return { op, path: raw.path, value: raw.value };
  });
}

/** Applies the ops to a copy of `target`. A failed test throws 409; any other failure 400. */
export function applyPatch(target: Record<string, unknown>, ops: PatchOp[]): Record<string, unknown> {
  let doc: Record<string, unknown> = structuredClone(target);
  for (const op of ops) {
    const path = canonicalPath(op.path, doc);
    if (path === '/') throw new HookdError('invalid_patch', { detail: 'the whole entity cannot be replaced by a patch; name a property' });
    // A removed top-level property becomes null: the carrier always has every property.
    const topLevelRemove = op.op === 'remove' && path.split('/').length === 2;
    const operation = topLevelRemove ? { op: 'replace' as const, path, value: null } : { ...op, path };
    try {
      doc = fastJsonPatch.applyOperation(doc, operation as fastJsonPatch.Operation, true, true, false).newDocument;
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'TEST_OPERATION_FAILED') throw new HookdError('patch_test_failed', { path: op.path });
      throw new HookdError('invalid_patch', { detail: `'${op.op}' at '${op.path}': ${(e as Error).message.split('\n')[0]}` });
    }
  }
  return doc;
}
