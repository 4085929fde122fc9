import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attemptSpanId, childTraceParent, deliverySpanId, traceIdOf, validTraceParent } from './trace-context.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';

describe('validTraceParent', () => {
  const table: Array<[string, unknown, boolean]> = [
    ['version 00, sampled', `00-${T}-${P}-01`, true],
    ['version 00, not sampled', `00-${T}-${P}-00`, true],
    ['absent', undefined, false],
    ['two headers (an array)', [`00-${T}-${P}-01`, `00-${T}-${P}-01`], false],
    ['version ff (forbidden)', `ff-${T}-${P}-01`, false],
    ['a later version', `01-${T}-${P}-01`, false],
    ['uppercase', `00-${T.toUpperCase()}-${P}-01`, false],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${P}-01`, false],
    ['all-zero parent id', `00-${T}-${'0'.repeat(16)}-01`, false],
    ['one more character', `00-${T}-${P}-01 `, false],
    ['a short trace id', `00-${T.slice(1)}-${P}0-01`, false],
    ['10 KB', `00-${T}-${P}-01`.padEnd(10_240, '0'), false],
  ];
  for (const [what, header, valid] of table) {
    it(`${valid ? 'keeps' : 'ignores'} ${what}`, () => assert.equal(validTraceParent(header), valid ? header : null));
  }
});

describe('derived ids', () => {
  it('name the trace, and differ per attempt and per delivery', () => {
    const tp = `00-${T}-${P}-01`;
    assert.equal(traceIdOf(tp), T);
    assert.equal(traceIdOf(null), null);
    const a0 = attemptSpanId('e1', 0);
    assert.match(a0, /^[0-9a-f]{16}$/);
    assert.equal(a0, attemptSpanId('e1', 0), 'the same attempt names the same span in any process');
    assert.notEqual(a0, attemptSpanId('e1', 1));
    assert.notEqual(a0, attemptSpanId('e2', 0));
    assert.notEqual(deliverySpanId(1, tp), deliverySpanId(2, tp));
    assert.equal(childTraceParent(tp, a0), `00-${T}-${a0}-01`);
  });
});
