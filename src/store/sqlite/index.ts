/**
 * The embedded store: one SQLite file, one writer (this process). Composes the ports, one class per file of
 * this folder (the same files as postgres/), on one connection.
 */
import { SqliteEventIntake } from './intake.js';
import { SqliteWebhookRegistry } from './webhooks.js';
import { SqliteAccounts } from './accounts.js';
import { SqliteDeliveryLog } from './delivery-log.js';
import { SqliteRetention } from './retention.js';
import { SqliteNotifications } from './notifications.js';
import { SqliteAppGrants } from './app-grants.js';
import { SqliteRecoverJobs } from './jobs.js';
import { join } from 'node:path';
import type { Store } from '../store.js';
import { type Db, migrate, openDatabase } from './database.js';
import { SqliteDeliveryQueue } from './queue.js';
import { SqliteAuditLog } from './audit-log.js';
import { Checkpointer } from './checkpointer.js';

export class SqliteStore implements Store {
  readonly queue: SqliteDeliveryQueue;
  readonly audit: SqliteAuditLog;
  readonly intake: SqliteEventIntake;
  readonly webhooks: SqliteWebhookRegistry;
  readonly accounts: SqliteAccounts;
  readonly deliveryLog: SqliteDeliveryLog;
  readonly retention: SqliteRetention;
  readonly notifications: SqliteNotifications;
  readonly appGrants: SqliteAppGrants;
  readonly jobs: SqliteRecoverJobs;

  private constructor(
    private readonly db: Db,
    private readonly checkpointer: Checkpointer | null,
  ) {
    this.queue = new SqliteDeliveryQueue(db);
    this.audit = new SqliteAuditLog(db);
    this.intake = new SqliteEventIntake(db, this.queue);
    this.webhooks = new SqliteWebhookRegistry(db);
    this.accounts = new SqliteAccounts(db);
    this.deliveryLog = new SqliteDeliveryLog(db);
    this.retention = new SqliteRetention(db);
    this.notifications = new SqliteNotifications(db);
    this.appGrants = new SqliteAppGrants(db);
    this.jobs = new SqliteRecoverJobs(db);
  }

  /** Opens `${dataDir}/hookd.db` (or `:memory:`). */
  static open(dataDirOrMemory: string): SqliteStore {
    const file = dataDirOrMemory === ':memory:' ? ':memory:' : join(dataDirOrMemory, 'hookd.db');
    const db = openDatabase(file);
    return new SqliteStore(db, Checkpointer.start(db, file));
  }

  async migrate() {
    migrate(this.db);
  }
  async ping() {
    this.db.prepare('SELECT 1').get();
  }
  async close() {
    await this.checkpointer?.stop();
    this.db.close();
  }
}
