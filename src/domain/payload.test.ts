import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecord } from './payload.js';
import { payloadBody } from './payload.js';
import { stateEventRecord } from './state-events.js';
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
    const w = {
      id: 12,
      events: ['contact.created'],
      registered: 0,
      registeredAssociateId: 1,
      state: 'Active' as const,
      updated: 0,
      updatedAssociateId: 1,
    };
    const e = stateEventRecord(w as never, 'started', 'Default', 0);
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
