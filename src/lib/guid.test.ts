import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newGuid } from './guid.js';

describe('newGuid', () => {
  it('writes version 4 GUIDs as randomUUID does, each one different, across several batches', () => {
    const seen = new Set<string>();
    const digits = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const g = newGuid();
      assert.match(g, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(g);
      for (const c of g.replaceAll('-', '')) digits.add(c);
    }
    assert.equal(seen.size, 2_000);
    assert.equal(digits.size, 16);
  });
});
