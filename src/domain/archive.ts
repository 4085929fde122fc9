/**
 * The Webhook archive providers (superoffice-webhooks.md §1.5): `WebhookProvider` (`GET /api/v1/archive/Webhook`,
 * ArchiveAgent's GetArchiveListByColumns with provider `Webhook`) and the dynamic `webhook_usage.*` query of the
 * troubleshooting guide (`GET /api/v1/Archive/dynamic`). Pure: the rows' values come in, the chosen columns,
 * restrictions, order and page go out. A subset of NetServer's archive language, named in README: each
 * restriction is one column, one operator and its values, all joined by AND; no aggregation or grouping.
 */
import { type FieldError, HookdError, invalidFields } from './errors.js';

export type ArchiveValue = number | string | null;
export type ColumnKind = 'int' | 'string' | 'date';
/** A date value is epoch milliseconds; `null` where there is none (a webhook never called has no lastEvent). */
export type ArchiveRow = Record<string, ArchiveValue>;

export interface ArchiveProvider {
  /** EntityName of each row. */
  entity: string;
  /** Column name → kind, in NetServer's order; the default selection when none is asked for. */
  columns: ReadonlyArray<readonly [string, ColumnKind]>;
  /** The column that is the row's PrimaryKey. */
  key: string;
}

/** WebhookProvider's columns (`[archive-webhook]`). */
export const WEBHOOK_PROVIDER: ArchiveProvider = {
  entity: 'webhook',
  key: 'webhookId',
  columns: [
    ['webhookId', 'int'],
    ['name', 'string'],
    ['events', 'string'],
    ['targetUrl', 'string'],
    ['type', 'string'],
    ['eventCount', 'int'],
    ['updatedByFullName', 'string'],
    ['registeredBy', 'string'],
    ['registeredDate', 'date'],
    ['webhookUsage/totalCalls', 'int'],
    ['webhookUsage/totalErrors', 'int'],
    ['webhookUsage/consecutiveErrors', 'int'],
    ['webhookUsage/lastError', 'string'],
    ['webhookUsage/lastEvent', 'date'],
    ['webhookUsage/status', 'string'],
  ],
};

/** The dynamic archive's tables hookd has: `webhook_usage` (the troubleshooting guide's query) and `webhook`. */
export const DYNAMIC_PROVIDER: ArchiveProvider = {
  entity: 'webhook_usage',
  key: 'webhook_usage.webhook_usage_id',
  columns: [
    ['webhook_usage.webhook_usage_id', 'int'],
    ['webhook_usage.total_calls', 'int'],
    ['webhook_usage.total_errors', 'int'],
    ['webhook_usage.consecutive_errors', 'int'],
    ['webhook_usage.last_error', 'string'],
    ['webhook.webhook_id', 'int'],
    ['webhook.name', 'string'],
    ['webhook.events', 'string'],
    ['webhook.target_url', 'string'],
    ['webhook.type', 'string'],
    ['webhook.state', 'int'],
  ],
};

export interface Restriction {
  name: string;
  operator: string;
  values: string[];
}
export interface SortOrder {
  name: string;
  descending: boolean;
}
export interface ArchiveQuery {
  columns: string[];
  restrictions: Restriction[];
  sort: SortOrder[];
  skip: number;
  take: number;
}

/** The most rows one page has (NetServer's REST archive answers 1000 at most per request too). */
export const MAX_PAGE = 1000;
const OPERATORS: Record<string, string> = {
  eq: 'eq',
  '=': 'eq',
  equals: 'eq',
  is: 'eq',
  ne: 'ne',
  '<>': 'ne',
  '!=': 'ne',
  unequals: 'ne',
  isnot: 'ne',
  gt: 'gt',
  '>': 'gt',
  greater: 'gt',
  after: 'gt',
  ge: 'ge',
  '>=': 'ge',
  lt: 'lt',
  '<': 'lt',
  less: 'lt',
  before: 'lt',
  le: 'le',
  '<=': 'le',
  contains: 'contains',
  notcontains: 'notcontains',
  begins: 'begins',
  startswith: 'begins',
  notbegins: 'notbegins',
  between: 'between',
  oneof: 'in',
  in: 'in',
  notoneof: 'notin',
  set: 'set',
  notset: 'notset',
};

function kindOf(provider: ArchiveProvider, name: string): ColumnKind | undefined {
  return provider.columns.find(([c]) => c.toLowerCase() === name.toLowerCase())?.[1];
}

/** The provider's own spelling of a column, or undefined. */
export function columnName(provider: ArchiveProvider, name: string): string | undefined {
  return provider.columns.find(([c]) => c.toLowerCase() === name.trim().toLowerCase())?.[0];
}

/** NetServer's CultureDataFormatter encodings (`[I:10]`, `[DT:01/05/2026 09:00:00.0000000]`) read as plain text. */
function decode(value: string): string {
  const m = /^\[(?:I|F|D|B|DT|S):(.*)\]$/s.exec(value.trim());
  if (!m) return value;
  const inner = m[1] ?? '';
  const dt = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(inner);
  return dt ? `${dt[3]}-${dt[1]}-${dt[2]}T${dt[4]}:${dt[5]}:${dt[6]}Z` : inner;
}

function operand(kind: ColumnKind, raw: string): number | string | null {
  const text = decode(raw);
  if (kind === 'int') return /^-?\d{1,15}$/.test(text.trim()) ? Number(text) : null;
  if (kind === 'date') {
    const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
    return Number.isNaN(ms) ? null : ms;
  }
  return text;
}

/**
 * Checks the query against the provider: every column known, every operator known, every value of its column's
 * kind; throws a 400 naming each problem. Returns the query in the provider's spelling.
 */
export function checkQuery(provider: ArchiveProvider, q: ArchiveQuery): ArchiveQuery {
  const errors: FieldError[] = [];
  const known = (name: string, where: string) => {
    const c = columnName(provider, name);
    if (!c)
      errors.push({
        property: where,
        rule: `'${name.slice(0, 100)}' is not a column of ${provider.entity}; the columns are ${provider.columns.map(([n]) => n).join(', ')}`,
      });
    return c ?? name;
  };
  const columns = (q.columns.length > 0 ? q.columns : provider.columns.map(([c]) => c)).map((c) => known(c, 'Columns'));
  const restrictions = q.restrictions.map((r) => {
    const name = known(r.name, 'Restriction');
    const operator = OPERATORS[r.operator.trim().toLowerCase()];
    if (!operator) errors.push({ property: 'Restriction', rule: `operator '${r.operator.slice(0, 40)}' is not supported on ${name}` });
    const kind = kindOf(provider, name);
    if (kind && operator && !['set', 'notset'].includes(operator)) {
      if (r.values.length === 0) errors.push({ property: 'Restriction', rule: `${name} ${r.operator} needs a value` });
      for (const v of r.values) {
        if (operand(kind, v) === null)
          errors.push({ property: 'Restriction', rule: `'${v.slice(0, 100)}' is not a ${kind} value for ${name}` });
      }
    }
    return { name, operator: operator ?? r.operator, values: r.values };
  });
  const sort = q.sort.map((s) => ({ name: known(s.name, 'SortOrder'), descending: s.descending }));
  if (errors.length > 0) throw invalidFields(errors);
  return { columns: [...new Set(columns)], restrictions, sort, skip: q.skip, take: Math.min(q.take, MAX_PAGE) };
}

function matches(kind: ColumnKind, value: ArchiveValue, r: Restriction): boolean {
  const ops = r.values.map((v) => operand(kind, v));
  const text = value === null ? '' : String(value).toLowerCase();
  const first = ops[0] ?? null;
  const cmp = (a: ArchiveValue, b: number | string | null) =>
    a === null || b === null ? NaN : typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  switch (r.operator) {
    case 'set':
      return value !== null && value !== '' && value !== 0;
    case 'notset':
      return value === null || value === '' || value === 0;
    case 'eq':
      return kind === 'string' ? text === String(first).toLowerCase() : cmp(value, first) === 0;
    case 'ne':
      return kind === 'string' ? text !== String(first).toLowerCase() : cmp(value, first) !== 0;
    case 'gt':
      return cmp(value, first) > 0;
    case 'ge':
      return cmp(value, first) >= 0;
    case 'lt':
      return cmp(value, first) < 0;
    case 'le':
      return cmp(value, first) <= 0;
    case 'contains':
      return text.includes(String(first).toLowerCase());
    case 'notcontains':
      return !text.includes(String(first).toLowerCase());
    case 'begins':
      return text.startsWith(String(first).toLowerCase());
    case 'notbegins':
      return !text.startsWith(String(first).toLowerCase());
    case 'between':
      return cmp(value, first) >= 0 && cmp(value, ops[1] ?? null) <= 0;
    case 'in':
      return ops.some((o) => (kind === 'string' ? text === String(o).toLowerCase() : cmp(value, o) === 0));
    case 'notin':
      return !ops.some((o) => (kind === 'string' ? text === String(o).toLowerCase() : cmp(value, o) === 0));
    default:
      return false;
  }
}

/**
 * The one webhook id a checked query pins with `key eq n` (the troubleshooting guide's
 * `webhook_usage.webhook_usage_id eq {id}`), or null: the shell then reads that webhook alone, not the tenant's all.
 */
export function pinnedKey(provider: ArchiveProvider, q: ArchiveQuery): number | null {
  const pin = q.restrictions.find((r) => r.name === provider.key && r.operator === 'eq' && r.values.length === 1);
  const id = pin ? operand('int', pin.values[0] ?? '') : null;
  // Ids are int32 (NetServer's and the stores' columns); anything else cannot match and is left to the full read.
  return typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 2147483647 ? id : null;
}

/** The rows that pass every restriction, ordered, and the page asked for; `total` counts before paging. */
export function runQuery(provider: ArchiveProvider, rows: ArchiveRow[], q: ArchiveQuery): { rows: ArchiveRow[]; total: number } {
  const kinds = new Map(provider.columns.map(([c, k]) => [c, k]));
  const kept = rows.filter((row) => q.restrictions.every((r) => matches(kinds.get(r.name) ?? 'string', row[r.name] ?? null, r)));
  const order = q.sort.length > 0 ? q.sort : [{ name: provider.key, descending: false }];
  kept.sort((a, b) => {
    for (const s of order) {
      const x = a[s.name] ?? null;
      const y = b[s.name] ?? null;
      // Empty values sort first, as NULL does in NetServer's SQL Server.
      const c =
        x === y
          ? 0
          : x === null
            ? -1
            : y === null
              ? 1
              : typeof x === 'number' && typeof y === 'number'
                ? x - y
                : String(x).localeCompare(String(y));
      if (c !== 0) return s.descending ? -c : c;
    }
    return 0;
  });
  return { rows: kept.slice(q.skip, q.skip + q.take), total: kept.length };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A value as NetServer's archive DisplayValue encodes it: `[I:5]`, `[DT:01/05/2026 09:00:00.0000000]`, plain text. */
export function displayValue(kind: ColumnKind, value: ArchiveValue): string {
  if (value === null) return '';
  if (kind === 'int') return `[I:${value}]`;
  if (kind === 'date' && typeof value === 'number') {
    const d = new Date(value);
    const date = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
    const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}0000`;
    return `[DT:${date} ${time}]`;
  }
  return String(value);
}

export function kindOfColumn(provider: ArchiveProvider, name: string): ColumnKind {
  return kindOf(provider, name) ?? 'string';
}

/**
 * An OData `$filter` of NetServer's REST archive, the subset hookd reads: terms `column op value` (op: eq ne gt ge
 * lt le, or an archive operator such as contains, begins, between, oneOf), `startswith(column,'x')` and
 * `substringof('x',column)`, joined by `and`. Values are 'quoted' (a quote inside doubled or escaped `\'`), numbers,
 * or (for oneOf/between) a parenthesised list. Throws a 400 naming what it cannot read.
 */
export function parseFilter(filter: string): Restriction[] {
  const text = filter.trim();
  if (text === '') return [];
  if (text.length > 4000) throw new HookdError('invalid_parameter', { name: '$filter', rule: 'may be at most 4000 characters' });
  const value = String.raw`'(?:[^'\\]|\\.|'')*'|-?\d+(?:\.\d+)?|\([^)]*\)`;
  const term = new RegExp(
    String.raw`^\s*(?:(startswith|substringof)\(\s*([\w./]+|'(?:[^'\\]|\\.|'')*')\s*,\s*([\w./]+|'(?:[^'\\]|\\.|'')*')\s*\)|([\w./]+)\s+([A-Za-z]+|[<>=!]{1,2})\s+(${value}))\s*(?:\band\b|$)`,
    'i',
  );
  const unquote = (v: string): string[] => {
    const t = v.trim();
    if (t.startsWith('('))
      return t
        .slice(1, -1)
        .split(',')
        .flatMap((x) => (x.trim() === '' ? [] : unquote(x)));
    if (t.startsWith("'")) return [t.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1')];
    return [t];
  };
  const out: Restriction[] = [];
  let rest = text;
  while (rest.trim() !== '') {
    const m = term.exec(rest);
    if (!m) {
      throw new HookdError('invalid_parameter', {
        name: '$filter',
        rule: `cannot be read at '${rest.trim().slice(0, 60)}': hookd reads terms 'column op value' joined by 'and' (no 'or', no brackets)`,
      });
    }
    if (m[1]) {
      const fn = m[1].toLowerCase();
      const [col, val] = fn === 'startswith' ? [m[2] ?? '', m[3] ?? ''] : [m[3] ?? '', m[2] ?? ''];
      out.push({ name: col, operator: fn === 'startswith' ? 'begins' : 'contains', values: unquote(val) });
    } else {
      out.push({ name: m[4] ?? '', operator: m[5] ?? '', values: unquote(m[6] ?? '') });
    }
    rest = rest.slice(m[0].length);
    if (out.length > 50) throw new HookdError('invalid_parameter', { name: '$filter', rule: 'may have at most 50 terms' });
  }
  return out;
}

/** `$orderby=col1 desc,col2`: the columns to sort by. */
export function parseOrderBy(orderBy: string): SortOrder[] {
  return orderBy
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .slice(0, 20)
    .map((s) => {
      const [name = '', dir = ''] = s.split(/\s+/);
      return { name, descending: dir.toLowerCase() === 'desc' };
    });
}
