/** The webhook registry's port (WebhookService; the secrets' sealing and resealing): the Webhook table and its subscriptions. */
import type { EventRecord } from '../domain/payload.js';
import type { Webhook, WebhookInput, WebhookState } from '../domain/webhook.js';
import { SECRET_COLUMNS } from './rows.js';

export interface WebhookFilter {
  name?: string | null;
  event?: string | null;
  state?: WebhookState | null;
  /** When set, only webhooks registered by this application. */
  applicationToken?: string | null;
}

export interface AuditStamp {
  associateId: number;
  now: number;
}

export interface WebhookUpdate {
  input: WebhookInput;
  stamp: AuditStamp;
  /** The updatedCount the caller read; the update fails with 'conflict' if another write came first. */
  expectedUpdatedCount: number;
  resetConsecutiveErrors: boolean;
  /** The Secret changed by a plain update: a rotation's overlap with the previous secret ends. */
  endRotation?: boolean;
  /** State events (webhook{id}.started …) to signal in the same transaction. */
  signals: EventRecord[];
}

export interface SecretRotation {
  /** The new secret (sealed by the sealed store). */
  secret: string;
  until: number;
  stamp: AuditStamp;
}

export interface WebhookRegistry {
  listWebhooks(tenantId: number, filter: WebhookFilter): Promise<Webhook[]>;
  getWebhook(tenantId: number, id: number): Promise<Webhook | null>;
  createWebhook(tenantId: number, input: WebhookInput, stamp: AuditStamp, applicationToken: string | null): Promise<Webhook>;
  /**
   * Returns the saved webhook, null when it is gone, or 'conflict' when it changed meanwhile. Turned Active
   * (domain/webhook.ts `reactivates`), its held deliveries become due now.
   */
  updateWebhook(tenantId: number, id: number, update: WebhookUpdate): Promise<Webhook | null | 'conflict'>;
  /** Deletes the webhook with its deliveries and attempts; false when the tenant has none of that id. */
  deleteWebhook(tenantId: number, id: number): Promise<boolean>;
  /** Secret/Rotate: the new secret signs from now; the current one becomes the previous, signing beside it until `until`. */
  rotateSecret(tenantId: number, id: number, rotation: SecretRotation): Promise<Webhook | null>;
  /** A test ping signed with the new secret succeeded (while the webhook is still at `updatedCount`): NetServer's signature switches to it. */
  confirmSecret(tenantId: number, id: number, updatedCount: number, stamp: AuditStamp): Promise<void>;
  /** Replaces each stored secret for which `rewrite` returns a new value, in one transaction; returns how many changed. */
  rewriteSecrets(rewrite: (stored: string) => string | null): Promise<number>;
}

/** One stored secret: a webhook's id and which of its secret columns. */
export interface SecretCell {
  id: number;
  column: (typeof SECRET_COLUMNS)[number];
  stored: string;
}

/**
 * rewriteSecrets' decision, for both stores: the cells `rewrite` gives a new value, with that value. The stores
 * read the cells (every non-null secret column) and write back what this returns, in one transaction.
 */
export function secretRewrites(
  cells: readonly SecretCell[],
  rewrite: (stored: string) => string | null,
): Array<SecretCell & { next: string }> {
  const out: Array<SecretCell & { next: string }> = [];
  for (const cell of cells) {
    const next = rewrite(cell.stored);
    if (next !== null) out.push({ ...cell, next });
  }
  return out;
}
