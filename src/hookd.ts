/**
 * Builds a whole hookd from a Config: store, services, delivery worker and HTTP app. `main.ts` runs it as
 * a server; applications embed it (`createHookd(...)`, then `signal()` and `registerHandler()`); tests
 * build one per case.
 */

import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { buildApp } from './api/app.js';
import type { Config } from './config/settings.js';
import { HttpSender } from './delivery/http-sender.js';
import { CrmScriptPlugin, type EventHandler, HttpWebhookPlugin, PluginRegistry } from './delivery/plugins.js';
import { MailSender } from './delivery/mail-sender.js';
import { DeliveryWorker } from './delivery/worker.js';
import { HookdError } from './domain/errors.js';
import type { RetryPolicy } from './domain/retry-policy.js';
import type { Tenant } from './domain/webhook.js';
import { type Clock, systemClock } from './lib/clock.js';
import { VERSION } from './lib/version.js';
import { AuthService } from './services/auth-service.js';
import type { Caller } from './services/caller.js';
import { EventService } from './services/event-service.js';
import { TargetTester } from './services/target-tester.js';
import { WebhookService } from './services/webhook-service.js';
import { PostgresStore } from './store/postgres/postgres-store.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import { SecretBox } from './store/secret-box.js';
import { resealSecrets, sealedStore } from './store/sealed-store.js';
import type { Store } from './store/store.js';

export interface HookdOptions {
  logger?: Logger;
  clock?: Clock;
  /** A store to use instead of the one the config names (tests). */
  store?: Store;
}

export interface Hookd {
  app: FastifyInstance;
  store: Store;
  worker: DeliveryWorker | null;
  defaultTenant: Tenant;
  /** Set when the administrator's password was generated on this first start. */
  generatedAdminPassword: string | null;
  /** In-process SignalEvent: resolves once the event and its fan-out are stored. */
  signal(event: { eventName: string; primaryKey?: number; data?: Record<string, unknown>; tenant?: string }): Promise<number>;
  /** Registers the handler a `crmscript` webhook names in its TargetUrl. */
  registerHandler(name: string, handler: EventHandler): void;
  /** Listens on config.host:config.port; returns the address. */
  listen(): Promise<string>;
  /** Two-stage shutdown: stop claiming, let in-flight attempts finish (up to the timeout), close. */
  close(): Promise<void>;
}

export function retryPolicy(config: Config): RetryPolicy {
  return { cycleDelaysMs: config.retryDelaysMs.map(Number), maxConsecutiveErrors: config.maxConsecutiveErrors };
}

export function openStore(config: Config): Store {
  return config.databaseUrl ? PostgresStore.open(config.databaseUrl) : SqliteStore.open(config.dataDir);
}

/** Seals webhook secrets with HOOKD_ENCRYPTION_KEY (resealing plain and old-key ones now), or warns that they are stored plain. */
async function protectSecrets(store: Store, config: Config, logger: Logger): Promise<Store> {
  const box = SecretBox.fromSettings(config.encryptionKey, config.previousEncryptionKeys);
  const resealed = await resealSecrets(store, box);
  if (!box.encrypts) {
    logger.warn('HOOKD_ENCRYPTION_KEY is not set: webhook secrets are stored unencrypted');
    return store;
  }
  if (resealed > 0) logger.info({ resealed }, 'webhook secrets encrypted with the current HOOKD_ENCRYPTION_KEY');
  return sealedStore(store, box);
}

export async function createHookd(config: Config, options: HookdOptions = {}): Promise<Hookd> {
  const logger =
    options.logger ?? pino({ level: config.logLevel, redact: ['req.headers.authorization', '*.secret', '*.Secret', '*.password'] });
  const clock = options.clock ?? systemClock;
  const rawStore = options.store ?? openStore(config);
  let ready = false;
  await rawStore.migrate();
  const store = await protectSecrets(rawStore, config, logger).catch(async (e: unknown) => {
    await rawStore.close();
    throw e;
  });

  const auth = new AuthService({
    store,
    clock,
    ticketTtlMs: config.ticketTtlMinutes * 60_000,
    loginFailureLimit: config.loginFailureLimit,
  });
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
  const signing = {
    netserver: config.signatureSchemes.includes('netserver'),
    standard: config.signatureSchemes.includes('standard'),
    nowSeconds: () => Math.floor(clock.now() / 1000),
  };
  const plugins = new PluginRegistry().add(new HttpWebhookPlugin(sender, `NetServer-Webhook/${VERSION}`, signing)).add(crmscript);

  const deliverHere = config.role !== 'api';
  const worker = deliverHere
    ? new DeliveryWorker({
        queue: store.queue,
        plugins,
        clock,
        logger: logger.child({ component: 'delivery' }),
        options: {
          maxInFlight: config.maxInFlight,
          maxInFlightPerWebhook: config.maxInFlightPerWebhook,
          attemptTimeoutMs: config.attemptTimeoutMs,
          pollIntervalMs: config.pollIntervalMs,
          policy: retryPolicy(config),
        },
      })
    : null;
  const onWork = () => worker?.wake();

  const webhooks = new WebhookService({
    store,
    clock,
    tester: new TargetTester(plugins, () => clock.now()),
    rules: { plugins: plugins.names(), allowPrivateTargets: config.allowPrivateTargets, allowedNetworks: config.allowedNetworks },
    savePing: config.savePing,
    onWork,
  });
  const events = new EventService({ store, clock, onWork });
  const app = await buildApp({
    store,
    auth,
    webhooks,
    events,
    worker: worker ? onWork : null,
    ticketTtlMs: config.ticketTtlMinutes * 60_000,
    clock,
    logger,
    defaultTenant,
    bodyLimit: config.bodyLimitBytes,
    rateLimitPerMinute: config.rateLimitPerMinute,
    version: VERSION,
    ready: () => ready,
    workerStatus: () =>
      worker
        ? {
            inFlight: worker.activeAttempts,
            attemptsMade: worker.attemptsMade,
            exchanges: worker.exchanges,
            ownedWebhooks: worker.ownedWebhooks,
          }
        : null,
  });

  const prune = async () => {
    if (config.retentionDays <= 0) return;
    try {
      await store.prune(clock.now() - config.retentionDays * 86_400_000);
    } catch (e) {
      logger.warn({ err: e }, 'pruning the delivery log failed');
    }
  };
  const pruneTimer = setInterval(prune, 3_600_000);
  pruneTimer.unref();

  const mail =
    deliverHere && config.smtpUrl
      ? new MailSender({ store, clock, logger: logger.child({ component: 'mail' }), smtpUrl: config.smtpUrl, from: config.smtpFrom })
      : null;

  // Other processes signal through the database; their NOTIFY wakes this worker at once.
  const unwatch = worker ? await store.queue.watchWork(onWork) : async () => undefined;
  worker?.start();
  mail?.start();
  ready = true;
  let closed = false;

  return {
    app,
    store,
    worker,
    defaultTenant,
    generatedAdminPassword: generatedPassword,
    async signal(e) {
      const tenant = e.tenant ? await store.findTenant(e.tenant) : defaultTenant;
      if (!tenant) throw new HookdError('tenant_not_found', { tenant: e.tenant ?? '' });
      const caller: Caller = {
        tenant,
        associate: { id: 0, tenantId: tenant.id, name: 'system', userName: 'system', isAdmin: false },
        appToken: null,
      };
      return events.signal(caller, e.eventName, e.primaryKey ?? 0, e.data ?? {});
    },
    registerHandler(name, handler) {
      crmscript.register(name, handler);
    },
    async listen() {
      return app.listen({ port: config.port, host: config.host });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pruneTimer);
      await app.close();
      await unwatch();
      await worker?.stop(config.shutdownTimeoutMs);
      await mail?.stop();
      await sender.close();
      await rawStore.close();
    },
  };
}
