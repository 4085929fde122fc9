/** `/api/v1/Agents/Webhook/{Method}`: the RPC twins of superoffice-webhooks.md §3, on the same services. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { webhookResultCarrier } from '../../domain/carrier.js';
import { HookdError } from '../../domain/errors.js';
import { pick } from '../../domain/webhook-input.js';
import { send } from '../content.js';
import { webhookList, webhookPlain } from '../present.js';
import { queryParam } from '../request-context.js';
import * as R from '../response-schemas.js';
import { IdempotencyHeaders } from '../schemas.js';
import { requestTraceParent } from '../trace-parent.js';
import type { RouteDeps } from './route-deps.js';
import { answered, idempotencyKey, statusFilter } from './webhooks.js';

function body(req: FastifyRequest): Record<string, unknown> {
  return typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

function requiredId(value: unknown, name: string): number {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw new HookdError('invalid_parameter', { name, rule: 'must be a whole number' });
  return n;
}

/**
 * NetServer's agents answer a missing entity with null, not an error (SuperOffice's client:
 * `await agent.getWebhookAsync(123) // == null`); the REST routes keep their 404 (decisions.md).
 */
async function orNull<T>(work: Promise<T>): Promise<T | null> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof HookdError && e.code === 'not_found') return null;
    throw e;
  }
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export async function agentRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { webhooks, events } = deps;
  app.post(
    '/Agents/Webhook/:method',
    {
      schema: {
        tags: ['Agents'],
        summary:
          'Webhook agent RPC: CreateDefaultWebhook, SaveWebhook, DeleteWebhook, GetWebhook, GetAllWebhooks, TestWebhook, SignalEvent, GetLastError',
        headers: IdempotencyHeaders,
        response: { 200: R.AgentAnswer, 204: R.NoContent, ...R.ERRORS },
      },
    },
    async (req, reply) => {
      const method = (req.params as { method: string }).method.toLowerCase();
      const b = body(req);
      switch (method) {
        case 'createdefaultwebhook':
          return send(req, reply, 200, webhooks.createDefault(), 'Webhook');
        case 'savewebhook': {
          if (req.body === undefined || req.body === null) throw new HookdError('body_missing');
          const idRaw = pick(b, 'WebhookId');
          const id = idRaw === undefined || idRaw === null || idRaw === '' ? 0 : requiredId(idRaw, 'WebhookId');
          const saved = id === 0 ? await webhooks.create(req.caller, b) : await orNull(webhooks.update(req.caller, id, b));
          if (saved === null) req.nothingChanged = true;
          return send(req, reply, 200, saved === null ? null : await webhookPlain(req, webhooks, saved), 'Webhook');
        }
        case 'deletewebhook': {
          // Deleting what is not there leaves it not there: nothing to report (nor to audit).
          const deleted = await orNull(
            webhooks.delete(req.caller, requiredId(queryParam(req, 'WebhookId') ?? pick(b, 'WebhookId'), 'WebhookId')),
          );
          if (deleted === null) req.nothingChanged = true;
          return reply.code(204).send();
        }
        case 'getwebhook': {
          const id = requiredId(queryParam(req, 'webhookId') ?? pick(b, 'WebhookId'), 'webhookId');
          const webhook = await orNull(webhooks.get(req.caller, id));
          return send(req, reply, 200, webhook === null ? null : await webhookPlain(req, webhooks, webhook), 'Webhook');
        }
        case 'getallwebhooks': {
          const status = pick(b, 'StatusFilter');
          const list = await webhooks.list(req.caller, {
            name: optionalString(pick(b, 'NameFilter')),
            event: optionalString(pick(b, 'EventFilter')),
            state: statusFilter(status === undefined || status === null ? undefined : String(status)),
          });
          return send(req, reply, 200, await webhookList(req, webhooks, list), 'ArrayOfWebhook');
        }
        case 'testwebhook': {
          const inner = pick(b, 'Webhook');
          if (inner === undefined || inner === null) throw new HookdError('body_missing');
          const result = await webhooks.test(req.caller, inner);
          return send(req, reply, 200, webhookResultCarrier(result), 'WebhookResult');
        }
        case 'signalevent': {
          const key = idempotencyKey(req);
          if (key !== null) {
            const item = { EventName: pick(b, 'EventName'), PrimaryKey: pick(b, 'PrimaryKey'), Data: pick(b, 'Data') ?? {} };
            return answered(reply, await events.signalIdempotent(req.caller, key, item, false, requestTraceParent(req)));
          }
          const trace = requestTraceParent(req);
          const queued = await events.signal(req.caller, pick(b, 'EventName'), pick(b, 'PrimaryKey'), pick(b, 'Data') ?? {}, trace);
          return reply.code(204).header('X-Hookd-Deliveries', String(queued)).send();
        }
        case 'getlasterror':
          return send(
            req,
            reply,
            200,
            await orNull(webhooks.lastError(req.caller, requiredId(pick(b, 'WebhookId') ?? queryParam(req, 'webhookId'), 'WebhookId'))),
            'string',
          );
        default:
          throw new HookdError('route_not_found', { method: 'POST', url: req.url.split('?')[0] ?? '' });
      }
    },
  );
}
