import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EventRecord, payloadBody, payloadObject } from './payload.js';
import { stateEventRecord } from './state-events.js';
import { StoredEvent } from './stored-event.js';
import { utcTimestamp, zonedTimestamp } from './timestamp.js';

const event: EventRecord = {
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

/** A webhook as a state event reads it. */
const webhook = {
  id: 12,
  events: ['contact.created'],
  registered: 0,
  registeredAssociateId: 1,
  state: 'Active' as const,
  updated: 0,
  updatedAssociateId: 1,
};

describe('payloadBody', () => {
  it('writes the fields in NetServer order, exactly', () => {
    assert.equal(
      payloadBody(event, '88f91933-edce-4c1a-8ded-ade8e2f72434', { name: 'Tonys Contact Handler', properties: null }),
      '{"EventId":"88f91933-edce-4c1a-8ded-ade8e2f72434","Timestamp":"2018-04-05T08:28:01.5730000Z","Changes":["contact_id","name"],' +
        '"Event":"contact.changed","PrimaryKey":18,"Entity":"contact","ContextIdentifier":"Cust54321","ChangedByAssociateId":5,' +
        '"WebhookName":"Tonys Contact Handler"}',
    );
  });
  it('puts Values, FieldValues, then Properties last', () => {
    const body = payloadBody({ ...event, values: { contact_id: 18 }, fieldValues: { deleted: 0 } }, 'id', {
      name: 'n',
      properties: { tenantSlug: 'acme', n: 1 },
    });
    assert.deepEqual(Object.keys(JSON.parse(body)).slice(-4), ['Values', 'FieldValues', 'tenantSlug', 'n']);
  });
  it('omits Entity for state events and uses the generic body event', () => {
    const e = stateEventRecord(webhook as never, 'started', 'Default', 0);
    assert.equal(e.name, 'webhook12.started');
    const body = JSON.parse(payloadBody(e, 'g', { name: 'x', properties: null }));
    assert.equal(body.Event, 'webhook.started');
    assert.equal('Entity' in body, false);
    assert.equal(body.PrimaryKey, 12);
    assert.equal(body.ChangedByAssociateId, 0);
    assert.equal(body.FieldValues.state, 1);
  });
});

describe('timestamps', () => {
  it('have 7 fractional digits and Z', () => {
    assert.equal(utcTimestamp(Date.UTC(2018, 3, 5, 8, 28, 1, 573)), '2018-04-05T08:28:01.5730000Z');
  });
  it('convert to a zone, untagged or tagged with its offset as SuperOffice writes it (SO-TimeZone, includeTZOffset)', () => {
    assert.equal(zonedTimestamp(Date.UTC(2016, 3, 18, 9, 41, 0, 111), 'Europe/Oslo', true), '2016-04-18T11:41:00.1110000+0200');
    assert.equal(zonedTimestamp(Date.UTC(2016, 0, 18, 9, 41, 0, 0), 'Europe/Oslo', true), '2016-01-18T10:41:00.0000000+0100');
    assert.equal(zonedTimestamp(Date.UTC(2018, 11, 24, 12, 34, 45), 'America/New_York', true), '2018-12-24T07:34:45.0000000-0500');
    assert.equal(zonedTimestamp(Date.UTC(2018, 11, 24, 12, 34, 45), 'America/New_York', false), '2018-12-24T07:34:45.0000000');
    assert.equal(zonedTimestamp(Date.UTC(2016, 0, 18, 9, 41, 0, 0), 'UTC', true), '2016-01-18T09:41:00.0000000+0000');
  });
});

/** Events of every shape the payload has: Entity or none, Values and FieldValues or not, text that JSON escapes. */
const shapes: Array<[string, EventRecord]> = [
  ['a plain change', event],
  ['a state event (no Entity)', stateEventRecord(webhook as never, 'started', 'Default', 0)],
  ['Values and FieldValues', { ...event, values: { contact_id: 18, name: 'Ø "q" \\ \u2028' }, fieldValues: { deleted: 0, n: 1.5 } }],
  ['only FieldValues, nested', { ...event, fieldValues: { a: { b: [1, null, 'x'] }, '1': 'index key', __proto__x: true } }],
  ['escapes in every text field', { ...event, bodyEvent: 'a"b', entity: 'e\n', contextIdentifier: '\u0000\u00ff', timestamp: 't\\' }],
  ['empty Changes and Values', { ...event, changes: [], values: {} }],
];

describe('StoredEvent', () => {
  for (const [what, event] of shapes) {
    it(`writes the same bytes as the payload object: ${what}`, () => {
      const expected = JSON.stringify(
        payloadObject(event, '88f91933-edce-4c1a-8ded-ade8e2f72434', { name: 'Tonys "Handler"', properties: null }),
      );
      const signalled = StoredEvent.of(event);
      const readBack = StoredEvent.fromColumns(
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
    const withValues = { ...event, values: { a: 1 }, fieldValues: { b: [2] } };
    const stored = StoredEvent.of(withValues);
    const readBack = StoredEvent.fromColumns(
      'n',
      'n',
      null,
      1,
      't',
      0,
      'c',
      null,
      stored.changesJson,
      stored.valuesJson,
      stored.fieldValuesJson,
    );
    assert.deepEqual(readBack.changes, withValues.changes);
    assert.deepEqual(readBack.values, withValues.values);
    assert.deepEqual(readBack.fieldValues, withValues.fieldValues);
    assert.equal(readBack.changes, readBack.changes, 'parsed once');
  });

  it('read back as payload text (SQLite), writes the same bytes before and after its fields are read, and gives them back', () => {
    for (const [what, shape] of shapes) {
      const signalled = StoredEvent.of(shape);
      const body = signalled.body('g', 'n');
      // The text a refill query writes: what the body holds around WebhookName.
      const at = body.indexOf(',"WebhookName":');
      const text = { head: body.slice('{"EventId":"g"'.length, at), tail: body.slice(at + ',"WebhookName":"n"'.length, -1) };
      const readBack = StoredEvent.fromText(signalled.name, signalled.timestamp, signalled.traceParent, text);
      const bytes = readBack.bytes;
      assert.equal(readBack.body('g', 'n'), body, what);
      for (const k of ['bodyEvent', 'entity', 'primaryKey', 'changedByAssociateId', 'contextIdentifier'] as const)
        assert.equal(readBack[k], signalled[k], `${what}: ${k}`);
      for (const k of ['changes', 'values', 'fieldValues'] as const) assert.deepEqual(readBack[k], signalled[k], `${what}: ${k}`);
      assert.equal(readBack.body('g', 'n'), body, `${what}: the same bytes once its fields were read`);
      assert.equal(readBack.bytes, bytes, `${what}: counted once, the same when let go`);
    }
  });

  it('takes the object path when the webhook has Properties, which follow the event fields', () => {
    const stored = StoredEvent.of(event);
    const target = { name: 'n', properties: { tenantSlug: 'acme', Event: 'not replaced', '7': 'an index key' } };
    assert.equal(payloadBody(stored, 'g', target), JSON.stringify(payloadObject(event, 'g', target)));
  });
});
