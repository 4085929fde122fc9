/**
 * Date-times as NetServer writes them: ISO-8601 with 7 fractional digits (.NET ticks). JavaScript
 * clocks have millisecond precision, so the last four digits are zeros.
 */

let lastMs = Number.NaN;
let lastText = '';

/** `2018-04-05T08:28:01.5730000Z`. The events of one batch share one instant: the last answer is kept. */
export function utcTimestamp(ms: number): string {
  if (ms === lastMs) return lastText;
  lastText = `${new Date(ms).toISOString().slice(0, -1)}0000Z`;
  lastMs = ms;
  return lastText;
}

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant as the wall-clock time of `zone`: `2018-12-24T07:34:45.0000000`, or with `includeOffset`
 * tagged with its offset as SuperOffice writes it, `2018-12-24T07:34:45.0000000-0500` (SO-TimeZone).
 */
export function zonedTimestamp(ms: number, zone: string, includeOffset: boolean): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const offsetRaw = get('timeZoneName').replace('GMT', '').replace(':', '');
  const offset = offsetRaw === '' ? '+0000' : offsetRaw;
  const fraction = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  const local = `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}.${fraction}0000`;
  return includeOffset ? `${local}${offset}` : local;
}
