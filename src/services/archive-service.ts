/**
 * The Webhook archive providers (domain/archive.ts) over the caller's webhooks: the same webhooks GetAllWebhooks
 * shows them (their tenant, their application), with their statistics and the list's last delivery and badge.
 */
import {
  type ArchiveProvider,
  type ArchiveQuery,
  type ArchiveRow,
  checkQuery,
  DYNAMIC_PROVIDER,
  pinnedKey,
  runQuery,
  WEBHOOK_PROVIDER,
} from '../domain/archive.js';
import { HookdError } from '../domain/errors.js';
import { WEBHOOK_STATES } from '../domain/webhook.js';
import { panelStatus } from '../domain/webhook-usage.js';
import type { Caller } from './caller.js';
import type { DeliveryLogService } from './delivery-log-service.js';
import type { WebhookService } from './webhook-service.js';

export interface ArchivePage {
  provider: ArchiveProvider;
  query: ArchiveQuery;
  rows: ArchiveRow[];
  total: number;
}

/** The providers by the names a client may use (NetServer's names ignore case). */
const PROVIDERS: Record<string, ArchiveProvider> = {
  webhook: WEBHOOK_PROVIDER,
  webhookprovider: WEBHOOK_PROVIDER,
  dynamic: DYNAMIC_PROVIDER,
};

/** A webhook the caller cannot see is no row, as in the list. */
function notFoundIsNone(e: unknown): [] {
  if (e instanceof HookdError && (e.code === 'not_found' || e.code === 'invalid_parameter')) return [];
  throw e;
}

export class ArchiveService {
  constructor(private readonly deps: { webhooks: WebhookService; deliveryLog: DeliveryLogService }) {}

  /** The provider named, or a 404 naming the ones hookd has. */
  provider(name: string): ArchiveProvider {
    const p = Object.hasOwn(PROVIDERS, name.toLowerCase()) ? PROVIDERS[name.toLowerCase()] : undefined;
    if (!p) throw new HookdError('not_found', { entity: 'Archive provider (hookd has Webhook and dynamic)', id: name.slice(0, 100) });
    return p;
  }

  async query(caller: Caller, provider: ArchiveProvider, raw: ArchiveQuery): Promise<ArchivePage> {
    const query = checkQuery(provider, raw);
    // One webhook by its id (the troubleshooting guide's query) is read alone: 33 ms → ~1 ms among 2,000 webhooks.
    const pinned = pinnedKey(provider, query);
    const webhooks =
      pinned === null
        ? await this.deps.webhooks.list(caller, {})
        : await this.deps.webhooks.get(caller, pinned).then((w) => [w], notFoundIsNone);
    const [usage, associates] = await Promise.all([
      this.deps.deliveryLog.usage(caller, webhooks),
      this.deps.webhooks.associatesOf(webhooks),
    ]);
    const rows = webhooks.map((w): ArchiveRow => {
      const u = usage.get(w.id);
      if (provider === DYNAMIC_PROVIDER) {
        return {
          'webhook_usage.webhook_usage_id': w.id,
          'webhook_usage.total_calls': w.totalCalls,
          'webhook_usage.total_errors': w.totalErrors,
          'webhook_usage.consecutive_errors': w.consecutiveErrors,
          'webhook_usage.last_error': w.lastError ?? '',
          'webhook.webhook_id': w.id,
          'webhook.name': w.name,
          'webhook.events': w.events.join(','),
          'webhook.target_url': w.targetUrl,
          'webhook.type': w.type,
          'webhook.state': WEBHOOK_STATES.indexOf(w.state),
        };
      }
      return {
        webhookId: w.id,
        name: w.name,
        events: w.events.join(','),
        targetUrl: w.targetUrl,
        type: w.type,
        eventCount: w.events.length,
        updatedByFullName: associates.get(w.updatedAssociateId)?.name ?? '',
        registeredBy: associates.get(w.registeredAssociateId)?.name ?? '',
        registeredDate: w.registered,
        'webhookUsage/totalCalls': w.totalCalls,
        'webhookUsage/totalErrors': w.totalErrors,
        'webhookUsage/consecutiveErrors': w.consecutiveErrors,
        'webhookUsage/lastError': w.lastError ?? '',
        'webhookUsage/lastEvent': u?.lastDelivery ?? null,
        'webhookUsage/status': panelStatus(w.state, u?.failures24h ?? 0),
      };
    });
    const page = runQuery(provider, rows, query);
    return { provider, query, rows: page.rows, total: page.total };
  }
}
