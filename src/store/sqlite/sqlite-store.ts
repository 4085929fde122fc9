/** The embedded store: one SQLite file, one writer (this process). */
import { SqliteWebhookRegistry } from './webhooks.js';
import { SqliteAccounts } from './accounts.js';
import { SqliteDeliveryLog } from './delivery-log.js';
import { SqliteRetention } from './retention.js';
import { SqliteNotifications } from './notifications.js';
import { SqliteAppGrants } from './app-grants.js';
import { SqliteRecoverJobs } from './jobs.js';
import { join } from 'node:path';
import type { EventRecord } from '../../domain/payload.js';
import type { SignalGroup, Store } from '../store.js';
import { type Db, migrate, openDatabase } from './database.js';
import type { QueuedItem } from '../delivery-queue.js';
import { SqliteDeliveryQueue } from './queue.js';
import { SqliteAuditLog } from './audit-log.js';
import { signalEvents, signalGroups } from './signal.js';

export class SqliteStore implements Store {
  readonly queue: SqliteDeliveryQueue;
  readonly audit: SqliteAuditLog;
  readonly webhooks: SqliteWebhookRegistry;
  readonly accounts: SqliteAccounts;
  readonly deliveryLog: SqliteDeliveryLog;
  readonly retention: SqliteRetention;
  readonly notifications: SqliteNotifications;
  readonly appGrants: SqliteAppGrants;
  readonly jobs: SqliteRecoverJobs;

  private constructor(private readonly db: Db) {
    this.queue = new SqliteDeliveryQueue(db);
    this.audit = new SqliteAuditLog(db);
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
    return new SqliteStore(openDatabase(file));
  }

  async migrate() {
    migrate(this.db);
  }
  async ping() {
    this.db.prepare('SELECT 1').get();
  }
  async close() {
    this.db.close();
  }

  async signal(tenantId: number, events: EventRecord[], now: number) {
    const fresh: QueuedItem[] = [];
    const queued = this.db.transaction(() => signalEvents(this.db, tenantId, events, now, fresh)).immediate();
    this.queue.handOff(fresh);
    return queued;
  }

  async signalOnce(
    tenantId: number,
    idempotency: { key: string; appScope: string; bodyHash: string; validSince: number },
    events: EventRecord[],
    now: number,
  ) {
    const fresh: QueuedItem[] = [];
    const answer = this.db
      .transaction(() => {
        const seen = this.db
          .prepare('SELECT body_hash, queued, created FROM idempotency_keys WHERE tenant_id = ? AND app_scope = ? AND key = ?')
          .get(tenantId, idempotency.appScope, idempotency.key) as { body_hash: string; queued: number; created: number } | undefined;
        if (seen && seen.created >= idempotency.validSince) {
          return seen.body_hash === idempotency.bodyHash ? { queued: seen.queued, replayed: true } : ('conflict' as const);
        }
        const queued = signalEvents(this.db, tenantId, events, now, fresh);
        this.db
          .prepare(
            `INSERT INTO idempotency_keys (tenant_id, app_scope, key, body_hash, queued, created) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (tenant_id, app_scope, key) DO UPDATE SET body_hash = excluded.body_hash, queued = excluded.queued, created = excluded.created`,
          )
          .run(tenantId, idempotency.appScope, idempotency.key, idempotency.bodyHash, queued, now);
        return { queued, replayed: false };
      })
      .immediate();
    this.queue.handOff(fresh);
    return answer;
  }

  async signalGroups(groups: SignalGroup[], now: number) {
    const fresh: QueuedItem[] = [];
    const queued = this.db.transaction(() => signalGroups(this.db, groups, now, fresh)).immediate();
    this.queue.handOff(fresh);
    return queued;
  }
}
