import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEBHOOK_STATES, reactivates } from './webhook.js';

describe('reactivation (an update that releases held deliveries)', () => {
  it('happens exactly when a webhook turns Active from another state', () => {
    for (const current of WEBHOOK_STATES) {
      for (const next of WEBHOOK_STATES) {
        assert.equal(reactivates(current, next), next === 'Active' && current !== 'Active', `${current} → ${next}`);
      }
    }
    // The cases the stores meet: a trip (TooManyErrors) or a stop undone by the user; an edit of an Active webhook.
    assert.equal(reactivates('TooManyErrors', 'Active'), true);
    assert.equal(reactivates('Stopped', 'Active'), true);
    assert.equal(reactivates('Active', 'Active'), false);
  });
});
