/** Every runtime dependency imports on this Node: a broken upgrade fails here, not in production (stack-notes.md). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };

describe('runtime dependencies', () => {
  for (const name of Object.keys(pkg.dependencies)) {
    it(`imports ${name}`, async () => {
      const mod = await import(name);
      assert.ok(mod);
    });
  }
  it('opens an SQLite database with the native better-sqlite3 build', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    assert.equal((db.prepare('SELECT 1 + 1 AS two').get() as { two: number }).two, 2);
    db.close();
  });
});
