/**
 * The Fastify app, built from its dependencies and never listening by itself. Every route is served for
 * the default tenant at /api/v1 and for a named tenant at /{tenant}/api/v1.
 */
import cookie from '@fastify/cookie';
import { uiRoutes } from './routes/ui.js';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { HookdError } from '../domain/errors.js';
import type { Tenant } from '../domain/webhook.js';
import { registerBodyParsers } from './content.js';
import { registerErrorHandling, sendError } from './error-envelope.js';
import { appAccessRoutes } from './routes/app-access.js';
import { auditRoutes, recordChanges } from './routes/audit.js';
import { archiveRoutes } from './routes/archive.js';
import { authenticate } from './request-context.js';
import { type LinkPolicy, registerLinks } from './links.js';
import type { TlsFiles } from '../config/listener-settings.js';
import { accountRoutes } from './routes/accounts.js';
import { operationsRoutes } from './routes/operations.js';
import { associateRoutes } from './routes/associates.js';
import { timeZoneRoutes } from './routes/timezones.js';
import { type MetricsAccess, type MetricsSource, metricsRoutes } from './routes/metrics.js';
import { agentRoutes } from './routes/agents.js';
import type { RouteDeps } from './routes/route-deps.js';
import { deliveryLogRoutes } from './routes/delivery-log.js';
import { webhookRoutes } from './routes/webhooks.js';

/** A store that takes longer than this to answer `SELECT 1` is not ready to accept events. */
const READY_PING_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface AppDeps extends RouteDeps {
  logger: Logger;
  defaultTenant: Tenant;
  bodyLimit: number;
  /** Adds hooks before any route (traces: tracing/tracing.ts); absent when tracing is off. */
  instrument?: (app: FastifyInstance) => void;
  /** API requests one caller may make a minute; 0 for no limit. */
  rateLimitPerMinute: number;
  /** Origins that may frame the customer portal (HOOKD_PORTAL_FRAME_ANCESTORS). */
  portalFrameAncestors: readonly string[];
  /** Who may speak for the client (HOOKD_TRUST_PROXY), https of its own (HOOKD_TLS_*), and where links point. */
  listener: { trustProxy: readonly string[]; https: TlsFiles | null; links: LinkPolicy };
  version: string;
  /** False until the store is open and migrated; /healthz and /readyz answer 503 meanwhile. */
  ready: () => boolean;
  /** Rejects while the store is unreachable (/readyz). */
  pingStore: () => Promise<void>;
  /** What /healthz reports about this process's delivery worker (null when it only serves the API). */
  workerStatus: () => { inFlight: number; attemptsMade: number; exchanges: number; ownedWebhooks: number; heldBytes: number } | null;
  /** GET /metrics (Prometheus) and who may read it. */
  metrics: { source: MetricsSource; access: MetricsAccess };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { listener } = deps;
  const app = Fastify({
    // X-Forwarded-For, -Proto and -Host count only from these proxies (Fastify's proxy-addr): req.ip, req.protocol, req.host.
    trustProxy: listener.trustProxy.length > 0 ? [...listener.trustProxy] : false,
    ...(listener.https ? { https: listener.https } : {}),
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.bodyLimit,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Errors the router raises before any route runs (a malformed or over-long path) get the envelope too.
    frameworkErrors: (error, req, reply) => {
      const rule =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'has a segment longer than 100 characters'
          : 'is not a valid URL path (bad percent-encoding)';
      return sendError(req, reply, new HookdError('invalid_parameter', { name: 'path', rule }));
    },
  });
  deps.instrument?.(app);
  // Every answer is data for API clients, never a page to render or frame — except the web pages (routes/ui.ts), which set their own policy.
  app.addHook('onSend', async (_req, reply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    const page = reply.hasHeader('Content-Security-Policy');
    if (!page) reply.header('X-Frame-Options', 'DENY');
    if (!page) reply.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cache-Control', 'no-store');
  });
  registerLinks(app, listener.links);
  registerBodyParsers(app, deps.bodyLimit);
  registerErrorHandling(app, deps.bodyLimit);
  await app.register(cookie);
  if (deps.rateLimitPerMinute > 0) {
    // After authentication (preHandler), so the count is per caller: tenant, associate and application token.
    await app.register(rateLimit, {
      hook: 'preHandler',
      max: deps.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (req) =>
        req.caller ? `caller:${req.caller.tenant.id}:${req.caller.associate.id}:${req.caller.appToken ?? ''}` : `ip:${req.ip}`,
      errorResponseBuilder: (_req, context) => new HookdError('rate_limited', { seconds: Math.max(1, Math.ceil(context.ttl / 1000)) }),
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'hookd',
        version: deps.version,
        description:
          'SuperOffice NetServer-compatible webhook API. Every route is also served for a named tenant under /{tenant}/api/v1. ' +
          'Authenticate with Basic (user name and password), Bearer (an API token from /Auth/Tokens) or SoTicket (a ticket from /Auth/Ticket).',
      },
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic' },
          bearer: { type: 'http', scheme: 'bearer' },
          soTicket: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'SoTicket <ticket>' },
        },
      },
      security: [{ basic: [] }, { bearer: [] }, { soTicket: [] }],
    },
  });

  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) =>
    deps.ready() ? reply.send({ status: 'ok', worker: deps.workerStatus() }) : reply.code(503).send({ status: 'starting' }),
  );
  await app.register(async (s) => metricsRoutes(s, deps.metrics.source, deps.metrics.access));
  // Readiness, for a load balancer: 503 until migrated and while the store does not answer within READY_PING_MS.
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    if (!deps.ready()) return reply.code(503).send({ status: 'starting' });
    try {
      await withTimeout(deps.pingStore(), READY_PING_MS);
      return reply.send({ status: 'ready' });
    } catch (e) {
      return reply.code(503).send({ status: 'store_unreachable', error: (e as Error).message });
    }
  });
  await app.register(async (s) => uiRoutes(s, { portalFrameAncestors: deps.portalFrameAncestors }));
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async (_req, reply) => reply.send(app.swagger()));

  const api = async (scope: FastifyInstance, opts: { hide: boolean }) => {
    scope.addHook('onRequest', authenticate(deps));
    scope.addHook('onSend', recordChanges(deps.audit));
    if (opts.hide) {
      scope.addHook('onRoute', (route) => {
        route.schema = { ...(route.schema ?? {}), hide: true };
      });
    }
    await scope.register(async (s) => webhookRoutes(s, deps));
    await scope.register(async (s) => deliveryLogRoutes(s, deps));
    await scope.register(async (s) => agentRoutes(s, deps));
    await scope.register(async (s) => accountRoutes(s, deps));
    await scope.register(async (s) => operationsRoutes(s, deps));
    await scope.register(async (s) => associateRoutes(s, deps));
    await scope.register(async (s) => timeZoneRoutes(s, deps));
    await scope.register(async (s) => appAccessRoutes(s, deps));
    await scope.register(async (s) => archiveRoutes(s, deps));
    await scope.register(async (s) => auditRoutes(s, deps));
  };
  await app.register(api, { prefix: '/api/v1', hide: false });
  await app.register(api, { prefix: '/:tenant/api/v1', hide: true });
  return app;
}
