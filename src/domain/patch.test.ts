import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HookdError } from './errors.js';
import { applyPatch, mergePatchToOps, readPatchOps } from './patch.js';
import { applySelect, parseSelect } from './select.js';

const carrier = { Name: 'a', Events: ['contact.created'], Headers: { 'X-A': '1' }, Secret: 's' };

describe('patch', () => {
  it('applies add/replace/remove/test with case-insensitive paths and optional slash', () => {
    const out = applyPatch(
      carrier,
      readPatchOps([
        { op: 'test', path: 'name', value: 'a' },
        { op: 'replace', path: '/NAME', value: 'b' },
        { op: 'add', path: '/events/-', value: 'sale.sold' },
        { op: 'remove', path: 'secret' },
        { op: 'add', path: '/headers/X-B', value: '2' },
      ]),
    );
    assert.deepEqual(out, { Name: 'b', Events: ['contact.created', 'sale.sold'], Headers: { 'X-A': '1', 'X-B': '2' }, Secret: null });
  });
  it('gives 409 when a test fails', () => {
    assert.throws(
      () => applyPatch(carrier, readPatchOps([{ op: 'test', path: '/Name', value: 'zzz' }])),
      (e: HookdError) => e.status === 409 && e.code === 'patch_test_failed',
    );
  });
  it('refuses move and copy, and malformed ops', () => {
    for (const body of [
      [{ op: 'move', from: '/a', path: '/b' }],
      [{ op: 'copy', from: '/a', path: '/b' }],
      [{ path: '/x' }],
      { op: 'add' },
      [{ op: 'add', path: '/Name' }],
    ]) {
      assert.throws(
        () => readPatchOps(body),
        (e: HookdError) => e.code === 'invalid_patch',
      );
    }
  });
  it('turns a merge patch into ops that walk into objects', () => {
    const ops = mergePatchToOps({ Name: 'c', Headers: { 'X-A': null, 'X-C': '3' }, Secret: null }, carrier);
    assert.deepEqual(applyPatch(carrier, ops), { Name: 'c', Events: ['contact.created'], Headers: { 'X-C': '3' }, Secret: null });
  });
});

describe('$select', () => {
  it('nulls the fields not named, in any case, keeping _Links', () => {
    const c = { WebhookId: 1, Name: 'n', Events: ['a.b'], RegisteredAssociate: { AssociateId: 1, Name: 'x' }, _Links: { Self: 'u' } };
    assert.deepEqual(applySelect(c, parseSelect('name,registeredassociate/associateid')), {
      WebhookId: null,
      Name: 'n',
      Events: null,
      RegisteredAssociate: { AssociateId: 1, Name: null },
      _Links: { Self: 'u' },
    });
  });
});
