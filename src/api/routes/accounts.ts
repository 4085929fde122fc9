/**
 * hookd extensions for accounts: tickets (SoTicket and the cookie + X-XSRF-TOKEN pair), API tokens for
 * Bearer, customer-portal tokens, and tenants (`POST /api/v1/Tenant`, administrator only).
 */
import type {} from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { HookdError } from '../../domain/errors.js';
import { utcTimestamp } from '../../domain/timestamp.js';
import { send } from '../content.js';
import { overHttps } from '../links.js';
import { TICKET_COOKIE, XSRF_COOKIE } from '../request-context.js';
import { PortalTokenBody, TenantBody, TokenBody, TokenIdParams } from '../schemas.js';
import * as R from '../response-schemas.js';
import type { RouteDeps } from './route-deps.js';

export async function accountRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { auth } = deps;
  const tags = ['Accounts'];

  app.post(
    '/Auth/Ticket',
    {
      schema: {
        tags,
        summary: 'Issue a SoTicket session ticket (also set as a cookie with an XSRF-TOKEN cookie)',
        response: { 200: R.TicketCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const { ticket, expires, xsrf } = await auth.issueTicket(req.caller.associate);
      const maxAge = Math.floor(deps.ticketTtlMs / 1000);
      // Secure when the browser is on https: hookd's own TLS, a trusted proxy's X-Forwarded-Proto, or an https HOOKD_PUBLIC_URL.
      const secure = overHttps(req);
      reply.setCookie(TICKET_COOKIE, ticket, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge });
      reply.setCookie(XSRF_COOKIE, xsrf, { path: '/', sameSite: 'strict', secure, maxAge });
      return send(req, reply, 200, { Ticket: ticket, Expires: utcTimestamp(expires), XsrfToken: xsrf }, 'Ticket');
    },
  );

  app.get(
    '/Auth/Tokens',
    { schema: { tags, summary: "List the caller's API tokens (without their secrets)", response: { 200: R.TokenList, ...R.ERRORS } } },
    async (req, reply) => {
      const tokens = await auth.listTokens(req.caller.associate);
      return send(
        req,
        reply,
        200,
        tokens.map((t) => ({ TokenId: t.id, Name: t.name, Created: utcTimestamp(t.created) })),
        'ArrayOfToken',
      );
    },
  );

  app.post(
    '/Auth/Tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token for the Bearer scheme; the token is shown only in this answer',
        body: TokenBody,
        response: { 200: R.TokenCreated, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const name = (req.body as { Name?: string | null } | undefined)?.Name ?? null;
      const { token, credential } = await auth.createToken(req.caller.associate, name);
      return send(
        req,
        reply,
        200,
        { TokenId: credential.id, Name: credential.name, Token: token, Created: utcTimestamp(credential.created) },
        'Token',
      );
    },
  );

  app.delete(
    '/Auth/Tokens/:id',
    { schema: { tags, summary: 'Revoke an API token', params: TokenIdParams, response: { 204: R.NoContent, ...R.ERRORS } } },
    async (req, reply) => {
      await auth.revokeToken(req.caller.associate, Number((req.params as { id: string }).id));
      return reply.code(204).send();
    },
  );

  app.post(
    '/Portal/Token',
    {
      schema: {
        tags,
        summary: "A short-lived token for the customer portal (/portal), scoped to this tenant and the caller's SO-AppToken",
        body: PortalTokenBody,
        response: { 200: R.PortalToken, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const minutes = Number((req.body as { Minutes?: number } | undefined)?.Minutes ?? 60);
      if (!Number.isFinite(minutes) || minutes < 1 || minutes > 1440) {
        throw new HookdError('invalid_parameter', { name: 'Minutes', rule: 'must be a number of minutes from 1 to 1440' });
      }
      const { token, expires } = await auth.issuePortalToken(
        req.caller.associate,
        { tenantId: req.caller.tenant.id, appToken: req.caller.appToken },
        minutes * 60_000,
      );
      const tenant = (req.params as { tenant?: string }).tenant;
      const url = `${req.linkOrigin}/portal/${tenant === undefined ? '' : `?tenant=${encodeURIComponent(tenant)}`}#token=${token}`;
      return send(req, reply, 200, { Token: token, Expires: utcTimestamp(expires), Url: url }, 'PortalToken');
    },
  );

  app.post(
    '/Tenant',
    {
      schema: {
        tags,
        summary: 'Create a tenant and its first associate (administrator only)',
        body: TenantBody,
        response: { 200: R.TenantCreated, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const b = req.body as { ContextIdentifier: unknown; UserName: unknown; Password: unknown; Name?: unknown; Email?: unknown };
      const { tenant, associate } = await auth.createTenant(
        req.caller.associate,
        b.ContextIdentifier,
        b.UserName,
        b.Password,
        b.Name,
        b.Email,
      );
      return send(
        req,
        reply,
        200,
        {
          ContextIdentifier: tenant.identifier,
          AssociateId: associate.id,
          UserName: associate.userName,
          ApiBase: `${req.linkOrigin}/${encodeURIComponent(tenant.identifier)}/api/v1`,
        },
        'Tenant',
      );
    },
  );
}
