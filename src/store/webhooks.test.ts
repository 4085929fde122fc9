import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secretRewrites } from './webhooks.js';

describe('secretRewrites (what rewriteSecrets writes back, on both stores)', () => {
  it('keeps the cells the rewrite changes, with their new value, and leaves the others', () => {
    const cells = [
      { id: 1, column: 'secret' as const, stored: 'plain' },
      { id: 1, column: 'previous_secret' as const, stored: 'enc:v1:k1:x' },
      { id: 2, column: 'basic_password' as const, stored: 'pw' },
    ];
    const sealed = secretRewrites(cells, (s) => (s.startsWith('enc:') ? null : `enc:v1:k1:${s}`));
    assert.deepEqual(sealed, [
      { id: 1, column: 'secret', stored: 'plain', next: 'enc:v1:k1:plain' },
      { id: 2, column: 'basic_password', stored: 'pw', next: 'enc:v1:k1:pw' },
    ]);
    assert.deepEqual(
      secretRewrites(cells, () => null),
      [],
    );
  });
});
