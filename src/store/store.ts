/**
 * The Store: everything hookd keeps, in domain terms. SQLite and PostgreSQL implement it; no SQL, rows
 * or connections leak past it. Every method that writes does so in one transaction.
 */
import type { EventRecord } from '../domain/payload.js';
import type { AuditLog } from './audit-log.js';
import type { Accounts } from './accounts.js';
import type { DeliveryLog } from './delivery-log.js';
import type { Retention } from './retention.js';
import type { Notifications } from './notifications.js';
import type { AppGrants } from './app-grants.js';
import type { RecoverJobs } from './jobs.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { Webhook, WebhookInput, WebhookState } from '../domain/webhook.js';

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

/** One caller's events, stored with other callers' in one transaction. */
export interface SignalGroup {
  tenantId: number;
  events: EventRecord[];
}

export interface Store {
  /** The delivery engine's narrow port onto this store. */
  readonly queue: DeliveryQueue;
  /** The audit log's narrow port (issue 25). */
  readonly audit: AuditLog;
  readonly accounts: Accounts;
  readonly deliveryLog: DeliveryLog;
  readonly retention: Retention;
  readonly notifications: Notifications;
  readonly appGrants: AppGrants;
  readonly jobs: RecoverJobs;
  migrate(): Promise<void>;
  /** Answers when the database does (one trivial query); rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Tenants and associates

  // Credentials (API tokens and tickets), stored as hashes

  // Webhooks
  listWebhooks(tenantId: number, filter: WebhookFilter): Promise<Webhook[]>;
  getWebhook(tenantId: number, id: number): Promise<Webhook | null>;
  createWebhook(tenantId: number, input: WebhookInput, stamp: AuditStamp, applicationToken: string | null): Promise<Webhook>;
  /** Returns the saved webhook, null when it is gone, or 'conflict' when it changed meanwhile. */
  updateWebhook(tenantId: number, id: number, update: WebhookUpdate): Promise<Webhook | null | 'conflict'>;
  deleteWebhook(tenantId: number, id: number): Promise<boolean>;
  /** Secret/Rotate: the new secret signs from now; the current one becomes the previous, signing beside it until `until`. */
  rotateSecret(tenantId: number, id: number, rotation: SecretRotation): Promise<Webhook | null>;
  /** A test ping signed with the new secret succeeded (while the webhook is still at `updatedCount`): NetServer's signature switches to it. */
  confirmSecret(tenantId: number, id: number, updatedCount: number, stamp: AuditStamp): Promise<void>;
  /** Replaces each stored secret for which `rewrite` returns a new value, in one transaction; returns how many changed. */
  rewriteSecrets(rewrite: (stored: string) => string | null): Promise<number>;

  // Events in
  /** Stores the events and one queued delivery for each Active webhook that subscribes; returns that count. */
  signal(tenantId: number, events: EventRecord[], now: number): Promise<number>;
  /**
   * Stores the events unless this tenant and application (`appScope`: a fingerprint of its SO-AppToken, ''
   * without one) sent `key` since `validSince`: then nothing is stored and the first answer comes back
   * (`replayed`), or 'conflict' when that request's body hash differs. Concurrent requests with one key store
   * the events once.
   */
  signalOnce(
    tenantId: number,
    idempotency: { key: string; appScope: string; bodyHash: string; validSince: number },
    events: EventRecord[],
    now: number,
  ): Promise<{ queued: number; replayed: boolean } | 'conflict'>;
  /** Several callers' events in one transaction (group-committed ingestion); returns each group's queued count. */
  signalGroups(groups: SignalGroup[], now: number): Promise<number[]>;

  // The delivery log
}
