import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainFilter, filterMatches, filterSubject } from './filter.js';
import { filterProblems } from './filter-check.js';
import type { EventRecord } from './payload.js';

const event: EventRecord = {
  name: 'sale.changed',
  bodyEvent: 'sale.changed',
  entity: 'sale',
  primaryKey: 42,
  timestamp: '2026-12-01T10:00:00.0000000Z',
  changes: ['amount', 'stage'],
  changedByAssociateId: 7,
  contextIdentifier: 'Cust12345',
  values: { amount: '1500', stage: 'Won' },
  fieldValues: { amount: 1500, stage: 'Won', owner: { name: 'Kari Nordmann', region: 'North' }, tags: ['vip', 'nordic'], note: null },
};
const target = { name: 'Sales hook', properties: { source: 'crm' } };

/** [filter, matches] — each over the payload a receiver of `event` gets. */
const matching: Array<[string, Record<string, unknown>, boolean]> = [
  ['equality on the event', { Event: 'sale.changed' }, true],
  ['equality that misses', { Event: 'sale.created' }, false],
  ['$eq on a number', { PrimaryKey: { $eq: 42 } }, true],
  ['$ne', { Entity: { $ne: 'contact' } }, true],
  ['$gt on a dotted path', { 'FieldValues.amount': { $gt: 1000 } }, true],
  ['$gt that misses', { 'FieldValues.amount': { $gt: 5000 } }, false],
  ['$gte at the edge', { 'FieldValues.amount': { $gte: 1500 } }, true],
  ['$lt / $lte together', { 'FieldValues.amount': { $lt: 2000, $gte: 1000 } }, true],
  ['$in', { 'FieldValues.stage': { $in: ['Won', 'Lost'] } }, true],
  ['$nin', { 'FieldValues.stage': { $nin: ['Won', 'Lost'] } }, false],
  ['an array field equals one of its items', { Changes: 'amount' }, true],
  ['$all on an array', { Changes: { $all: ['amount', 'stage'] } }, true],
  ['$size', { 'FieldValues.tags': { $size: 2 } }, true],
  ['$exists true', { 'FieldValues.owner.region': { $exists: true } }, true],
  ['$exists false on a missing field', { 'FieldValues.discount': { $exists: false } }, true],
  ['null equals an explicit null', { 'FieldValues.note': null }, true],
  ['$regex, case-insensitive', { 'FieldValues.owner.name': { $regex: '^kari', $options: 'i' } }, true],
  ['$regex that misses', { 'FieldValues.owner.name': { $regex: '^Ola' } }, false],
  ['Values (strings)', { 'Values.amount': '1500' }, true],
  ['$and', { $and: [{ Entity: 'sale' }, { 'FieldValues.stage': 'Won' }] }, true],
  ['$or with one true', { $or: [{ Entity: 'contact' }, { 'FieldValues.stage': 'Won' }] }, true],
  ['$nor', { $nor: [{ Entity: 'contact' }, { Entity: 'person' }] }, true],
  ['$not on a field', { 'FieldValues.amount': { $not: { $lt: 100 } } }, true],
  ['$not over a whole filter', { $not: { Entity: 'sale' } }, false],
  ['$elemMatch', { 'FieldValues.tags': { $elemMatch: { $regex: '^nor' } } }, true],
  ["the webhook's name and Properties", { WebhookName: 'Sales hook', source: 'crm' }, true],
  ['ContextIdentifier', { ContextIdentifier: 'Cust12345' }, true],
  ['an empty filter matches everything', {}, true],
  ['the EventId is not there to filter on', { EventId: { $exists: true } }, false],
];

/** [filter, the property the 400 names] */
const malformed: Array<[string, unknown, string]> = [
  ['not an object', ['Event'], 'Filter'],
  ['an unknown operator', { 'FieldValues.amount': { $between: [1, 2] } }, 'Filter.FieldValues.amount.$between'],
  ['$where runs code', { $where: 'this.PrimaryKey > 1' }, 'Filter.$where'],
  ['$where inside $and', { $and: [{ $where: 'true' }] }, 'Filter.$and[0].$where'],
  ['$in without a list', { Entity: { $in: 'sale' } }, 'Filter.Entity.$in'],
  ['$and with an empty list', { $and: [] }, 'Filter.$and'],
  ['$exists not a boolean', { Entity: { $exists: 1 } }, 'Filter.Entity.$exists'],
  ['an invalid regex', { Entity: { $regex: '(' } }, 'Filter.Entity.$regex'],
  ['a backreference (RE2 has none)', { Entity: { $regex: '(a)\\1' } }, 'Filter.Entity.$regex'],
  ['a lookahead', { Entity: { $regex: 'a(?=b)' } }, 'Filter.Entity.$regex'],
  ['a lookbehind', { Entity: { $regex: '(?<=a)b' } }, 'Filter.Entity.$regex'],
  ['a JavaScript-only escape', { Entity: { $regex: '\\u0041' } }, 'Filter.Entity.$regex'],
  ['a repeat above 12', { Entity: { $regex: 'a{0,60}a{0,60}a{0,60}a{0,60}b' } }, 'Filter.Entity.$regex'],
  ['a repeat above 12 after \\Q…\\E', { Entity: { $regex: '\\Q[\\Ea{1000}' } }, 'Filter.Entity.$regex'],
  ['a program above 100 steps', { Entity: { $regex: '[a-z]{12}'.repeat(10) } }, 'Filter.Entity.$regex'],
  ['a pattern over 200 characters', { Entity: { $regex: 'a'.repeat(201) } }, 'Filter.Entity.$regex'],
  ['a literal nested deeper than 16', { FieldValues: nestList(17) }, 'Filter.FieldValues'],
  ['a regex flag hookd does not take', { Entity: { $regex: 'x', $options: 'g' } }, 'Filter.Entity.$options'],
  ['a bad path', { 'FieldValues..amount': 1 }, 'Filter.FieldValues..amount'],
  ['an operator inside a value', { Entity: { $eq: { $gt: 1 } } }, 'Filter.Entity.$eq.$gt'],
  ['too deep', nest(12), 'Filter'],
];

function nestList(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function nest(depth: number): Record<string, unknown> {
  let f: Record<string, unknown> = { Entity: 'sale' };
  for (let i = 0; i < depth; i++) f = { $and: [f] };
  return f;
}

const aaa = 'a'.repeat(100_000);
const mixed = Array.from({ length: 100_000 }, (_, i) => 'axq'[(i * 7919) % 3]).join('');
/** [what, pattern, $options, a 100 KB text, matches] — patterns that stall a backtracking engine, and the worst found. */
const linear: Array<[string, string, string, string, boolean]> = [
  ["the issue's a*…a*b with i", 'a*a*a*a*a*a*a*a*a*a*b', 'i', aaa, false],
  ['(a|aa)+$ anchored', '^(a|aa)+$', '', `${aaa}!`, false],
  ['(a+)+$', '^(a+)+$', 'i', `${aaa}!`, false],
  ['(.*a){12}', '(.*a){12}', 's', `${'a'.repeat(11)}${'b'.repeat(99_989)}`, false],
  ['([a-z]*)*x', '([a-z]*)*x', '', aaa, false],
  ['(\\w+\\s?)*$', '^(\\w+\\s?)*$', 'im', `${aaa}!`, false],
  ['bounded repeats at the limit', 'a{0,12}a{0,12}a{0,12}a{0,12}b', 'i', aaa, false],
  ['a wide class counted', 'a.{0,12}xa{12}q', 's', mixed, false],
  ['a match at the very end', 'a*a*a*a*a*a*a*a*a*a*b', 'i', `${aaa}B`, true],
];

/** [filter, matches] over the payload of `event`: only what the payload has, never what JavaScript adds. */
const ownOnly: Array<[string, Record<string, unknown>, boolean]> = [
  ['constructor.name', { 'constructor.name': 'Object' }, false],
  ['toString $exists', { toString: { $exists: true } }, false],
  ['Entity.length (a string has no fields)', { 'Entity.length': 4 }, false],
  ['Entity.constructor.caller (a throwing getter, never read)', { 'Entity.constructor.caller': 1 }, false],
  ['Changes.map.caller', { 'Changes.map.caller': { $exists: false } }, true],
  ['__proto__.x', { '__proto__.x': { $exists: true } }, false],
  ['hasOwnProperty on a nested object', { 'FieldValues.hasOwnProperty': { $exists: true } }, false],
];

describe('payload filters', () => {
  for (const [what, filter, expected] of matching) {
    it(`${what}: ${expected ? 'matches' : 'misses'}`, () => {
      assert.deepEqual(filterProblems(filter), [], 'the filter is valid');
      assert.equal(filterMatches(JSON.stringify(filter), event, target), expected);
    });
  }

  for (const [what, filter, property] of malformed) {
    it(`refuses ${what}, naming ${property}`, () => {
      const problems = filterProblems(filter);
      assert.ok(problems.length > 0, 'refused');
      assert.ok(
        problems.some((p) => p.property === property || (property === 'Filter' && p.property.startsWith('Filter'))),
        JSON.stringify(problems),
      );
    });
  }

  it('says why a regex is refused: RE2 syntax, no backreferences or lookarounds', () => {
    const [problem] = filterProblems({ Entity: { $regex: '(a)\\1' } });
    assert.match(problem?.rule ?? '', /RE2 syntax, without backreferences or lookarounds/);
  });

  it('an unchecked stored regex RE2 cannot compile (an older hookd took JavaScript syntax) matches nothing, never throws', () => {
    assert.equal(filterMatches(JSON.stringify({ Entity: { $regex: '(?=s)' } }), event, target), false);
    assert.equal(filterMatches(JSON.stringify({ Entity: { $not: { $regex: '(?=s)' } } }), event, target), true);
  });

  it('explains a miss: the conditions that failed and the values the payload had there', () => {
    const subject = filterSubject(event, target);
    const verdict = explainFilter({ Entity: 'sale', 'FieldValues.amount': { $gt: 5000 }, 'FieldValues.stage': 'Lost' }, subject);
    assert.equal(verdict.matches, false);
    assert.deepEqual(verdict.failed, [
      { condition: { 'FieldValues.amount': { $gt: 5000 } }, value: 1500 },
      { condition: { 'FieldValues.stage': 'Lost' }, value: 'Won' },
    ]);
    assert.deepEqual(explainFilter({ Entity: 'sale' }, subject), { matches: true, failed: [] });
  });

  for (const [what, regex, options, text, expected] of linear) {
    it(`runs ${what} in linear time on 100 KB (RE2): ${expected ? 'matches' : 'misses'}`, () => {
      const filter = { 'FieldValues.text': { $regex: regex, ...(options ? { $options: options } : {}) } };
      const long = { ...event, fieldValues: { text } };
      // A backtracking engine took 19–36 s on 30–200 characters of these: finishing at all is the assertion.
      assert.equal(filterMatches(JSON.stringify(filter), long, target), expected);
      assert.equal(explainFilter(filter, filterSubject(long, target)).matches, expected);
    });
  }

  for (const [what, filter, expected] of ownOnly) {
    it(`reads own properties only: ${what} ${expected ? 'matches' : 'misses'}`, () => {
      assert.deepEqual(filterProblems(filter), [], 'the filter is valid');
      assert.equal(filterMatches(JSON.stringify(filter), event, target), expected);
    });
  }

  it('an own field named constructor or toString is a field like any other', () => {
    const own = { ...event, fieldValues: { constructor: 'Object', toString: 'yes' } };
    assert.equal(
      filterMatches(JSON.stringify({ 'FieldValues.constructor': 'Object', 'FieldValues.toString': { $exists: true } }), own, target),
      true,
    );
  });

  it('Filter/Test shows no inherited value: toString is absent, not a function', () => {
    const verdict = explainFilter({ toString: { $exists: true } }, {});
    assert.deepEqual(verdict, { matches: false, failed: [{ condition: { toString: { $exists: true } }, value: undefined }] });
  });

  it('steps into arrays anywhere along a path: each object of one, or one item by its index', () => {
    const lines = {
      ...event,
      fieldValues: {
        lines: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 3 },
        ],
        matrix: [[1, 2], [3]],
      },
    };
    const cases: Array<[Record<string, unknown>, boolean]> = [
      [{ 'FieldValues.lines.sku': 'b' }, true],
      [{ 'FieldValues.lines.1.sku': 'b' }, true],
      [{ 'FieldValues.lines.0.sku': 'b' }, false],
      [{ 'FieldValues.lines.sku': { $in: ['x', 'a'] } }, true],
      [{ 'FieldValues.lines.qty': { $gt: 2 } }, true],
      [{ 'FieldValues.lines.qty': { $gt: 3 } }, false],
      [{ 'FieldValues.lines.2.sku': { $exists: false } }, true],
      [{ 'FieldValues.lines.sku': { $all: ['a', 'b'] } }, true],
      [{ 'FieldValues.matrix.0': { $size: 2 } }, true],
      [{ 'FieldValues.matrix': 3 }, false],
      [{ 'FieldValues.matrix.1': 3 }, true],
      [{ 'FieldValues.missing.sku': null }, true],
    ];
    for (const [filter, expected] of cases)
      assert.equal(filterMatches(JSON.stringify(filter), lines, target), expected, JSON.stringify(filter));
  });

  it('sees no EventId, not even one a Properties key would add', () => {
    const withId = { name: 'h', properties: { EventId: 'from-properties', source: 'crm' } };
    assert.equal(filterMatches(JSON.stringify({ EventId: { $exists: true } }), event, withId), false);
    assert.equal(filterMatches(JSON.stringify({ source: 'crm', EventId: { $exists: false } }), event, withId), true);
    assert.equal('EventId' in filterSubject(event, withId), false);
  });

  it('a payload nested 5,000 deep is matched and explained without deep recursion', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5_000; i++) deep = { x: deep, list: [deep] };
    const subject = { FieldValues: deep };
    assert.equal(
      filterMatches(JSON.stringify({ 'FieldValues.x.x.x': { $exists: true } }), { ...event, fieldValues: deep as never }, target),
      true,
    );
    const verdict = explainFilter({ 'FieldValues.x': { $eq: { x: 1 } }, FieldValues: 1 }, subject);
    assert.equal(verdict.matches, false);
    // Too deep to echo: the value is left out rather than serialised 5,000 levels down.
    assert.deepEqual(
      verdict.failed.map((f) => f.value),
      [undefined, undefined],
    );
  });
});
