/** Output for people (aligned tables) and for scripts (--json). */
import { Presets, SingleBar } from 'cli-progress';

export function table(rows: Array<Record<string, unknown>>, columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  const s = String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** `key=value` pairs from repeated flags. */
export function pairs(list: string[] | undefined, what: string): Record<string, string> | undefined {
  if (!list || list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`${what} must be key=value (got '${item}')`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A one-line progress bar on stderr, for long operations. */
/** One bar per label (cli-progress), on stderr and only on a terminal; the last value ends it. */
const bars = new Map<string, SingleBar>();

export function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  let bar = bars.get(label);
  if (!bar) {
    bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true }, Presets.legacy);
    bar.start(total, done);
    bars.set(label, bar);
  }
  bar.setTotal(total);
  bar.update(done);
  if (done >= total) {
    bar.stop();
    bars.delete(label);
  }
}
