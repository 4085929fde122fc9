/** The delivery log of one webhook: read a page of it, or send one delivery again (hookd extensions). */
import { randomUUID } from 'node:crypto';
import { HookdError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import type { DeliveryView, Notification, Store } from '../store/store.js';
import type { Caller } from './caller.js';
import type { WebhookService } from './webhook-service.js';

/** Deliveries one page may carry at most. */
export const MAX_PAGE = 1000;

export class DeliveryLogService {
  constructor(private readonly deps: { store: Store; clock: Clock; webhooks: WebhookService; onWork: () => void }) {}

  /** Newest first, `page.top` at most MAX_PAGE; the webhook must be the caller's (404 otherwise). */
  async list(caller: Caller, webhookId: number, page: { top: number; skip: number }): Promise<{ items: DeliveryView[]; total: number }> {
    const webhook = await this.deps.webhooks.get(caller, webhookId);
    return this.deps.store.listDeliveries(caller.tenant.id, webhook.id, page);
  }

  /** Queues it again: a queued one becomes due now, a finished one is copied with a new EventId. */
  async retry(caller: Caller, webhookId: number, deliveryId: number): Promise<void> {
    const webhook = await this.deps.webhooks.get(caller, webhookId);
    if (!(await this.deps.store.retryDelivery(caller.tenant.id, webhook.id, deliveryId, this.deps.clock.now(), randomUUID()))) {
      throw new HookdError('delivery_not_found', { id: deliveryId, webhookId: webhook.id });
    }
    this.deps.onWork();
  }

  /** The caller's in-app notifications (NotifyVia InApp of the webhooks that name the caller in ErrorAssociates). */
  async notifications(caller: Caller): Promise<Notification[]> {
    return this.deps.store.listNotifications(caller.tenant.id, caller.associate.id);
  }
}
