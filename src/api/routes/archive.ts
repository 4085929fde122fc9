/**
 * The Webhook archive providers (issue 23, superoffice-webhooks.md §1.5): `GET /archive/{provider}` (NetServer's
 * REST archive in OData form: `$select`, `$filter`, `$orderby`, `$top`, `$skip`) for `Webhook` and `dynamic`, and
 * the ArchiveAgent RPC twin `POST /Agents/Archive/{method}` that @superoffice/webapi's ArchiveAgent calls
 * (GetArchiveListByColumns and GetArchiveListByColumns2). Rules in domain/archive.ts.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type ArchiveQuery,
  type ArchiveRow,
  type ArchiveValue,
  displayValue,
  kindOfColumn,
  MAX_PAGE,
  parseFilter,
  parseOrderBy,
  type Restriction,
  type SortOrder,
} from '../../domain/archive.js';
import { HookdError } from '../../domain/errors.js';
import { pick } from '../../domain/webhook-input.js';
import type { ArchivePage, ArchiveService } from '../../services/archive-service.js';
import { send } from '../content.js';
import { apiBase, dateFormatter, queryParam } from '../request-context.js';
import * as R from '../response-schemas.js';

const AnyObject = Type.Object({}, { additionalProperties: true });
const ODataAnswer = Type.Object({
  'odata.metadata': Type.String(),
  'odata.nextLink': Type.Union([Type.String(), Type.Null()]),
  value: Type.Array(AnyObject, { description: 'One object a row: PrimaryKey, EntityName and the chosen columns' }),
});
const ArchiveListItems = Type.Array(AnyObject, {
  description: 'ArchiveListItem[]: EntityName, PrimaryKey, ColumnData, LinkHint, StyleHint',
});

function count(req: FastifyRequest, name: string, fallback: number, max: number): number {
  const raw = queryParam(req, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new HookdError('invalid_parameter', { name, rule: `must be a whole number from 0 to ${max}` });
  return Math.min(Number(raw), max);
}

/** A REST archive value: dates in UTC, or in SO-TimeZone's zone as every date hookd writes (request-context.ts). */
function restValue(kind: string, v: ArchiveValue, date: (ms: number) => string): ArchiveValue {
  return kind === 'date' && typeof v === 'number' ? date(v) : v;
}

function listOfStrings(value: unknown, name: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (Array.isArray(value) && value.length <= 100 && value.every((v) => typeof v === 'string')) return value as string[];
  throw new HookdError('invalid_field', { property: name, rule: 'must be a list of at most 100 names' });
}

function rpcRestrictions(value: unknown): Restriction[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return parseFilter(value);
  if (!Array.isArray(value) || value.length > 50)
    throw new HookdError('invalid_field', { property: 'Restriction', rule: 'must be a list of at most 50 ArchiveRestrictionInfo' });
  return value.flatMap((r) => {
    const o = typeof r === 'object' && r !== null ? (r as Record<string, unknown>) : {};
    if (pick(o, 'IsActive') === false) return [];
    const name = pick(o, 'Name');
    const operator = pick(o, 'Operator');
    const values = pick(o, 'Values') ?? [];
    if (typeof name !== 'string' || typeof operator !== 'string' || !Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new HookdError('invalid_field', { property: 'Restriction', rule: 'each needs Name, Operator and Values (strings)' });
    }
    return [{ name, operator, values: values as string[] }];
  });
}

function rpcSort(value: unknown): SortOrder[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return parseOrderBy(value);
  if (!Array.isArray(value) || value.length > 20)
    throw new HookdError('invalid_field', { property: 'SortOrder', rule: 'must be a list of at most 20 ArchiveOrderByInfo' });
  return value.map((s) => {
    const o = typeof s === 'object' && s !== null ? (s as Record<string, unknown>) : {};
    const name = pick(o, 'Name');
    if (typeof name !== 'string') throw new HookdError('invalid_field', { property: 'SortOrder', rule: 'each needs a Name' });
    return { name, descending: /^desc/i.test(String(pick(o, 'Direction') ?? '')) };
  });
}

/** ArchiveAgent's rows: each column as NetServer's ArchiveColumnData, its DisplayValue encoded ([I:5], [DT:…]). */
function archiveListItems(page: ArchivePage): Array<Record<string, unknown>> {
  return page.rows.map((row: ArchiveRow) => ({
    TableRight: null,
    FieldProperties: {},
    EntityName: page.provider.entity,
    PrimaryKey: row[page.provider.key],
    ColumnData: Object.fromEntries(
      page.query.columns.map((c) => [
        c,
        { DisplayValue: displayValue(kindOfColumn(page.provider, c), row[c] ?? null), TooltipHint: '', LinkHint: '' },
      ]),
    ),
    LinkHint: `${page.provider.entity}?${page.provider.entity}_id=${row[page.provider.key]}`,
    StyleHint: '',
  }));
}

export async function archiveRoutes(app: FastifyInstance, deps: { archive: ArchiveService }): Promise<void> {
  const { archive } = deps;
  const tags = ['Archive'];

  app.get(
    '/archive/:provider',
    {
      schema: {
        tags,
        summary:
          "Archive provider in OData form: Webhook (WebhookProvider's columns) or dynamic (webhook_usage.*); $select, $filter, $orderby, $top, $skip",
        params: Type.Object({ provider: Type.String({ maxLength: 100 }) }),
        response: { 200: ODataAnswer, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const provider = archive.provider((req.params as { provider: string }).provider);
      const select = queryParam(req, '$select') ?? '';
      const query: ArchiveQuery = {
        columns: listOfStrings(select, '$select'),
        restrictions: parseFilter(queryParam(req, '$filter') ?? ''),
        sort: parseOrderBy(queryParam(req, '$orderby') ?? ''),
        skip: count(req, '$skip', 0, 1_000_000_000),
        take: count(req, '$top', MAX_PAGE, MAX_PAGE),
      };
      const page = await archive.query(req.caller, provider, query);
      const date = dateFormatter(req);
      const value = page.rows.map((row) => {
        const out: Record<string, unknown> = { PrimaryKey: row[provider.key], EntityName: provider.entity };
        for (const c of page.query.columns) out[c] = restValue(kindOfColumn(provider, c), row[c] ?? null, date);
        return out;
      });
      const base = `${apiBase(req)}/archive`;
      const next = page.query.skip + page.rows.length < page.total;
      const link = new URLSearchParams(req.query as Record<string, string>);
      link.set('$skip', String(page.query.skip + page.rows.length));
      return send(
        req,
        reply,
        200,
        {
          'odata.metadata': `${base}/$metadata`,
          'odata.nextLink': next ? `${base}/${encodeURIComponent((req.params as { provider: string }).provider)}?${link}` : null,
          value,
        },
        'Archive',
      );
    },
  );

  app.post(
    '/Agents/Archive/:method',
    {
      schema: {
        tags,
        summary: 'Archive agent RPC: GetArchiveListByColumns and GetArchiveListByColumns2 for the Webhook and dynamic providers',
        params: Type.Object({ method: Type.String({ maxLength: 100 }) }),
        response: { 200: ArchiveListItems, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const method = (req.params as { method: string }).method.toLowerCase();
      if (method !== 'getarchivelistbycolumns' && method !== 'getarchivelistbycolumns2') {
        throw new HookdError('route_not_found', { method: req.method, url: req.url.split('?')[0] ?? '' });
      }
      const b = typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
      const name = pick(b, 'ProviderName');
      if (typeof name !== 'string' || name === '')
        throw new HookdError('invalid_field', { property: 'ProviderName', rule: 'is required (Webhook or dynamic)' });
      const pageNo = pick(b, 'Page') ?? 0;
      const size = pick(b, 'PageSize') ?? MAX_PAGE;
      if (
        typeof pageNo !== 'number' ||
        !Number.isInteger(pageNo) ||
        pageNo < 0 ||
        typeof size !== 'number' ||
        !Number.isInteger(size) ||
        size < 0
      ) {
        throw new HookdError('invalid_field', { property: 'Page', rule: 'Page and PageSize must be whole numbers from 0' });
      }
      const take = size === 0 ? MAX_PAGE : Math.min(size, MAX_PAGE);
      const page = await archive.query(req.caller, archive.provider(name), {
        columns: listOfStrings(pick(b, 'Columns'), 'Columns'),
        restrictions: rpcRestrictions(pick(b, 'Restriction')),
        sort: rpcSort(pick(b, 'SortOrder')),
        // NetServer's pages count from 0.
        skip: Math.min(pageNo * take, 1_000_000_000),
        take,
      });
      return send(req, reply, 200, archiveListItems(page), 'ArrayOfArchiveListItem');
    },
  );
}
