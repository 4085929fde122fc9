import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signingKeys } from './rotation.js';

describe('which secrets sign during a rotation', () => {
  const until = 10_000;
  const w = (over: object = {}) => ({ secret: 'new', previousSecret: 'old', previousSecretUntil: until, secretConfirmed: false, ...over });
  const table: Array<[string, object, number, { netserver: string | null; standard: string[] }]> = [
    ['no rotation', { previousSecret: null, previousSecretUntil: null }, 0, { netserver: 'new', standard: ['new'] }],
    ['overlap, unconfirmed: NetServer keeps the old', {}, 9_999, { netserver: 'old', standard: ['new', 'old'] }],
    ['overlap, confirmed: NetServer takes the new', { secretConfirmed: true }, 9_999, { netserver: 'new', standard: ['new', 'old'] }],
    ['the overlap ended', {}, 10_000, { netserver: 'new', standard: ['new'] }],
    ['no secret before the rotation', { previousSecret: '' }, 5_000, { netserver: null, standard: ['new'] }],
    ['no secret at all', { secret: null, previousSecret: null }, 0, { netserver: null, standard: [] }],
  ];
  for (const [what, over, now, expected] of table) {
    it(what, () => assert.deepEqual(signingKeys(w(over), now), expected));
  }
});
