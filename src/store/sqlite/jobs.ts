/** Recover jobs in SQLite: counting what a recover would copy, and copying it in batches with progress. */
import type { JobRow, RecoverParams } from '../jobs-rows.js';
import { toJob } from '../jobs-rows.js';
import type { Job, RecoverScope } from '../../domain/job.js';
import type { RecoverJobs } from '../jobs.js';
import { type Db, q } from './database.js';

/**
 * The deliveries a job chooses, after `afterId` and up to `maxId`, as a WHERE clause and its values: delivered
 * by `snapshotAt` (what its count counted), and never a copy (domain/recover.ts: its original stands for it).
 */
function matching(scope: RecoverScope, afterId: number, maxId: number, snapshotAt: number): { sql: string; values: unknown[] } {
  // NOT INDEXED keeps SQLite on the rowid range (id > cursor, in id order): a batch reads on from the cursor
  // instead of reading the whole stretch again through another index and sorting it.
  let sql = `FROM deliveries d NOT INDEXED JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
    WHERE w.tenant_id = ? AND d.status = 1 AND d.created >= ? AND d.created < ? AND d.id > ? AND d.id <= ?
      AND d.copy_of IS NULL AND d.finished <= ?`;
  const values: unknown[] = [scope.tenantId, scope.since, scope.until, afterId, maxId, snapshotAt];
  if (scope.webhookIds !== null) {
    sql += ' AND d.webhook_id IN (SELECT value FROM json_each(?))';
    values.push(JSON.stringify(scope.webhookIds));
  }
  if (scope.events !== null) {
    sql += ' AND e.name IN (SELECT value FROM json_each(?))';
    values.push(JSON.stringify(scope.events));
  }
  if (scope.status === 'Failed')
    sql += " AND EXISTS (SELECT 1 FROM attempts a WHERE a.delivery_id = d.id AND a.outcome IN ('failure', 'gone'))";
  return { sql, values };
}

function maxDeliveryId(db: Db): number {
  return (q(db, 'SELECT coalesce(max(id), 0) FROM deliveries').pluck().get() as number) ?? 0;
}

/**
 * The next turn (JobService): among the jobs `owner` may take (nobody holds them, it does, or the lease ran out)
 * that are one of their tenant's `runningPerTenant` oldest open jobs, the one of the tenant whose latest turn
 * (of any of its jobs, finished ones too) is oldest, then its job whose turn is oldest. Takes it for `owner`
 * with the next turn number; takes owner, now, lease and the limit; returns the job or null.
 */
const NEXT_TURN = `
  SELECT j.* FROM jobs j
   WHERE j.state IN ('Queued', 'Running') AND (j.owner IS NULL OR j.owner = ? OR j.lease_until < ?)
     AND (SELECT count(*) FROM jobs o WHERE o.tenant_id = j.tenant_id AND o.state IN ('Queued', 'Running') AND o.id < j.id) < ?
   ORDER BY (SELECT max(o.turn) FROM jobs o WHERE o.tenant_id = j.tenant_id), j.turn, j.id
   LIMIT 1`;

/** The RecoverJobs port on SQLite: each write one immediate transaction. */
export class SqliteRecoverJobs implements RecoverJobs {
  constructor(private readonly db: Db) {}

  /** How many deliveries a recover of `scope` asked for at `now` would copy. */
  async countRecoverable(scope: RecoverScope, now: number): Promise<number> {
    const m = matching(scope, 0, maxDeliveryId(this.db), now);
    return q(this.db, `SELECT count(*) ${m.sql}`)
      .pluck()
      .get(...m.values) as number;
  }

  /**
   * Counts and queues a recover job in one transaction, or 'limit' when the tenant has `maxOpen` jobs queued or
   * running already. Takes the scope and now; returns the job (Total = what it will copy).
   */
  async createRecoverJob(scope: RecoverScope, now: number, maxOpen: number): Promise<Job | 'limit'> {
    return this.db
      .transaction(() => {
        const open = q(this.db, "SELECT count(*) FROM jobs WHERE tenant_id = ? AND state IN ('Queued', 'Running')")
          .pluck()
          .get(scope.tenantId) as number;
        if (open >= maxOpen) return 'limit' as const;
        const params: RecoverParams = { scope, maxDeliveryId: maxDeliveryId(this.db), snapshotAt: now };
        const m = matching(scope, 0, params.maxDeliveryId, now);
        const total = q(this.db, `SELECT count(*) ${m.sql}`)
          .pluck()
          .get(...m.values) as number;
        const id = q(
          this.db,
          "INSERT INTO jobs (tenant_id, kind, params, state, total, created) VALUES (?, 'recover', ?, 'Queued', ?, ?)",
        ).run(scope.tenantId, JSON.stringify(params), total, now).lastInsertRowid;
        return toJob(q(this.db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobRow);
      })
      .immediate();
  }

  async getJob(tenantId: number, id: number): Promise<Job | null> {
    const row = q(this.db, 'SELECT * FROM jobs WHERE id = ? AND tenant_id = ?').get(id, tenantId) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  async claimJob(owner: string, now: number, leaseMs: number, runningPerTenant: number): Promise<Job | null> {
    return this.db
      .transaction(() => {
        const row = q(this.db, NEXT_TURN).get(owner, now, runningPerTenant) as JobRow | undefined;
        if (!row) return null;
        q(
          this.db,
          "UPDATE jobs SET state = 'Running', owner = ?, lease_until = ?, turn = (SELECT max(turn) + 1 FROM jobs) WHERE id = ?",
        ).run(owner, now + leaseMs, row.id);
        return toJob({ ...row, state: 'Running' });
      })
      .immediate();
  }

  async recoverBatch(
    jobId: number,
    owner: string,
    limit: number,
    now: number,
    leaseMs: number,
    newGuid: () => string,
  ): Promise<{ copied: number; finished: boolean } | null> {
    return this.db
      .transaction(() => {
        const row = q(this.db, "SELECT * FROM jobs WHERE id = ? AND owner = ? AND state = 'Running'").get(jobId, owner) as
          JobRow | undefined;
        if (!row) return null;
        const params = JSON.parse(row.params) as RecoverParams;
        const m = matching(params.scope, Number(row.last_id), params.maxDeliveryId, params.snapshotAt ?? Number.MAX_SAFE_INTEGER);
        // The same set its Total counted; the cut to Total only guards a delivery recorded in the very millisecond of the count.
        const want = Math.max(0, Math.min(limit, Number(row.total) - Number(row.done)));
        const batch = q(this.db, `SELECT d.id, d.webhook_id, d.event_id ${m.sql} ORDER BY d.id LIMIT ?`).all(...m.values, want) as Array<{
          id: number;
          webhook_id: number;
          event_id: number;
        }>;
        const insert = q(
          this.db,
          'INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created, copy_of) VALUES (?, ?, ?, ?, ?, ?)',
        );
        for (const d of batch) insert.run(d.webhook_id, d.event_id, newGuid(), now, now, d.id);
        const finished = batch.length < want || Number(row.done) + batch.length >= Number(row.total);
        const lastId = finished ? params.maxDeliveryId : (batch[batch.length - 1] as { id: number }).id;
        q(
          this.db,
          `UPDATE jobs SET done = done + ?, last_id = ?, lease_until = ?, state = CASE WHEN ? THEN 'Done' ELSE state END,
           finished = CASE WHEN ? THEN ? ELSE finished END WHERE id = ?`,
        ).run(batch.length, lastId, now + leaseMs, finished ? 1 : 0, finished ? 1 : 0, now, jobId);
        return { copied: batch.length, finished };
      })
      .immediate();
  }
}
