/**
 * A Store whose webhook secrets are sealed on the way in and opened on the way out, so that neither
 * backend sees a secret in the clear when a key is set. Only the ports that carry secrets are wrapped.
 */
import type { ReceiverAuth } from '../domain/receiver-auth.js';
import type { Webhook, WebhookInput } from '../domain/webhook.js';
import type { SecretBox } from './secret-box.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { Store } from './store.js';
import type { WebhookRegistry } from './webhooks.js';

/** ReceiverAuth with its key, client secret and password put through `f` (seal or open). */
function mapAuthSecrets(a: ReceiverAuth | null, f: (s: string) => string): ReceiverAuth | null {
  if (a === null) return null;
  return {
    clientCertificate: a.clientCertificate && { ...a.clientCertificate, keyPem: f(a.clientCertificate.keyPem) },
    caCertificates: a.caCertificates,
    oauth2: a.oauth2 && { ...a.oauth2, clientSecret: f(a.oauth2.clientSecret) },
    basic: a.basic && { ...a.basic, password: f(a.basic.password) },
  };
}

/** The registry with secrets sealed on the way in and opened on the way out; the rest passes through. */
function sealedRegistry(inner: WebhookRegistry, box: SecretBox): WebhookRegistry {
  const openOne = (s: string): string => box.open(s) as string;
  const sealOne = (s: string): string => box.seal(s) as string;
  const sealInput = (i: WebhookInput): WebhookInput => ({
    ...i,
    secret: box.seal(i.secret),
    receiverAuth: mapAuthSecrets(i.receiverAuth, sealOne),
  });
  const open = (w: Webhook): Webhook => ({
    ...w,
    secret: box.open(w.secret),
    previousSecret: box.open(w.previousSecret),
    receiverAuth: mapAuthSecrets(w.receiverAuth, openOne),
  });
  return {
    async listWebhooks(tenantId, filter) {
      return (await inner.listWebhooks(tenantId, filter)).map(open);
    },
    async getWebhook(tenantId, id) {
      const w = await inner.getWebhook(tenantId, id);
      return w && open(w);
    },
    async createWebhook(tenantId, input, stamp, applicationToken) {
      return open(await inner.createWebhook(tenantId, sealInput(input), stamp, applicationToken));
    },
    async rotateSecret(tenantId, id, rotation) {
      const w = await inner.rotateSecret(tenantId, id, { ...rotation, secret: box.seal(rotation.secret) as string });
      return w && open(w);
    },
    async updateWebhook(tenantId, id, update) {
      const w = await inner.updateWebhook(tenantId, id, { ...update, input: sealInput(update.input) });
      return w && w !== 'conflict' ? open(w) : w;
    },
    deleteWebhook: (tenantId, id) => inner.deleteWebhook(tenantId, id),
    confirmSecret: (tenantId, id, updatedCount, stamp) => inner.confirmSecret(tenantId, id, updatedCount, stamp),
    // Works on the stored (sealed) values: resealing is what it is for.
    rewriteSecrets: (rewrite) => inner.rewriteSecrets(rewrite),
  };
}

/** The queue with the secrets of the webhooks it hands out opened. */
function sealedQueue(inner: DeliveryQueue, box: SecretBox): DeliveryQueue {
  const openOne = (s: string): string => box.open(s) as string;
  return {
    shared: inner.shared,
    async exchange(request) {
      // The owner reads a webhook's secret once, when it takes the webhook or sees it changed: open those rows in place.
      const result = await inner.exchange(request);
      for (const w of result.webhooks) {
        w.secret = box.open(w.secret);
        w.previousSecret = box.open(w.previousSecret);
        w.receiverAuth = mapAuthSecrets(w.receiverAuth, openOne);
      }
      return result;
    },
    releaseAll: (owner) => inner.releaseAll(owner),
    watchWork: (listener) => inner.watchWork(listener),
    // Fresh deliveries carry events, never a secret: nothing to open.
    ...(inner.onQueued ? { onQueued: (listener) => inner.onQueued?.(listener) } : {}),
  };
}

/** The store with the two ports that carry secrets (the registry and the queue) sealed; every other port is the store's own. */
export function sealedStore(inner: Store, box: SecretBox): Store {
  const webhooks = sealedRegistry(inner.webhooks, box);
  const queue = sealedQueue(inner.queue, box);
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'webhooks') return webhooks;
      if (prop === 'queue') return queue;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Seals plain secrets and reseals old-key ones with the current key; returns how many were rewritten. */
export async function resealSecrets(store: Store, box: SecretBox): Promise<number> {
  return store.webhooks.rewriteSecrets((stored) => box.reseal(stored));
}
