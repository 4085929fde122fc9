/**
 * SO-TimeZone: SuperOffice's time-zone codes (`NO`, `US-NY`, `UTC`, …; so-timezone-table.ts, built from the tz
 * database), optionally followed by `, includeTZOffset`. IANA names (`Europe/Oslo`) are hookd's extension.
 */
import { SO_TIMEZONES } from './so-timezone-table.js';
import { isTimeZone } from './timestamp.js';

export interface TimeZoneRequest {
  /** The IANA zone to show date-times in; null: UTC. */
  zone: string | null;
  /** Tag date-times with their offset (`-0500`); without it they are shown in the zone untagged. */
  includeOffset: boolean;
}

const BY_CODE = new Map(SO_TIMEZONES.map((row) => [row[1].toUpperCase(), row[4]]));

/** The IANA zone a SuperOffice code or an IANA name names, or null. */
export function zoneOf(name: string): string | null {
  const byCode = BY_CODE.get(name.toUpperCase());
  if (byCode) return byCode;
  return name.includes('/') && isTimeZone(name) ? name : null;
}

/** Reads the header; returns the unknown part as `unknown` instead of a request. */
export function parseTimeZoneHeader(value: string): TimeZoneRequest | { unknown: string } {
  let zone: string | null = null;
  let includeOffset = false;
  for (const part of value.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    if (part.toLowerCase() === 'includetzoffset') includeOffset = true;
    else if (zone === null) {
      zone = zoneOf(part);
      if (zone === null) return { unknown: part };
    } else return { unknown: part };
  }
  return { zone, includeOffset };
}

/** `+1:00`, `-5:00`, `+5:30`: an offset as SuperOffice's time-zone list writes it. */
function offsetText(minutes: number): string {
  if (minutes === 0) return '0';
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}

/** The zone's UTC offset in minutes at an instant. */
export function offsetMinutes(zone: string, ms: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** GET /api/v1/timezone: every code with its standard and daylight-saving offsets in the year of `now`. */
export function timeZoneList(now: number): Array<Record<string, unknown>> {
  const year = new Date(now).getUTCFullYear();
  const january = Date.UTC(year, 0, 15);
  const july = Date.UTC(year, 6, 15);
  return SO_TIMEZONES.map(([id, code, country, region, zone]) => {
    const a = offsetMinutes(zone, january);
    const b = offsetMinutes(zone, july);
    return {
      id,
      timeZone: code,
      country,
      region,
      offset: offsetText(Math.min(a, b)),
      daylight: a === b ? '' : offsetText(Math.max(a, b)),
      isActive: 1,
      zone,
    };
  });
}
