/** Recover jobs on PostgreSQL: counting what a recover would copy, and copying it in batches with progress. */
import type { JobRow, RecoverParams } from '../jobs-rows.js';
import { toJob } from '../jobs-rows.js';
import type { Job, RecoverScope } from '../store.js';
import { type Client, transaction } from './pool.js';
import type pg from 'pg';

/** The deliveries a scope chooses, after `afterId` and up to `maxId`, as a WHERE clause and its values. */
function matching(scope: RecoverScope, afterId: number, maxId: number): { sql: string; values: unknown[] } {
  const values: unknown[] = [scope.tenantId, scope.since, scope.until, afterId, maxId];
  let sql = `FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
    WHERE w.tenant_id = $1 AND d.status = 1 AND d.created >= $2 AND d.created < $3 AND d.id > $4 AND d.id <= $5`;
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

export async function countRecoverable(c: Client, scope: RecoverScope): Promise<number> {
  const m = matching(scope, 0, await maxDeliveryId(c));
  const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n ${m.sql}`, m.values);
  return Number(rows[0]!.n);
}

export async function createRecoverJob(c: Client, scope: RecoverScope, total: number, now: number): Promise<Job> {
  const params: RecoverParams = { scope, maxDeliveryId: await maxDeliveryId(c) };
  const { rows } = await c.query<JobRow>(
    "INSERT INTO jobs (tenant_id, kind, params, state, total, created) VALUES ($1, 'recover', $2, 'Queued', $3, $4) RETURNING *",
    [scope.tenantId, JSON.stringify(params), total, now],
  );
  return toJob(rows[0]!);
}

export async function getJob(c: Client, tenantId: number, id: number): Promise<Job | null> {
  const { rows } = await c.query<JobRow>('SELECT * FROM jobs WHERE id = $1 AND tenant_id = $2', [id, tenantId]);
  return rows[0] ? toJob(rows[0]) : null;
}

export async function claimJob(c: Client, owner: string, now: number, leaseMs: number): Promise<Job | null> {
  const { rows } = await c.query<JobRow>(
    `UPDATE jobs SET state = 'Running', owner = $1, lease_until = $2
       WHERE id = (SELECT id FROM jobs WHERE state IN ('Queued', 'Running') AND (owner IS NULL OR owner = $1 OR lease_until < $3)
                   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [owner, now + leaseMs, now],
  );
  return rows[0] ? toJob(rows[0]) : null;
}

export async function recoverBatch(
  pool: pg.Pool,
  jobId: number,
  owner: string,
  limit: number,
  now: number,
  leaseMs: number,
  newGuid: () => string,
): Promise<{ copied: number; finished: boolean } | null> {
  return transaction(pool, async (c) => {
    const { rows: jobs } = await c.query<JobRow>("SELECT * FROM jobs WHERE id = $1 AND owner = $2 AND state = 'Running' FOR UPDATE", [
      jobId,
      owner,
    ]);
    const row = jobs[0];
    if (!row) return null;
    const params = JSON.parse(row.params) as RecoverParams;
    const m = matching(params.scope, Number(row.last_id), params.maxDeliveryId);
    const { rows: batch } = await c.query<{ id: string; webhook_id: string; event_id: string }>(
      `SELECT d.id, d.webhook_id, d.event_id ${m.sql} ORDER BY d.id LIMIT $${m.values.length + 1}`,
      [...m.values, limit],
    );
    if (batch.length > 0) {
      await c.query(
        `INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created)
           SELECT w, e, g, $4, $4 FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS t(w, e, g)`,
        [batch.map((d) => d.webhook_id), batch.map((d) => d.event_id), batch.map(() => newGuid()), now],
      );
      await c.query('NOTIFY hookd_work');
    }
    const finished = batch.length < limit;
    const lastId = finished ? params.maxDeliveryId : Number(batch[batch.length - 1]!.id);
    await c.query(
      `UPDATE jobs SET done = done + $1, last_id = $2, lease_until = $3, state = CASE WHEN $4 THEN 'Done' ELSE state END,
         finished = CASE WHEN $4 THEN $5::bigint ELSE finished END WHERE id = $6`,
      [batch.length, lastId, now + leaseMs, finished, now, jobId],
    );
    return { copied: batch.length, finished };
  });
}
