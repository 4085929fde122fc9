/** Recover jobs on PostgreSQL: counting what a recover would copy, and copying it in batches with progress. */
import type { JobRow, RecoverParams } from '../jobs-rows.js';
import { toJob } from '../jobs-rows.js';
import type { Job, RecoverScope } from '../../domain/job.js';
import type { RecoverJobs } from '../jobs.js';
import { type Client, transaction } from './database.js';
import type pg from 'pg';

/**
 * The deliveries a job chooses, after `afterId` and up to `maxId`, as a WHERE clause and its values: delivered
 * by `snapshotAt` (what its count counted), and never a copy (domain/recover.ts: its original stands for it).
 */
function matching(scope: RecoverScope, afterId: number, maxId: number, snapshotAt: number): { sql: string; values: unknown[] } {
  const values: unknown[] = [scope.tenantId, scope.since, scope.until, afterId, maxId, snapshotAt];
  let sql = `FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
    WHERE w.tenant_id = $1 AND d.status = 1 AND d.created >= $2 AND d.created < $3 AND d.id > $4 AND d.id <= $5
      AND d.copy_of IS NULL AND d.finished <= $6`;
  if (scope.webhookIds !== null) {
    values.push(scope.webhookIds);
    sql += ` AND d.webhook_id = ANY($${values.length})`;
  }
  if (scope.events !== null) {
    values.push(scope.events);
    sql += ` AND e.name = ANY($${values.length})`;
  }
  if (scope.status === 'Failed')
    sql += " AND EXISTS (SELECT 1 FROM attempts a WHERE a.delivery_id = d.id AND a.outcome IN ('failure', 'gone'))";
  return { sql, values };
}

async function maxDeliveryId(c: Client): Promise<number> {
  const { rows } = await c.query<{ max: string }>('SELECT coalesce(max(id), 0) AS max FROM deliveries');
  return Number(rows[0]!.max);
}

/** The RecoverJobs port on PostgreSQL. */
export class PostgresRecoverJobs implements RecoverJobs {
  constructor(private readonly pool: pg.Pool) {}

  /** How many deliveries a recover of `scope` asked for at `now` would copy. */
  async countRecoverable(scope: RecoverScope, now: number): Promise<number> {
    const c = this.pool;
    const m = matching(scope, 0, await maxDeliveryId(c), now);
    const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n ${m.sql}`, m.values);
    return Number(rows[0]!.n);
  }

  /**
   * Counts and queues a recover job in one transaction, or 'limit' when the tenant has `maxOpen` jobs queued or
   * running already (the tenant's row is locked, so concurrent requests count one after another). Takes the
   * scope and now; returns the job (Total = what it will copy).
   */
  async createRecoverJob(scope: RecoverScope, now: number, maxOpen: number): Promise<Job | 'limit'> {
    return transaction(this.pool, async (c) => {
      await c.query('SELECT id FROM tenants WHERE id = $1 FOR UPDATE', [scope.tenantId]);
      const { rows: open } = await c.query<{ n: string }>(
        "SELECT count(*) AS n FROM jobs WHERE tenant_id = $1 AND state IN ('Queued', 'Running')",
        [scope.tenantId],
      );
      if (Number(open[0]!.n) >= maxOpen) return 'limit' as const;
      const params: RecoverParams = { scope, maxDeliveryId: await maxDeliveryId(c), snapshotAt: now };
      const m = matching(scope, 0, params.maxDeliveryId, now);
      const { rows: counted } = await c.query<{ n: string }>(`SELECT count(*) AS n ${m.sql}`, m.values);
      const { rows } = await c.query<JobRow>(
        "INSERT INTO jobs (tenant_id, kind, params, state, total, created) VALUES ($1, 'recover', $2, 'Queued', $3, $4) RETURNING *",
        [scope.tenantId, JSON.stringify(params), Number(counted[0]!.n), now],
      );
      return toJob(rows[0]!);
    });
  }

  async getJob(tenantId: number, id: number): Promise<Job | null> {
    const { rows } = await this.pool.query<JobRow>('SELECT * FROM jobs WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
    return rows[0] ? toJob(rows[0]) : null;
  }

  /**
   * The next turn (JobService): among the jobs `owner` may take (nobody holds them, it does, or the lease ran out)
   * that are one of their tenant's `runningPerTenant` oldest open jobs, the one of the tenant whose latest turn
   * (of any of its jobs, finished ones too) is oldest, then its job whose turn is oldest. Takes it for `owner`
   * with the next turn number (two processes may draw the same one: a tie, harmless); takes owner, lease end,
   * now and the limit; returns the job or null.
   */
  async claimJob(owner: string, now: number, leaseMs: number, runningPerTenant: number): Promise<Job | null> {
    const { rows } = await this.pool.query<JobRow>(
      `UPDATE jobs SET state = 'Running', owner = $1, lease_until = $2, turn = (SELECT max(turn) + 1 FROM jobs)
       WHERE id = (
         SELECT j.id FROM jobs j
          WHERE j.state IN ('Queued', 'Running') AND (j.owner IS NULL OR j.owner = $1 OR j.lease_until < $3)
            AND (SELECT count(*) FROM jobs o WHERE o.tenant_id = j.tenant_id AND o.state IN ('Queued', 'Running') AND o.id < j.id) < $4
          ORDER BY (SELECT max(o.turn) FROM jobs o WHERE o.tenant_id = j.tenant_id), j.turn, j.id
          LIMIT 1 FOR UPDATE OF j SKIP LOCKED)
     RETURNING *`,
      [owner, now + leaseMs, now, runningPerTenant],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  async recoverBatch(
    jobId: number,
    owner: string,
    limit: number,
    now: number,
    leaseMs: number,
    newGuid: () => string,
  ): Promise<{ copied: number; finished: boolean } | null> {
    return transaction(this.pool, async (c) => {
      const { rows: jobs } = await c.query<JobRow>("SELECT * FROM jobs WHERE id = $1 AND owner = $2 AND state = 'Running' FOR UPDATE", [
        jobId,
        owner,
      ]);
      const row = jobs[0];
      if (!row) return null;
      const params = JSON.parse(row.params) as RecoverParams;
      const m = matching(params.scope, Number(row.last_id), params.maxDeliveryId, params.snapshotAt ?? Number.MAX_SAFE_INTEGER);
      // The same set its Total counted; the cut to Total only guards a delivery whose record committed after the count.
      const want = Math.max(0, Math.min(limit, Number(row.total) - Number(row.done)));
      const { rows: batch } = await c.query<{ id: string; webhook_id: string; event_id: string }>(
        `SELECT d.id, d.webhook_id, d.event_id ${m.sql} ORDER BY d.id LIMIT $${m.values.length + 1}`,
        [...m.values, want],
      );
      if (batch.length > 0) {
        await c.query(
          `INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created, copy_of)
           SELECT w, e, g, $4, $4, o FROM unnest($1::bigint[], $2::bigint[], $3::text[], $5::bigint[]) AS t(w, e, g, o)`,
          [batch.map((d) => d.webhook_id), batch.map((d) => d.event_id), batch.map(() => newGuid()), now, batch.map((d) => d.id)],
        );
        await c.query('NOTIFY hookd_work');
      }
      const finished = batch.length < want || Number(row.done) + batch.length >= Number(row.total);
      const lastId = finished ? params.maxDeliveryId : Number(batch[batch.length - 1]!.id);
      await c.query(
        `UPDATE jobs SET done = done + $1, last_id = $2, lease_until = $3, state = CASE WHEN $4 THEN 'Done' ELSE state END,
         finished = CASE WHEN $4 THEN $5::bigint ELSE finished END WHERE id = $6`,
        [batch.length, lastId, now + leaseMs, finished, now, jobId],
      );
      return { copied: batch.length, finished };
    });
  }
}
