/** The audit log in PostgreSQL. */
import type pg from 'pg';
import type { AuditEntry, AuditFilter } from '../../domain/audit.js';
import { AUDIT_COLUMNS, auditParams, auditWhere, type AuditLog, type AuditRow, toAuditRecord } from '../audit-log.js';

export class PostgresAuditLog implements AuditLog {
  constructor(private readonly pool: pg.Pool) {}

  async append(e: AuditEntry): Promise<void> {
    await this.pool.query(`INSERT INTO audit_log ${AUDIT_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, auditParams(e));
  }

  /** Takes a tenant and a filter; returns the matching count and one page, newest first. */
  async list(tenantId: number, f: AuditFilter) {
    const { where, params } = auditWhere(tenantId, f, (n) => `$${n}`);
    const count = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE ${where}`, params);
    const { rows } = await this.pool.query<AuditRow>(
      `SELECT * FROM audit_log WHERE ${where} ORDER BY at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.top, f.skip],
    );
    return { total: Number(count.rows[0]?.n ?? 0), items: rows.map(toAuditRecord) };
  }

  async prune(tenantId: number, before: number, limit: number): Promise<number> {
    const { rowCount } = await this.pool.query(
      'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE tenant_id = $1 AND at < $2 LIMIT $3)',
      [tenantId, before, limit],
    );
    return rowCount ?? 0;
  }
}
