/**
 * The audit log (issue 25): `GET /Audit` filtered by time (From, To), actor (a user name or an application's id) and
 * webhook, newest first; and the onSend hook that writes every successful change down (domain/audit.ts says which
 * routes are changes and what of a body is written). Never a portal token (not in PORTAL_ROUTES).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AuditRecord, auditAction, auditChanges } from '../../domain/audit.js';
import { isPlainObject, pick } from '../../domain/carrier-fields.js';
import { HookdError } from '../../domain/errors.js';
import { utcTimestamp } from '../../domain/timestamp.js';
import { AUDIT_PAGE_MAX, type AuditService } from '../../services/audit-service.js';
import { send } from '../content.js';
import { queryParam } from '../request-context.js';
import * as R from '../response-schemas.js';
import { PageQuery } from '../schemas.js';

const AuditQuery = Type.Object({
  ...PageQuery.properties,
  From: Type.Optional(Type.String({ maxLength: 40, description: 'Records at or after this UTC date-time' })),
  To: Type.Optional(Type.String({ maxLength: 40, description: 'Records before this UTC date-time' })),
  Actor: Type.Optional(Type.String({ maxLength: 200, description: "A user name, or an application's id as the log shows it" })),
  WebhookId: Type.Optional(Type.String({ pattern: '^\\d{1,10}$' })),
});

const carrier = (r: AuditRecord) => ({
  AuditId: r.id,
  At: utcTimestamp(r.at),
  ActorKind: r.actorKind,
  ActorId: r.actorId,
  Actor: r.actorName,
  Application: r.application ?? '',
  Address: r.address,
  Action: r.action,
  WebhookId: r.webhookId,
  Changes: r.changes,
});

/** Webhook ids are int32 in both stores (PostgreSQL refuses a larger one with an error, not an empty answer). */
const WEBHOOK_ID_MAX = 2_147_483_647;
// A NUL (or any control character) is in no user name; PostgreSQL refuses a text parameter holding a NUL.
const CONTROL = /\p{Cc}/u;

function webhookId(value: string | undefined): number | null {
  if (value === undefined || value === '') return null;
  const id = Number(value);
  if (id > WEBHOOK_ID_MAX)
    throw new HookdError('invalid_parameter', { name: 'WebhookId', rule: `must be a webhook id (at most ${WEBHOOK_ID_MAX})` });
  return id;
}

function actor(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (CONTROL.test(value)) throw new HookdError('invalid_parameter', { name: 'Actor', rule: 'must not contain control characters' });
  return value;
}

function time(value: string | undefined, name: string): number | null {
  if (value === undefined || value === '') return null;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) throw new HookdError('invalid_parameter', { name, rule: 'must be a date-time such as 2026-01-05T09:00:00Z' });
  return t;
}

export async function auditRoutes(app: FastifyInstance, deps: { audit: AuditService }): Promise<void> {
  app.get(
    '/Audit',
    {
      schema: {
        tags: ['Audit'],
        summary: "The tenant's audit log, newest first: who changed what, when and from where (never a secret); not with a portal token",
        querystring: AuditQuery,
        response: { 200: R.AuditPage, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const q = req.query as { $top?: string; $skip?: string; From?: string; To?: string; Actor?: string; WebhookId?: string };
      // The page as read (AuditService keeps it within 1 to AUDIT_PAGE_MAX), so Top says how many were asked of the store.
      const top = Math.min(Math.max(Number(q.$top ?? 50), 1), AUDIT_PAGE_MAX);
      const skip = Number(q.$skip ?? 0);
      const page = await deps.audit.list(req.caller, {
        from: time(q.From, 'From'),
        to: time(q.To, 'To'),
        actor: actor(q.Actor),
        webhookId: webhookId(q.WebhookId),
        top,
        skip,
      });
      return send(req, reply, 200, { Total: page.total, Top: top, Skip: skip, Items: page.items.map(carrier) }, 'Audit');
    },
  );
}

const WEBHOOK_ID = /"WebhookId"\s*:\s*(\d+)|<WebhookId>(\d+)<\/WebhookId>/;

/** onSend: a successful change is written to the audit log before its answer goes out. */
export function recordChanges(audit: AuditService) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    if (req.method === 'GET' || req.method === 'HEAD' || reply.statusCode >= 300 || !req.caller || req.nothingChanged) return payload;
    const declared = req.routeOptions.url ?? '';
    const route = declared.slice(declared.indexOf('/api/v1') + '/api/v1'.length);
    const params = (req.params ?? {}) as Record<string, string | undefined>;
    const action = auditAction(req.method, route, params, req.body);
    // A recover's dry run (200 with a count, not 202 with a job) starts nothing.
    if (action === null || (action === 'recover.start' && reply.statusCode !== 202)) return payload;
    let webhookId: number | null = params.id && route.startsWith('/Webhook/') ? Number(params.id) : null;
    if (webhookId === null && action.startsWith('webhook.')) {
      // NetServer's RPC names the webhook in the body or (DeleteWebhook) the query string.
      const body = isPlainObject(req.body) ? pick(req.body, 'WebhookId') : undefined;
      const fromBody = Number(body ?? queryParam(req, 'WebhookId'));
      const match = typeof payload === 'string' ? WEBHOOK_ID.exec(payload) : null;
      webhookId = match ? Number(match[1] ?? match[2]) : Number.isInteger(fromBody) && fromBody > 0 ? fromBody : null;
    }
    try {
      await audit.record(req.caller, req.ip, action, webhookId, auditChanges(req.body));
    } catch (e) {
      // The change is made and committed: its answer stands; the missing record is logged loudly instead.
      req.log.error({ err: e, action, webhookId, actor: req.caller.associate.userName }, 'the audit log could not record a change');
    }
    return payload;
  };
}
