/** Per-request context: the tenant from the path, the authenticated associate, SO-AppToken, SO-TimeZone. */
import type { FastifyRequest } from 'fastify';
import type {} from './links.js';
import { HookdError } from '../domain/errors.js';
import { parseTimeZoneHeader, type TimeZoneRequest } from '../domain/so-timezones.js';
import { utcTimestamp, zonedTimestamp } from '../domain/timestamp.js';
import type { Tenant } from '../domain/webhook.js';
import type { AppAccessService } from '../services/app-access-service.js';
import type { AuthService } from '../services/auth-service.js';
import type { Caller } from '../services/caller.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    timeZone: TimeZoneRequest;
    /** Set by a route that answered success but found nothing to change (the RPC's null answers): nothing is audited. */
    nothingChanged?: boolean;
  }
}

export const TICKET_COOKIE = 'hookd_ticket';
export const XSRF_COOKIE = 'XSRF-TOKEN';

export interface ContextDeps {
  auth: AuthService;
  defaultTenant: Tenant;
  /** "Online Restricted" (HOOKD_APP_ACCESS): refuses an application the Webhook routes until it is granted. */
  appAccess?: AppAccessService;
}

/**
 * What a customer-portal token may do (issue 20): manage its own webhooks, read their log and statistics, test,
 * retry one delivery, and recover a webhook's failed deliveries (job-service refuses Status All to it). Never
 * signal events, send batches, recover tenant-wide, or touch accounts, tokens, tenants and retention.
 */
export const PORTAL_ROUTES: ReadonlySet<string> = new Set([
  'GET /Webhook',
  'POST /Webhook',
  'GET /Webhook/default',
  'GET /Webhook/:id',
  'PUT /Webhook/:id',
  'PATCH /Webhook/:id',
  'DELETE /Webhook/:id',
  'GET /Webhook/:id/LastError',
  'POST /Webhook/Test',
  'POST /Webhook/Filter/Test',
  'POST /Webhook/:id/Secret/Rotate',
  'POST /Webhook/:id/Secret/Confirm',
  'GET /Webhook/:id/Deliveries',
  'GET /Webhook/:id/Stats',
  'POST /Webhook/:id/Deliveries/:deliveryId/Retry',
  'POST /Webhook/:id/Recover',
  'GET /Jobs/:id',
]);

/** onRequest hook: resolves the tenant (404 when unknown) and the caller (401 when not authenticated). */
export function authenticate(deps: ContextDeps) {
  return async (req: FastifyRequest): Promise<void> => {
    const name = (req.params as { tenant?: string }).tenant;
    const tenant = name === undefined ? deps.defaultTenant : await deps.auth.findTenant(name);
    if (!tenant) throw new HookdError('tenant_not_found', { tenant: name ?? '' });
    req.timeZone = readTimeZone(req);
    const authorization = req.headers.authorization?.trim() ?? '';
    // The route as declared (`/Webhook/:id`), the same at /api/v1 and at a tenant's path.
    const route = (req.routeOptions.url ?? '').replace(/^(\/:tenant)?\/api\/v1/, '');
    if (/^portal /i.test(authorization)) {
      // A customer-portal token: its own tenant and application, whatever the request's headers say.
      const { associate, appToken } = await deps.auth.portal(tenant, authorization.slice(7).trim());
      if (!PORTAL_ROUTES.has(`${req.method === 'HEAD' ? 'GET' : req.method} ${route}`)) {
        throw new HookdError('forbidden', { action: `${req.method} ${route || req.url.split('?')[0]} with a portal token` });
      }
      req.caller = { tenant, associate, appToken, portal: true };
      await deps.appAccess?.check(req.caller, route);
      return;
    }
    const cookies = (req as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies ?? {};
    const associate = await deps.auth.authenticate(tenant, deps.defaultTenant, {
      clientIp: req.ip,
      authorization: req.headers.authorization,
      ticketCookie: cookies[TICKET_COOKIE],
      xsrfCookie: cookies[XSRF_COOKIE],
      xsrfHeader: req.headers['x-xsrf-token'] as string | undefined,
    });
    const appToken = req.headers['so-apptoken'];
    req.caller = { tenant, associate, appToken: typeof appToken === 'string' && appToken !== '' ? appToken.slice(0, 200) : null };
    await deps.appAccess?.check(req.caller, route);
  };
}

/** SO-TimeZone: a SuperOffice code or an IANA name, optionally `, includeTZOffset` (decisions.md); 400 naming what is unknown. */
function readTimeZone(req: FastifyRequest): TimeZoneRequest {
  const header = req.headers['so-timezone'];
  if (typeof header !== 'string' || header.trim() === '') return { zone: null, includeOffset: false };
  const parsed = parseTimeZoneHeader(header);
  if ('unknown' in parsed)
    throw new HookdError('invalid_parameter', {
      name: 'SO-TimeZone',
      rule: `names no known time zone ('${parsed.unknown}'); use a SuperOffice code such as NO or US-NY (GET /api/v1/timezone lists them), an IANA name such as Europe/Oslo, and optionally ', includeTZOffset'`,
    });
  return parsed;
}

/** Date-times of the delivery log in the response: UTC, or the zone of SO-TimeZone (tagged with includeTZOffset). */
export function dateFormatter(req: FastifyRequest): (ms: number) => string {
  const tz = req.timeZone ?? { zone: null, includeOffset: false };
  const zone = tz.zone;
  if (zone === null) return utcTimestamp;
  return (ms) => zonedTimestamp(ms, zone, tz.includeOffset);
}

/** The API root of this request's tenant, for `_Links` and `Location`: absolute or relative by the link rule (api/links.ts). */
export function apiBase(req: FastifyRequest): string {
  const tenant = (req.params as { tenant?: string }).tenant;
  return `${req.linkOrigin}${tenant === undefined ? '' : `/${encodeURIComponent(tenant)}`}/api/v1`;
}

/** A query parameter by name in any letter case (NetServer's binder ignores case). */
export function queryParam(req: FastifyRequest, name: string): string | undefined {
  const query = req.query as Record<string, unknown>;
  const lower = name.toLowerCase();
  const key = Object.keys(query).find((k) => k.toLowerCase() === lower);
  const value = key === undefined ? undefined : query[key];
  return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
}
