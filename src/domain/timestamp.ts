/**
 * Date-times as NetServer writes them: ISO-8601 with 7 fractional digits (.NET ticks). JavaScript
 * clocks have millisecond precision, so the last four digits are zeros.
 */

/** `2018-04-05T08:28:01.5730000Z` */
export function utcTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
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

/** `2016-04-18T11:41:00.1110000+02:00`: the instant shown in `zone` with its offset (SO-TimeZone). */
export function zonedTimestamp(ms: number, zone: string): string {
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
  const offsetRaw = get('timeZoneName').replace('GMT', '');
  const offset = offsetRaw === '' ? '+00:00' : offsetRaw;
  const fraction = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}.${fraction}0000${offset}`;
}
