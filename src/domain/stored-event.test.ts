import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EventRecord, payloadBody, payloadObject } from './payload.js';
import { stateEventRecord } from './state-events.js';
import { StoredEvent } from './stored-event.js';

const contact: EventRecord = {
  name: 'contact.changed',
  bodyEvent: 'contact.changed',
  entity: 'contact',
  primaryKey: 18,
  timestamp: '2018-04-05T08:28:01.5730000Z',
  changes: ['contact_id', 'name'],
  changedByAssociateId: 5,
  contextIdentifier: 'Cust54321',
  values: null,
  fieldValues: null,
};
const webhook = {
  id: 12,
  events: ['contact.created'],
  registered: 0,
  registeredAssociateId: 1,
  state: 'Active',
  updated: 0,
  updatedAssociateId: 1,
};
const state = stateEventRecord(webhook as never, 'started', 'Default', 0);

/** Events of every shape the payload has: Entity or none, Values and FieldValues or not, text that JSON escapes. */
const shapes: Array<[string, EventRecord]> = [
  ['a plain change', contact],
  ['a state event (no Entity)', state],
  ['Values and FieldValues', { ...contact, values: { contact_id: 18, name: 'Ø "q" \\ \u2028' }, fieldValues: { deleted: 0, n: 1.5 } }],
  ['only FieldValues, nested', { ...contact, fieldValues: { a: { b: [1, null, 'x'] }, '1': 'index key', __proto__x: true } }],
  ['escapes in every text field', { ...contact, bodyEvent: 'a"b', entity: 'e\n', contextIdentifier: '\u0000\u00ff', timestamp: 't\\' }],
  ['empty Changes and Values', { ...contact, changes: [], values: {} }],
];

describe('StoredEvent', () => {
  for (const [what, event] of shapes) {
    it(`writes the same bytes as the payload object: ${what}`, () => {
      const expected = JSON.stringify(
        payloadObject(event, '88f91933-edce-4c1a-8ded-ade8e2f72434', { name: 'Tonys "Handler"', properties: null }),
      );
      const signalled = StoredEvent.of(event);
      const readBack = new StoredEvent(
        event.name,
        event.bodyEvent,
        event.entity,
        event.primaryKey,
        event.timestamp,
        event.changedByAssociateId,
        event.contextIdentifier,
        null,
        signalled.changesJson,
        signalled.valuesJson,
        signalled.fieldValuesJson,
      );
      for (const stored of [signalled, readBack]) {
        assert.equal(payloadBody(stored, '88f91933-edce-4c1a-8ded-ade8e2f72434', { name: 'Tonys "Handler"', properties: null }), expected);
        // A second body of the same event carries its own id and name, nothing of the first.
        assert.equal(
          payloadBody(stored, 'other', { name: 'n', properties: {} }),
          JSON.stringify(payloadObject(event, 'other', { name: 'n', properties: null })),
        );
      }
    });
  }

  it('parses its JSON columns only when asked, and gives the values that were stored', () => {
    const event = { ...contact, values: { a: 1 }, fieldValues: { b: [2] } };
    const { changes, values, fieldValues } = StoredEvent.of(event).json;
    const readBack = new StoredEvent('n', 'n', null, 1, 't', 0, 'c', null, changes, values, fieldValues);
    assert.deepEqual(readBack.changes, event.changes);
    assert.deepEqual(readBack.values, event.values);
    assert.deepEqual(readBack.fieldValues, event.fieldValues);
    assert.equal(readBack.changes, readBack.changes, 'parsed once');
  });

  it('takes the object path when the webhook has Properties, which follow the event fields', () => {
    const stored = StoredEvent.of(contact);
    const target = { name: 'n', properties: { tenantSlug: 'acme', Event: 'not replaced', '7': 'an index key' } };
    assert.equal(payloadBody(stored, 'g', target), JSON.stringify(payloadObject(contact, 'g', target)));
  });
});
