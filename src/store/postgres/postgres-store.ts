/** The scale-out store: any number of hookd processes share one PostgreSQL database and split the work. */
import { PostgresWebhookRegistry } from './webhooks.js';
import { PostgresAccounts } from './accounts.js';
import { PostgresDeliveryLog } from './delivery-log.js';
import { PostgresRetention } from './retention.js';
import { PostgresNotifications } from './notifications.js';
import { PostgresAppGrants } from './app-grants.js';
import { PostgresRecoverJobs } from './jobs.js';
import pg from 'pg';
import type { EventRecord } from '../../domain/payload.js';
import type { SignalGroup, Store } from '../store.js';
import { migrate, openPool, transaction } from './pool.js';
import { PostgresDeliveryQueue } from './queue.js';
import { PostgresAuditLog } from './audit-log.js';
import { WORK_CHANNEL, signalEvents, signalGroups } from './signal.js';

/** How long to wait before opening the LISTEN connection again after it was lost. */
const RELISTEN_MS = 1_000;

export class PostgresStore implements Store {
  readonly queue: PostgresDeliveryQueue;
  readonly audit: PostgresAuditLog;
  readonly webhooks: PostgresWebhookRegistry;
  readonly accounts: PostgresAccounts;
  readonly deliveryLog: PostgresDeliveryLog;
  readonly retention: PostgresRetention;
  readonly notifications: PostgresNotifications;
  readonly appGrants: PostgresAppGrants;
  readonly jobs: PostgresRecoverJobs;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly url: string,
    private readonly schema: string | null,
  ) {
    this.queue = new PostgresDeliveryQueue(pool, (listener) => this.watchWork(listener));
    this.audit = new PostgresAuditLog(pool);
    this.webhooks = new PostgresWebhookRegistry(pool);
    this.accounts = new PostgresAccounts(pool);
    this.deliveryLog = new PostgresDeliveryLog(pool);
    this.retention = new PostgresRetention(pool);
    this.notifications = new PostgresNotifications(pool);
    this.appGrants = new PostgresAppGrants(pool);
    this.jobs = new PostgresRecoverJobs(pool);
  }

  /** `schema` gives this store a schema of its own (tests); otherwise the connection's default is used. */
  static open(url: string, schema: string | null = null): PostgresStore {
    return new PostgresStore(openPool(url, schema), url, schema);
  }

  async migrate() {
    await migrate(this.pool, this.schema);
  }
  async ping() {
    await this.pool.query('SELECT 1');
  }
  async close() {
    await this.pool.end();
  }

  /** LISTEN for other processes' work (the queue's wake-up hint). */
  private async watchWork(listener: () => void): Promise<() => Promise<void>> {
    // A dedicated connection outside the pool: LISTEN lasts as long as the session. When it is lost (the
    // server restarted), polling carries on and the connection is opened again a second later.
    let client: pg.Client | null = null;
    let stopped = false;
    let listening = false; // only a connection that once worked is reopened; a failing first one fails the start
    let retry: NodeJS.Timeout | null = null;
    const open = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: this.url });
      client = c;
      const reopen = () => {
        if (stopped || !listening || client !== c) return;
        client = null;
        retry = setTimeout(() => void open().catch(reopen), RELISTEN_MS);
        retry.unref();
      };
      c.on('error', reopen);
      c.on('end', reopen);
      c.on('notification', () => listener());
      await c.connect();
      await c.query(`LISTEN ${WORK_CHANNEL}`);
      listening = true;
      listener(); // work may have arrived while the connection was down
    };
    await open();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      await (client as pg.Client | null)?.end().catch(() => undefined);
    };
  }

  async signal(tenantId: number, events: EventRecord[], now: number) {
    return transaction(this.pool, (c) => signalEvents(c, tenantId, events, now));
  }

  async signalOnce(
    tenantId: number,
    idempotency: { key: string; appScope: string; bodyHash: string; validSince: number },
    events: EventRecord[],
    now: number,
  ) {
    return transaction(this.pool, async (c) => {
      // The key is claimed first: a concurrent request with the same key waits in this INSERT for our commit.
      const claimed = await c.query(
        'INSERT INTO idempotency_keys (tenant_id, app_scope, key, body_hash, queued, created) VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (tenant_id, app_scope, key) DO NOTHING',
        [tenantId, idempotency.appScope, idempotency.key, idempotency.bodyHash, now],
      );
      if (claimed.rowCount === 0) {
        const { rows } = await c.query<{ body_hash: string; queued: string; created: string }>(
          'SELECT body_hash, queued, created FROM idempotency_keys WHERE tenant_id = $1 AND app_scope = $2 AND key = $3 FOR UPDATE',
          [tenantId, idempotency.appScope, idempotency.key],
        );
        const seen = rows[0]!;
        if (Number(seen.created) >= idempotency.validSince) {
          return seen.body_hash === idempotency.bodyHash ? { queued: Number(seen.queued), replayed: true } : ('conflict' as const);
        }
        await c.query('UPDATE idempotency_keys SET body_hash = $1, created = $2 WHERE tenant_id = $3 AND app_scope = $4 AND key = $5', [
          idempotency.bodyHash,
          now,
          tenantId,
          idempotency.appScope,
          idempotency.key,
        ]);
      }
      const queued = await signalEvents(c, tenantId, events, now);
      await c.query('UPDATE idempotency_keys SET queued = $1 WHERE tenant_id = $2 AND app_scope = $3 AND key = $4', [
        queued,
        tenantId,
        idempotency.appScope,
        idempotency.key,
      ]);
      return { queued, replayed: false };
    });
  }

  async signalGroups(groups: SignalGroup[], now: number) {
    return transaction(this.pool, (c) => signalGroups(c, groups, now));
  }
}
