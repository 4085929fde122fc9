/** `/api/v1/Webhook`: the REST routes of superoffice-webhooks.md §2, plus hookd's batch route (delivery log: delivery-log.ts). */
import type {} from '@fastify/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SignalAnswer } from '../../services/event-service.js';
import { webhookResultCarrier } from '../../domain/carrier.js';
import { HookdError } from '../../domain/errors.js';
import { mergePatchToOps, readPatchOps } from '../../domain/patch.js';
import type { WebhookState } from '../../domain/webhook.js';
import type { WebhookUsage } from '../../domain/webhook-usage.js';
import { parseState } from '../../domain/webhook-input.js';
import { applySelect, parseSelect } from '../../domain/select.js';
import { send } from '../content.js';
import { usageCarrier, webhookList, webhookWithLinks } from '../present.js';
import { dateFormatter, queryParam } from '../request-context.js';
import {
  FilterTestBody,
  IdParams,
  RotateBody,
  ListQuery,
  PatchBody,
  SelectQuery,
  GetQuery,
  SignalBatch,
  IdempotencyHeaders,
  SignalData,
  SignalParams,
  WebhookBody,
} from '../schemas.js';
import * as R from '../response-schemas.js';
import { requestTraceParent } from '../trace-parent.js';
import type { RouteDeps } from './route-deps.js';

/** The webhook id of a `/Webhook/:id…` route. */
export function idOf(req: FastifyRequest): number {
  return Number((req.params as { id: string }).id);
}

/** An HTTP date header in ms, or null when absent or unreadable (RFC 9110: ignore invalid dates). */
function httpDate(value: string | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

export function statusFilter(value: string | undefined): WebhookState | null {
  if (value === undefined || value === '' || value.toLowerCase() === 'unknown' || value === '0') return null;
  const state = parseState(value);
  if (!state)
    throw new HookdError('invalid_parameter', { name: 'statusFilter', rule: 'must be Unknown, Active, Stopped or TooManyErrors' });
  return state;
}

/** `?Usage=true` (hookd extension): the list's figures beside each webhook. */
function wantsUsage(req: FastifyRequest): boolean {
  return /^(true|1)$/i.test(queryParam(req, 'Usage') ?? '');
}

/** The Idempotency-Key header of a signal, or null. */
export function idempotencyKey(req: FastifyRequest): string | null {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' ? key : null;
}

/** 204 with the deliveries queued; a repeat of an earlier request (same Idempotency-Key) says so. */
export function answered(reply: FastifyReply, answer: SignalAnswer): FastifyReply {
  reply.code(204).header('X-Hookd-Deliveries', String(answer.queued));
  if (answer.replayed) reply.header('Idempotent-Replayed', 'true');
  return reply.send();
}

export async function webhookRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { webhooks, events, deliveryLog } = deps;
  const tags = ['Webhook'];

  app.get(
    '/Webhook/default',
    {
      schema: {
        tags,
        summary: 'CreateDefaultWebhook: a new webhook with default values',
        response: { 200: R.WebhookCarrier, ...R.ERRORS },
      },
    },
    async (req, reply) => send(req, reply, 200, webhooks.createDefault(), 'Webhook'),
  );

  app.get(
    '/Webhook',
    { schema: { tags, summary: 'GetAllWebhooks', querystring: ListQuery, response: { 200: R.WebhookList, ...R.ERRORS } } },
    async (req, reply) => {
      const q = req.query as { nameFilter?: string; eventFilter?: string; statusFilter?: string };
      const list = await webhooks.list(req.caller, {
        name: q.nameFilter || null,
        event: q.eventFilter || null,
        state: statusFilter(q.statusFilter),
      });
      // $select as on one webhook: a list page that shows a few columns need not carry every carrier's rights.
      const select = parseSelect(queryParam(req, '$select'));
      const carriers = (await webhookList(req, webhooks, list)).map((c) => applySelect(c, select));
      // hookd extension: ?Usage=true adds the list's figures (last delivery, failures in 24 h), one query for all.
      if (wantsUsage(req)) {
        const usage = await deliveryLog.usage(req.caller, list);
        const format = dateFormatter(req);
        list.forEach((w, i) => Object.assign(carriers[i] as object, { Usage: usageCarrier(w, usage.get(w.id) as WebhookUsage, format) }));
      }
      return send(req, reply, 200, carriers, 'ArrayOfWebhook');
    },
  );

  app.post(
    '/Webhook',
    {
      schema: {
        tags,
        summary: 'SaveWebhook: create a webhook',
        querystring: SelectQuery,
        body: WebhookBody,
        response: { 200: R.WebhookWithLinks, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      if (req.body === undefined || req.body === null) throw new HookdError('body_missing');
      const created = await webhooks.create(req.caller, req.body);
      return send(req, reply, 200, await webhookWithLinks(req, webhooks, created), 'Webhook');
    },
  );

  app.get(
    '/Webhook/:id',
    {
      schema: {
        tags,
        summary: 'GetWebhook',
        params: IdParams,
        querystring: GetQuery,
        response: { 200: R.WebhookWithLinks, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const webhook = await webhooks.get(req.caller, idOf(req));
      reply.header('Last-Modified', new Date(webhook.updated).toUTCString());
      const since = httpDate(req.headers['if-modified-since']);
      // Usage changes with every attempt, not with the webhook: never a 304 for it.
      const usage = wantsUsage(req);
      if (!usage && since !== null && Math.floor(webhook.updated / 1000) <= Math.floor(since / 1000)) return reply.code(304).send();
      const carrier = await webhookWithLinks(req, webhooks, webhook);
      if (usage) {
        const figures = (await deliveryLog.usage(req.caller, [webhook])).get(webhook.id) as WebhookUsage;
        carrier.Usage = usageCarrier(webhook, figures, dateFormatter(req));
      }
      return send(req, reply, 200, carrier, 'Webhook');
    },
  );

  app.put(
    '/Webhook/:id',
    {
      schema: {
        tags,
        summary: 'SaveWebhook: replace a webhook',
        params: IdParams,
        querystring: SelectQuery,
        body: WebhookBody,
        response: { 200: R.WebhookWithLinks, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      if (req.body === undefined || req.body === null) throw new HookdError('body_missing');
      const saved = await webhooks.update(req.caller, idOf(req), req.body, httpDate(req.headers['if-unmodified-since']));
      return send(req, reply, 200, await webhookWithLinks(req, webhooks, saved), 'Webhook');
    },
  );

  app.patch(
    '/Webhook/:id',
    {
      schema: {
        tags,
        summary: 'SaveWebhook: JSON Patch or Merge Patch',
        params: IdParams,
        querystring: SelectQuery,
        body: PatchBody,
        response: { 200: R.WebhookWithLinks, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      if (req.body === undefined || req.body === null) throw new HookdError('body_missing');
      const isMerge = (req.headers['content-type'] ?? '').toLowerCase().includes('merge-patch') || !Array.isArray(req.body);
      // A JSON Patch is checked before the store is touched; a merge patch needs the current entity to become ops.
      const jsonPatch = isMerge ? null : readPatchOps(req.body);
      const ops = jsonPatch ? () => jsonPatch : (current: Record<string, unknown>) => mergePatchToOps(req.body, current);
      const saved = await webhooks.patch(
        req.caller,
        idOf(req),
        ops,
        (w) => webhooks.carrier(w, req.caller),
        httpDate(req.headers['if-unmodified-since']),
      );
      return send(req, reply, 200, await webhookWithLinks(req, webhooks, saved), 'Webhook');
    },
  );

  app.delete(
    '/Webhook/:id',
    { schema: { tags, summary: 'DeleteWebhook', params: IdParams, response: { 204: R.NoContent, ...R.ERRORS } } },
    async (req, reply) => {
      await webhooks.delete(req.caller, idOf(req));
      return reply.code(204).send();
    },
  );

  app.get(
    '/Webhook/:id/LastError',
    {
      schema: {
        tags,
        summary: 'GetLastError: the last error message from the target',
        params: IdParams,
        response: { 200: R.LastErrorText, ...R.ERRORS },
      },
    },
    async (req, reply) => send(req, reply, 200, await webhooks.lastError(req.caller, idOf(req)), 'string'),
  );

  app.post(
    '/Webhook/Test',
    {
      schema: {
        tags,
        summary: "TestWebhook: ping the target with a 'test' event",
        body: WebhookBody,
        response: { 200: R.WebhookResult, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      if (req.body === undefined || req.body === null) throw new HookdError('body_missing');
      const result = await webhooks.test(req.caller, req.body);
      return send(req, reply, 200, webhookResultCarrier(result), 'WebhookResult');
    },
  );

  app.post(
    '/Webhook/Filter/Test',
    {
      schema: {
        tags,
        summary: 'hookd extension: does a payload filter match a sample payload, and if not, why',
        body: FilterTestBody,
        response: { 200: R.FilterVerdict, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const verdict = webhooks.testFilter(req.body);
      const failed = verdict.failed.map((f) => ({ Condition: f.condition, Value: f.value ?? null }));
      return send(req, reply, 200, { Matches: verdict.matches, Failed: failed }, 'FilterVerdict');
    },
  );

  app.post(
    '/Webhook/:id/Secret/Rotate',
    {
      schema: {
        tags,
        summary: 'hookd extension: a new secret signs from now; the previous one beside it for the grace period',
        params: IdParams,
        body: RotateBody,
        response: { 200: R.WebhookWithLinks, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const saved = await webhooks.rotateSecret(req.caller, idOf(req), req.body ?? {});
      return send(req, reply, 200, await webhookWithLinks(req, webhooks, saved), 'Webhook');
    },
  );

  app.post(
    '/Webhook/:id/Secret/Confirm',
    {
      schema: {
        tags,
        summary: 'hookd extension: a test ping signed with the new secret; when it succeeds X-SuperOffice-Signature uses the new secret',
        params: IdParams,
        response: { 200: R.WebhookResult, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const result = await webhooks.confirmSecret(req.caller, idOf(req));
      // A ping that failed confirms nothing: the previous secret still signs, and the audit log records no change.
      if (!result.success) req.nothingChanged = true;
      return send(req, reply, 200, webhookResultCarrier(result), 'WebhookResult');
    },
  );

  app.post(
    '/Webhook/:eventName/:primaryKey',
    {
      schema: {
        tags,
        summary: 'SignalEvent: fire an event',
        params: SignalParams,
        headers: IdempotencyHeaders,
        body: SignalData,
        response: { 204: R.NoContent, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const p = req.params as { eventName: string; primaryKey: string };
      const key = idempotencyKey(req);
      if (key !== null) {
        const item = { EventName: p.eventName, PrimaryKey: p.primaryKey, Data: req.body ?? {} };
        return answered(reply, await events.signalIdempotent(req.caller, key, item, false, requestTraceParent(req)));
      }
      const queued = await events.signal(req.caller, p.eventName, p.primaryKey, req.body ?? {}, requestTraceParent(req));
      return reply.code(204).header('X-Hookd-Deliveries', String(queued)).send();
    },
  );

  app.post(
    '/Webhook/Events',
    {
      schema: {
        tags,
        summary: 'hookd extension: signal many events in one transaction',
        headers: IdempotencyHeaders,
        body: SignalBatch,
        response: { 204: R.NoContent, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const key = idempotencyKey(req);
      if (key !== null) return answered(reply, await events.signalIdempotent(req.caller, key, req.body, true, requestTraceParent(req)));
      const queued = await events.signalMany(req.caller, req.body, requestTraceParent(req));
      return reply.code(204).header('X-Hookd-Deliveries', String(queued)).send();
    },
  );
}
