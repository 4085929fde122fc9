/**
 * Builds a whole hookd from a Config: store, services, delivery worker and HTTP app. `main.ts` runs it as
 * a server; applications embed it (`createHookd(...)`, then `signal()` and `registerHandler()`); tests
 * build one per case.
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger, type LogFormat } from './lib/logger.js';
import { HookdMetrics } from './metrics/metrics.js';
import { tracesUrl } from './tracing/traces-url.js';
import { buildApp } from './api/app.js';
import type { Config } from './config/settings.js';
import { readTlsFiles } from './config/listener-settings.js';
import { HttpSender } from './delivery/http-sender.js';
import { AuditService } from './services/audit-service.js';
import { ReceiverAccess } from './delivery/receiver-access.js';
import type { AppAccessMode } from './domain/app-access.js';
import { AppAccessService } from './services/app-access-service.js';
import { ArchiveService } from './services/archive-service.js';
import { loadScriptFolder } from './delivery/script-folder.js';
import { buildHttpRequest, CrmScriptPlugin, type EventHandler, HttpWebhookPlugin, PluginRegistry } from './delivery/plugins.js';
import { MailSender } from './delivery/mail-sender.js';
import { DeliveryWorker } from './delivery/worker.js';
import type { RetryPolicy } from './domain/retry-policy.js';
import type { Tenant } from './domain/webhook.js';
import { type Clock, systemClock } from './lib/clock.js';
import { VERSION } from './lib/version.js';

/** The User-Agent of every delivery (NetServer's is NetServer-Webhook/<version>). */
const USER_AGENT = `NetServer-Webhook/${VERSION}`;
import { AuthService } from './services/auth-service.js';
import { DeliveryLogService, type DescribeRequest } from './services/delivery-log-service.js';
import { EventService } from './services/event-service.js';
import { JobService } from './services/job-service.js';
import { RetentionService } from './services/retention-service.js';
import { TargetTester } from './services/target-tester.js';
import { WebhookService } from './services/webhook-service.js';
import { openStore, prepareStore } from './store/open-store.js';
import type { Store } from './store/store.js';

export interface HookdOptions {
  logger?: Logger;
  clock?: Clock;
  /** A store to use instead of the one the config names (tests). */
  store?: Store;
  /** Tests that drive time: the worker and the mail sender take no work by themselves; the test calls `worker.runUntilIdle()` and `mail.sendPending()`. */
  manualDelivery?: boolean;
}

export interface Hookd {
  app: FastifyInstance;
  store: Store;
  worker: DeliveryWorker | null;
  /** Sends ErrorsEmail notifications (null without HOOKD_SMTP_URL, or when this process does not deliver). */
  mail: MailSender | null;
  /** Prunes the delivery log (hourly by itself; tests call pruneNow()). */
  retention: RetentionService;
  /** Runs recover jobs (by itself, unless delivery is manual: then tests call runPending()). */
  jobs: JobService;
  defaultTenant: Tenant;
  /** Set when the administrator's password was generated on this first start. */
  generatedAdminPassword: string | null;
  /**
   * In-process SignalEvent: resolves once the event and its fan-out are stored. `traceParent`: a W3C traceparent to keep
   * with the event (its trace id in the delivery log, sent to receivers that opted in); an invalid one is ignored.
   */
  signal(event: {
    eventName: string;
    primaryKey?: number;
    data?: Record<string, unknown>;
    tenant?: string;
    traceParent?: string;
  }): Promise<number>;
  /** Registers the handler a `crmscript` webhook names in its TargetUrl (a new crmscript webhook must name one). */
  registerHandler(name: string, handler: EventHandler): void;
  /** Takes a handler away (its webhooks' deliveries then wait as hookd's own fault); false when there was none. */
  unregisterHandler(name: string): boolean;
  /** Listens on config.host:config.port; returns the address. */
  listen(): Promise<string>;
  /** Two-stage shutdown: stop claiming, let in-flight attempts finish (up to the timeout), close. */
  close(): Promise<void>;
}

export function retryPolicy(config: Config): RetryPolicy {
  return { cycleDelaysMs: config.retryDelaysMs.map(Number), maxConsecutiveErrors: config.maxConsecutiveErrors };
}

export async function createHookd(config: Config, options: HookdOptions = {}): Promise<Hookd> {
  const logger = options.logger ?? createLogger(config.logLevel, config.logFormat as LogFormat);
  const clock = options.clock ?? systemClock;
  // crmscript handlers of a standalone server (--scripts), loaded before anything opens: a script that does not load stops the start.
  const scripts = config.scriptsDir === '' ? null : await loadScriptFolder(config.scriptsDir, config.scriptTimeoutMs);
  const rawStore = options.store ?? openStore(config);
  let ready = false;
  const store = await prepareStore(rawStore, config, logger);

  const auth = new AuthService({
    accounts: store.accounts,
    clock,
    ticketTtlMs: config.ticketTtlMinutes * 60_000,
    loginFailureLimit: config.loginFailureLimit,
  });
  if (config.publicUrl === '' && !config.allowPrivateTargets) {
    logger.warn('HOOKD_PUBLIC_URL is not set: links in answers (_Links, Location, the portal link) are relative');
  }
  const { tenant: defaultTenant, generatedPassword } = await auth.bootstrap(config.defaultTenant, config.adminUser, config.adminPassword);

  const sender = new HttpSender({
    timeoutMs: config.attemptTimeoutMs,
    responseBodyCapBytes: config.responseBodyCapBytes,
    allowPrivateTargets: config.allowPrivateTargets,
    allowedNetworks: config.allowedNetworks,
    // Many webhooks often share one host: 64 connections to it (each webhook still has at most its own limit in flight).
    connectionsPerOrigin: Math.max(config.maxInFlightPerWebhook, 64),
  });
  const crmscript = new CrmScriptPlugin();
  for (const [name, handler] of scripts?.handlers ?? []) crmscript.register(name, handler);
  if (scripts)
    logger.info({ scripts: crmscript.names() }, `loaded ${scripts.handlers.size} crmscript handler(s) from ${config.scriptsDir}`);
  const signing = {
    netserver: config.signatureSchemes.includes('netserver'),
    standard: config.signatureSchemes.includes('standard'),
    now: () => clock.now(),
  };
  const retryAfterMaxMs = config.retryAfter === 'on' ? config.retryAfterMaxSeconds * 1000 : null;
  const access = new ReceiverAccess(sender, USER_AGENT, signing.now, {
    httpsProxy: config.httpsProxy,
    httpProxy: config.httpProxy,
    noProxy: config.noProxy,
  });
  if (access.everyDelivery) logger.info('deliveries go through the egress proxy (HOOKD_HTTPS_PROXY / HOOKD_HTTP_PROXY)');
  const plugins = new PluginRegistry().add(new HttpWebhookPlugin(sender, USER_AGENT, signing, retryAfterMaxMs, access)).add(crmscript);

  const deliverHere = config.role !== 'api';
  // Off by default (no OTEL_* set): null, and neither the API nor the worker gets a hook.
  const tracing = tracesUrl(config) === null ? null : (await import('./tracing/tracing.js')).Tracing.start(config, VERSION);
  let inFlight = () => 0;
  const metrics = new HookdMetrics({
    snapshot: (now) => store.deliveryLog.snapshot(now),
    inFlight: () => inFlight(),
    now: () => clock.now(),
    webhookLabels: config.metricsWebhookLabels,
  });
  const worker = deliverHere
    ? new DeliveryWorker({
        queue: store.queue,
        plugins,
        clock,
        logger: logger.child({ component: 'delivery' }),
        observer: tracing ? tracing.observer(metrics) : metrics,
        options: {
          maxInFlight: config.maxInFlight,
          maxInFlightPerWebhook: config.maxInFlightPerWebhook,
          attemptTimeoutMs: config.attemptTimeoutMs,
          pollIntervalMs: config.pollIntervalMs,
          policy: retryPolicy(config),
          maxThrottledMs: config.retryAfterMaxThrottledSeconds * 1000,
        },
      })
    : null;
  const onWork = () => worker?.wake();
  if (worker) inFlight = () => worker.activeAttempts;

  const webhooks = new WebhookService({
    registry: store.webhooks,
    accounts: store.accounts,
    clock,
    tester: new TargetTester(plugins, () => clock.now()),
    rules: { plugins: plugins.names(), allowPrivateTargets: config.allowPrivateTargets, allowedNetworks: config.allowedNetworks },
    savePing: config.savePing,
    crmscriptHandlers: () => crmscript.names(),
    onWork,
  });
  const events = new EventService({
    intake: store.intake,
    accounts: store.accounts,
    clock,
    onWork: () => worker?.eventsStored(),
    defaultTenant,
    onStored: (n) => metrics.eventsIngested(n),
    idempotencyMs: config.idempotencyHours * 3_600_000,
  });
  // The delivery log shows each delivery's request as the HTTP plugin builds it (signatures with today's secrets).
  const describeRequest: DescribeRequest = (event, eventGuid, retry, webhook) =>
    webhook.type === 'webhook' ? buildHttpRequest({ event, eventGuid, retry, webhook }, USER_AGENT, signing) : null;
  const deliveryLog = new DeliveryLogService({
    deliveryLog: store.deliveryLog,
    notifications: store.notifications,
    clock,
    webhooks,
    onWork,
    onRetried: (webhookId, deliveryId) => (worker ? worker.retryNow(webhookId, deliveryId) : onWork()),
    describeRequest,
    maxConsecutiveErrors: config.maxConsecutiveErrors,
  });
  const jobs = new JobService({
    jobs: store.jobs,
    clock,
    logger: logger.child({ component: 'jobs' }),
    webhooks,
    onWork,
    owner: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    limits: { runningPerTenant: config.recoverRunningPerTenant, queuedPerTenant: config.recoverQueuedPerTenant },
  });
  const retention = new RetentionService({
    retention: store.retention,
    audit: store.audit,
    clock,
    logger: logger.child({ component: 'retention' }),
    defaults: { deliveries: config.retentionDays, events: config.eventRetentionDays },
    idempotencyMs: config.idempotencyHours * 3_600_000,
    onPruned: (pruned) => metrics.pruned(pruned),
  });
  const appAccess = new AppAccessService({ appGrants: store.appGrants, clock, mode: config.appAccess as AppAccessMode });
  const app = await buildApp({
    auth,
    webhooks,
    events,
    deliveryLog,
    retention,
    jobs,
    appAccess,
    archive: new ArchiveService({ webhooks, deliveryLog }),
    audit: new AuditService({ audit: store.audit, clock }),
    ticketTtlMs: config.ticketTtlMinutes * 60_000,
    clock,
    logger,
    defaultTenant,
    bodyLimit: config.bodyLimitBytes,
    ...(tracing ? { instrument: (a: FastifyInstance) => tracing.instrument(a) } : {}),
    rateLimitPerMinute: config.rateLimitPerMinute,
    portalFrameAncestors: config.portalFrameAncestors,
    listener: {
      trustProxy: config.trustProxy,
      https: readTlsFiles(config.tlsCert, config.tlsKey),
      links: { publicUrl: config.publicUrl, fromHost: config.allowPrivateTargets },
    },
    version: VERSION,
    ready: () => ready,
    pingStore: () => store.ping(),
    metrics: { source: metrics, access: { token: config.metricsToken, allow: config.metricsAllow } },
    workerStatus: () =>
      worker
        ? {
            inFlight: worker.activeAttempts,
            attemptsMade: worker.attemptsMade,
            exchanges: worker.exchanges,
            ownedWebhooks: worker.ownedWebhooks,
            heldBytes: worker.heldBytes,
          }
        : null,
  });

  const mail =
    deliverHere && config.smtpUrl
      ? new MailSender({
          notifications: store.notifications,
          clock,
          logger: logger.child({ component: 'mail' }),
          smtpUrl: config.smtpUrl,
          from: config.smtpFrom,
        })
      : null;

  // Other processes signal through the database; their NOTIFY wakes this worker at once.
  const unwatch = worker ? await store.queue.watchWork(onWork) : async () => undefined;
  worker?.start(options.manualDelivery ? 'manual' : 'loop');
  if (!options.manualDelivery) mail?.start();
  retention.start();
  if (!options.manualDelivery) jobs.start();
  ready = true;
  let closed = false;

  return {
    app,
    store,
    worker,
    mail,
    retention,
    jobs,
    defaultTenant,
    generatedAdminPassword: generatedPassword,
    signal: (e) => events.signalAsSystem(e),
    registerHandler(name, handler) {
      crmscript.register(name, handler);
    },
    unregisterHandler(name) {
      return crmscript.unregister(name);
    },
    async listen() {
      return app.listen({ port: config.port, host: config.host });
    },
    async close() {
      if (closed) return;
      closed = true;
      retention.stop();
      await jobs.stop();
      await app.close();
      await unwatch();
      await worker?.stop(config.shutdownTimeoutMs);
      await mail?.stop();
      await scripts?.close();
      await access.close();
      await sender.close();
      await rawStore.close();
      await tracing?.shutdown();
    },
  };
}
