/**
 * The Store: everything hookd keeps, in domain terms. SQLite and PostgreSQL implement it; no SQL, rows
 * or connections leak past it. Every method that writes does so in one transaction.
 */
import type { EventRecord } from '../domain/payload.js';
import type { AuditLog } from './audit-log.js';
import type { WebhookRegistry } from './webhooks.js';
import type { Accounts } from './accounts.js';
import type { DeliveryLog } from './delivery-log.js';
import type { Retention } from './retention.js';
import type { Notifications } from './notifications.js';
import type { AppGrants } from './app-grants.js';
import type { RecoverJobs } from './jobs.js';
import type { DeliveryQueue } from './delivery-queue.js';

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
  readonly webhooks: WebhookRegistry;
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
