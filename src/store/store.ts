/**
 * The Store: everything hookd keeps, in domain terms, as narrow ports by concern (a port is what one service
 * needs). SQLite and PostgreSQL implement each port in a file of the same name; no SQL, rows or connections
 * leak past them. Every operation that writes does so in one transaction.
 */
import type { Accounts } from './accounts.js';
import type { AppGrants } from './app-grants.js';
import type { AuditLog } from './audit-log.js';
import type { DeliveryLog } from './delivery-log.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { EventIntake } from './intake.js';
import type { RecoverJobs } from './jobs.js';
import type { Notifications } from './notifications.js';
import type { Retention } from './retention.js';
import type { WebhookRegistry } from './webhooks.js';

/** The backends' signal.ts take it from here. */
export type { SignalGroup } from './intake.js';

export interface Store {
  /** The delivery engine's port (the worker). */
  readonly queue: DeliveryQueue;
  /** Tenants, associates, credentials (AuthService; WebhookService and EventService read a little). */
  readonly accounts: Accounts;
  /** The Webhook table (WebhookService; sealing and resealing secrets). */
  readonly webhooks: WebhookRegistry;
  /** Events in (EventService). */
  readonly intake: EventIntake;
  /** What was sent and tried, the figures (DeliveryLogService, /metrics). */
  readonly deliveryLog: DeliveryLog;
  /** Recover jobs (JobService). */
  readonly jobs: RecoverJobs;
  /** Retention days and pruning (RetentionService). */
  readonly retention: Retention;
  /** Failure and switch-off notices (DeliveryLogService, MailSender). */
  readonly notifications: Notifications;
  /** "Online Restricted" grants (AppAccessService). */
  readonly appGrants: AppGrants;
  /** The audit log (AuditService, RetentionService's pruning; issue 25). */
  readonly audit: AuditLog;
  migrate(): Promise<void>;
  /** Answers when the database does (one trivial query); rejects when it is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
