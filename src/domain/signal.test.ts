import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventFromSignal, fieldsByName, NameIndex, otherFields, signalInput } from './signal.js';

const ctx = { associateId: 7, contextIdentifier: 'Cust1', now: Date.UTC(2026, 0, 2, 3, 4, 5) };

describe('reading a SignalEvent item in one pass', () => {
  it('finds each name in any case, the first key of a name winning, counts the other keys and gathers them', () => {
    const names = new NameIndex(['changes', 'values', 'fieldvalues']);
    const obj = { CHANGES: ['a'], changes: ['b'], Name: 'x', values: { v: 1 }, extra: 2 };
    for (let round = 0; round < 2; round++) {
      // The second round reads the keys from the index's memory.
      assert.deepEqual(fieldsByName(obj, names), [['a'], { v: 1 }, undefined, 2]);
      assert.deepEqual(otherFields(obj, names), { Name: 'x', extra: 2 });
    }
  });

  it('keeps no key longer than every name (a key may be as long as the body), and counts it as another key', () => {
    const names = new NameIndex(['eventname', 'data']);
    for (let i = 0; i < 300; i++) assert.deepEqual(fieldsByName({ [`${i}${'k'.repeat(1_000)}`]: 1, Data: 2 }, names), [undefined, 2, 1]);
    assert.equal(names['byKey'].size, 1, 'only Data is kept');
  });

  it('looks up keys past what the index keeps, the same way', () => {
    const names = new NameIndex(['data']);
    for (let i = 0; i < 600; i++) assert.deepEqual(fieldsByName({ [`k${i}`]: i, [i % 2 ? 'DATA' : 'Data']: i }, names), [i, 1]);
  });

  it('takes -0 as 0, as the stores keep it (an event sent from memory and one read back must not differ)', () => {
    for (const k of ['-0', -0]) {
      const e = eventFromSignal(signalInput({ EventName: 'contact.changed', PrimaryKey: k, Data: { ChangedByAssociateId: k } }), ctx);
      assert.ok(
        Object.is(e.primaryKey, 0) && Object.is(e.changedByAssociateId, 0),
        `${String(k)}: ${e.primaryKey} ${e.changedByAssociateId}`,
      );
    }
  });

  it('maps Data as before: named keys set payload fields, the others join FieldValues', () => {
    const e = eventFromSignal(
      signalInput({
        eventname: 'contact.changed',
        PRIMARYKEY: '12',
        DATA: { Changes: ['name'], ChangedByAssociateId: 3, city: 'Oslo', fieldValues: { zip: '0150' } },
      }),
      ctx,
    );
    assert.equal(e.name, 'contact.changed');
    assert.equal(e.primaryKey, 12);
    assert.deepEqual(e.changes, ['name']);
    assert.equal(e.changedByAssociateId, 3);
    assert.equal(e.contextIdentifier, 'Cust1');
    assert.deepEqual(e.fieldValues, { zip: '0150', city: 'Oslo' });
    assert.equal(e.values, null);
  });

  it('still names every problem, each with its item in a batch', () => {
    assert.throws(
      () =>
        eventFromSignal(signalInput({ EventName: 'contact.changed', Data: { Changes: 'name', Values: 3, ContextIdentifier: 1 } }), ctx, 2),
      (e: Error) => {
        const text = JSON.stringify(e);
        for (const p of ['[2].Data.Changes', '[2].Data.Values', '[2].Data.ContextIdentifier'])
          assert.ok(text.includes(`"${p}"`), `${p} in ${text}`);
        assert.ok(!/"Data\./.test(text), 'no property without its item');
        return true;
      },
    );
  });
});
