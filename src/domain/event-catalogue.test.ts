import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE_EVENTS, inCatalogue, sampleData } from './event-catalogue.js';

describe('the event catalogue (superoffice-webhooks.md §6)', () => {
  it('has the events NetServer sends, and not the ones it never sends', () => {
    const sent = [
      'contact.softdeleted',
      'person.consented',
      'person.unconsented',
      'sale.sold',
      'sale.lost',
      'sale.completed',
      'document.edited',
      'chatsession.message',
      'quote.approved',
      'quote.rejected',
      'quote.sent',
      'quote.ordered',
    ];
    for (const name of sent) assert.ok(inCatalogue(name), name);
    for (const name of ['quote.created', 'ticket.deleted', 'chatsession.deleted', 'contact.*', 'test']) assert.ok(!inCatalogue(name), name);
    assert.equal(CATALOGUE_EVENTS.length, 47);
    assert.equal(new Set(CATALOGUE_EVENTS).size, CATALOGUE_EVENTS.length, 'no name twice');
  });

  it('samples every catalogue event for `hookd trigger`, and no other', () => {
    for (const name of CATALOGUE_EVENTS) assert.ok(sampleData(name, 1), name);
    assert.equal(sampleData('ticket.deleted', 1), null);
    assert.deepEqual(sampleData('sale.sold', 1), { Changes: [], FieldValues: {} }, 'sold has no field values');
    assert.deepEqual(sampleData('contact.softdeleted', 7), { Changes: [], Values: { associate_id: 1, contact_id: 7 } });
  });
});
