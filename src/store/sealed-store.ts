/**
 * A Store whose webhook secrets are sealed on the way in and opened on the way out, so that neither
 * backend sees a secret in the clear when a key is set. Every other method passes straight through.
 */
import type { Webhook } from '../domain/webhook.js';
import type { SecretBox } from './secret-box.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { Store } from './store.js';

export function sealedStore(inner: Store, box: SecretBox): Store {
  const open = (w: Webhook): Webhook => ({ ...w, secret: box.open(w.secret), previousSecret: box.open(w.previousSecret) });
  const overrides: Partial<Store> = {
    async listWebhooks(tenantId, filter) {
      return (await inner.listWebhooks(tenantId, filter)).map(open);
    },
    async getWebhook(tenantId, id) {
      const w = await inner.getWebhook(tenantId, id);
      return w && open(w);
    },
    async createWebhook(tenantId, input, stamp, applicationToken) {
      return open(await inner.createWebhook(tenantId, { ...input, secret: box.seal(input.secret) }, stamp, applicationToken));
    },
    async rotateSecret(tenantId, id, rotation) {
      const w = await inner.rotateSecret(tenantId, id, { ...rotation, secret: box.seal(rotation.secret) as string });
      return w && open(w);
    },
    async updateWebhook(tenantId, id, update) {
      const w = await inner.updateWebhook(tenantId, id, { ...update, input: { ...update.input, secret: box.seal(update.input.secret) } });
      return w && w !== 'conflict' ? open(w) : w;
    },
  };
  const queue: DeliveryQueue = {
    shared: inner.queue.shared,
    async exchange(request) {
      // The owner reads a webhook's secret once, when it takes the webhook or sees it changed: open those rows in place.
      const result = await inner.queue.exchange(request);
      for (const w of result.webhooks) {
        w.secret = box.open(w.secret);
        w.previousSecret = box.open(w.previousSecret);
      }
      return result;
    },
    releaseAll: (owner) => inner.queue.releaseAll(owner),
    watchWork: (listener) => inner.queue.watchWork(listener),
    // Fresh deliveries carry events, never a secret: nothing to open.
    ...(inner.queue.onQueued ? { onQueued: (listener) => inner.queue.onQueued?.(listener) } : {}),
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'queue') return queue;
      const own = overrides[prop as keyof Store];
      if (own) return own;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Seals plain secrets and reseals old-key ones with the current key; returns how many were rewritten. */
export async function resealSecrets(store: Store, box: SecretBox): Promise<number> {
  return store.rewriteSecrets((stored) => box.reseal(stored));
}
