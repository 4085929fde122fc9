import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SO_TIMEZONES } from './so-timezone-table.js';
import { parseTimeZoneHeader, timeZoneList, zoneOf } from './so-timezones.js';

describe('SuperOffice time-zone codes', () => {
  it('name the IANA zones of their country or region, in any letter case', () => {
    assert.deepEqual(['NO', 'dk', 'FR', 'US-NY', 'US-CA', 'US-HI', 'AU-ACT', 'CA-QC', 'UTC', 'BD'].map(zoneOf), [
      'Europe/Oslo',
      'Europe/Copenhagen',
      'Europe/Paris',
      'America/New_York',
      'America/Los_Angeles',
      'Pacific/Honolulu',
      'Australia/Sydney',
      'America/Toronto',
      'UTC',
      'Asia/Dhaka',
    ]);
    assert.equal(zoneOf('Europe/Oslo'), 'Europe/Oslo', 'IANA names are an extension');
    assert.equal(zoneOf('XX'), null);
    assert.equal(zoneOf('Mars/Olympus'), null);
  });

  it('every code is unique and every zone is one this runtime knows', () => {
    const codes = SO_TIMEZONES.map((r) => r[1]);
    assert.equal(new Set(codes).size, codes.length);
    for (const [, , , , zone] of SO_TIMEZONES) assert.doesNotThrow(() => new Intl.DateTimeFormat('en', { timeZone: zone }), zone);
  });

  it('read SO-TimeZone with and without includeTZOffset, as the clients send it', () => {
    assert.deepEqual(parseTimeZoneHeader('UTC,includeTZOffset'), { zone: 'UTC', includeOffset: true });
    assert.deepEqual(parseTimeZoneHeader('US-NY, includeTZOffset'), { zone: 'America/New_York', includeOffset: true });
    assert.deepEqual(parseTimeZoneHeader('FR'), { zone: 'Europe/Paris', includeOffset: false });
    assert.deepEqual(parseTimeZoneHeader('includeTZOffset'), { zone: null, includeOffset: true });
    assert.deepEqual(parseTimeZoneHeader('Atlantis'), { unknown: 'Atlantis' });
    assert.deepEqual(parseTimeZoneHeader('NO, DK'), { unknown: 'DK' });
  });

  it('list offsets as GET /api/v1/timezone shows them', () => {
    const list = timeZoneList(Date.UTC(2026, 5, 1));
    const row = (code: string) => list.find((r) => r.timeZone === code);
    assert.deepEqual(row('UTC'), {
      id: 1,
      timeZone: 'UTC',
      country: 'UTC/GMT',
      region: '',
      offset: '0',
      daylight: '',
      isActive: 1,
      zone: 'UTC',
    });
    assert.deepEqual([row('NO')?.offset, row('NO')?.daylight], ['+1:00', '+2:00']);
    assert.deepEqual([row('US-NY')?.offset, row('US-NY')?.daylight, row('US-NY')?.region], ['-5:00', '-4:00', 'New York']);
    assert.deepEqual([row('US-HI')?.offset, row('US-HI')?.daylight], ['-10:00', '']);
    assert.deepEqual([row('AU-ACT')?.offset, row('AU-ACT')?.daylight], ['+10:00', '+11:00']);
  });
});
