/**
 * The scale-out store: any number of hookd processes share one PostgreSQL database and split the work. Composes
 * the ports, one class per file of this folder (the same files as sqlite/), on one pool; LISTENs for other
 * processes' work on a connection of its own.
 */
import { PostgresEventIntake } from './intake.js';
import { PostgresWebhookRegistry } from './webhooks.js';
import { PostgresAccounts } from './accounts.js';
import { PostgresDeliveryLog } from './delivery-log.js';
import { PostgresRetention } from './retention.js';
import { PostgresNotifications } from './notifications.js';
import { PostgresAppGrants } from './app-grants.js';
import { PostgresRecoverJobs } from './jobs.js';
import pg from 'pg';
import type { Store } from '../store.js';
import { migrate, openPool } from './database.js';
import { PostgresDeliveryQueue } from './queue.js';
import { PostgresAuditLog } from './audit-log.js';
import { WORK_CHANNEL } from './signal.js';

/** How long to wait before opening the LISTEN connection again after it was lost. */
const RELISTEN_MS = 1_000;

export class PostgresStore implements Store {
  readonly queue: PostgresDeliveryQueue;
  readonly audit: PostgresAuditLog;
  readonly intake: PostgresEventIntake;
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
    this.intake = new PostgresEventIntake(pool);
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
}
