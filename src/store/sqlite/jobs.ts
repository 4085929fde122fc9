/** Recover jobs in SQLite: counting what a recover would copy, and copying it in batches with progress. */
import type { JobRow, RecoverParams } from '../jobs-rows.js';
import { toJob } from '../jobs-rows.js';
import type { Job, RecoverScope } from '../store.js';
import { type Db, q } from './database.js';

/** The deliveries a scope chooses, after `afterId` and up to `maxId`, as a WHERE clause and its values. */
function matching(scope: RecoverScope, afterId: number, maxId: number): { sql: string; values: unknown[] } {
  // NOT INDEXED keeps SQLite on the rowid range (id > cursor, in id order): a batch reads on from the cursor
  // instead of reading the whole stretch again through another index and sorting it.
  let sql = `FROM deliveries d NOT INDEXED JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.id = d.event_id
    WHERE w.tenant_id = ? AND d.status = 1 AND d.created >= ? AND d.created < ? AND d.id > ? AND d.id <= ?`;
  const values: unknown[] = [scope.tenantId, scope.since, scope.until, afterId, maxId];
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

export function countRecoverable(db: Db, scope: RecoverScope): number {
  const m = matching(scope, 0, maxDeliveryId(db));
  return q(db, `SELECT count(*) ${m.sql}`)
    .pluck()
    .get(...m.values) as number;
}

export function createRecoverJob(db: Db, scope: RecoverScope, total: number, now: number): Job {
  const params: RecoverParams = { scope, maxDeliveryId: maxDeliveryId(db) };
  const id = q(db, "INSERT INTO jobs (tenant_id, kind, params, state, total, created) VALUES (?, 'recover', ?, 'Queued', ?, ?)").run(
    scope.tenantId,
    JSON.stringify(params),
    total,
    now,
  ).lastInsertRowid;
  return toJob(q(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobRow);
}

export function getJob(db: Db, tenantId: number, id: number): Job | null {
  const row = q(db, 'SELECT * FROM jobs WHERE id = ? AND tenant_id = ?').get(id, tenantId) as JobRow | undefined;
  return row ? toJob(row) : null;
}

export function claimJob(db: Db, owner: string, now: number, leaseMs: number): Job | null {
  return db
    .transaction(() => {
      const row = q(
        db,
        "SELECT * FROM jobs WHERE state IN ('Queued', 'Running') AND (owner IS NULL OR owner = ? OR lease_until < ?) ORDER BY id LIMIT 1",
      ).get(owner, now) as JobRow | undefined;
      if (!row) return null;
      q(db, "UPDATE jobs SET state = 'Running', owner = ?, lease_until = ? WHERE id = ?").run(owner, now + leaseMs, row.id);
      return toJob({ ...row, state: 'Running' });
    })
    .immediate();
}

export function recoverBatch(
  db: Db,
  jobId: number,
  owner: string,
  limit: number,
  now: number,
  leaseMs: number,
  newGuid: () => string,
): { copied: number; finished: boolean } | null {
  return db
    .transaction(() => {
      const row = q(db, "SELECT * FROM jobs WHERE id = ? AND owner = ? AND state = 'Running'").get(jobId, owner) as JobRow | undefined;
      if (!row) return null;
      const params = JSON.parse(row.params) as RecoverParams;
      const m = matching(params.scope, Number(row.last_id), params.maxDeliveryId);
      const batch = q(db, `SELECT d.id, d.webhook_id, d.event_id ${m.sql} ORDER BY d.id LIMIT ?`).all(...m.values, limit) as Array<{
        id: number;
        webhook_id: number;
        event_id: number;
      }>;
      const insert = q(db, 'INSERT INTO deliveries (webhook_id, event_id, event_guid, due_at, created) VALUES (?, ?, ?, ?, ?)');
      for (const d of batch) insert.run(d.webhook_id, d.event_id, newGuid(), now, now);
      const finished = batch.length < limit;
      const lastId = finished ? params.maxDeliveryId : (batch[batch.length - 1] as { id: number }).id;
      q(
        db,
        `UPDATE jobs SET done = done + ?, last_id = ?, lease_until = ?, state = CASE WHEN ? THEN 'Done' ELSE state END,
           finished = CASE WHEN ? THEN ? ELSE finished END WHERE id = ?`,
      ).run(batch.length, lastId, now + leaseMs, finished ? 1 : 0, finished ? 1 : 0, now, jobId);
      return { copied: batch.length, finished };
    })
    .immediate();
}
