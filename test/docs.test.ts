/** The README documents every error code and every setting: a new one without documentation fails here. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SETTINGS } from '../src/config/settings.js';
import { errorCatalogue } from '../src/domain/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  for (const e of errorCatalogue()) {
    it(`lists ErrorCode ${e.code} with status ${e.status}`, () => {
      assert.match(readme, new RegExp(`\\| \`${e.code}\` +\\| ${e.status} +\\| ${e.errorType} +\\|`));
    });
  }
  for (const s of Object.values(SETTINGS)) {
    it(`lists setting ${s.env}`, () => assert.ok(readme.includes(`\`${s.env}\``)));
  }
});
