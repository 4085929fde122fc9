import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookdError } from './errors.js';
import { checkInput, MAX_INPUT_DEPTH } from './input-guard.js';

/** The code and parameters checkInput throws for `value`, or null when it passes. */
function refusal(value: unknown, maxDepth?: number): { code: string; params: unknown } | null {
  try {
    checkInput(value, 'request body', maxDepth);
    return null;
  } catch (e) {
    assert.ok(e instanceof HookdError, String(e));
    return { code: e.code, params: e.params };
  }
}

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: [v] };
  return v;
}

describe('checkInput: the guard every parsed body passes', () => {
  it('lets ordinary bodies through, however many values', () => {
    const events = Array.from({ length: 500 }, (_, k) => ({
      EventName: 'contact.changed',
      PrimaryKey: k,
      Data: { Changes: ['name'], FieldValues: { x: null, y: true } },
    }));
    assert.equal(refusal(events), null);
    assert.equal(refusal('text'), null);
    assert.equal(refusal(null), null);
    assert.equal(refusal(nested(MAX_INPUT_DEPTH / 2)), null);
  });

  it('names the path of each kind of problem, the way into it written from the top', () => {
    const cases: Array<[unknown, { code: string; params: unknown }]> = [
      [
        [{ a: 1 }, { b: [0, { ['__proto__']: 1 }] }],
        { code: 'input_forbidden_key', params: { where: 'request body', key: '__proto__', path: '$[1].b[1].__proto__' } },
      ],
      [
        JSON.parse('{"x":{"constructor":{"prototype":1}}}'),
        { code: 'input_forbidden_key', params: { where: 'request body', key: 'constructor', path: '$.x.constructor' } },
      ],
      [
        { a: [{ b: 'ok' }, { c: 'x\u0000y' }] },
        { code: 'invalid_field', params: { property: '$.a[1].c', rule: 'must not contain a NUL character (U+0000)' } },
      ],
      [
        { a: { ['b\u0000']: 1 } },
        { code: 'invalid_field', params: { property: '$.a', rule: 'names must not contain a NUL character (U+0000)' } },
      ],
    ];
    for (const [value, expected] of cases) assert.deepEqual(refusal(value), expected, JSON.stringify(expected));
    assert.deepEqual(refusal({ a: { b: { c: 1 } } }, 2), { code: 'body_too_deep', params: { max: 2, path: '$.a.b' } });
    assert.deepEqual(refusal(nested(40)), { code: 'body_too_deep', params: { max: MAX_INPUT_DEPTH, path: `$${'.a[0]'.repeat(16)}` } });
  });

  it('names a forbidden key before anything nested under its siblings, and cuts a long path', () => {
    const value = JSON.parse('{"a":{"x":"\\u0000"},"__proto__":1}');
    assert.equal(refusal(value)?.code, 'input_forbidden_key');
    const long = { ['k'.repeat(200)]: { ['__proto__']: 1 } };
    const params = refusal(long)?.params as { path: string };
    assert.equal(params.path.length, 120);
    assert.ok(params.path.endsWith('...'));
  });
});
