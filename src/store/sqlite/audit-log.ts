/** The audit log in SQLite. */
import type { AuditEntry, AuditFilter } from '../../domain/audit.js';
import { AUDIT_COLUMNS, auditParams, auditWhere, type AuditLog, type AuditRow, toAuditRecord } from '../audit-log.js';
import { type Db, q } from './database.js';

export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: Db) {}

  async append(e: AuditEntry): Promise<void> {
    q(this.db, `INSERT INTO audit_log ${AUDIT_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(...auditParams(e));
  }

  /** Takes a tenant and a filter; returns the matching count and one page, newest first. */
  async list(tenantId: number, f: AuditFilter) {
    const { where, params } = auditWhere(tenantId, f, () => '?');
    const total = q(this.db, `SELECT count(*) FROM audit_log WHERE ${where}`)
      .pluck()
      .get(...params) as number;
    const rows = q(this.db, `SELECT * FROM audit_log WHERE ${where} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`).all(
      ...params,
      f.top,
      f.skip,
    ) as AuditRow[];
    return { total, items: rows.map(toAuditRecord) };
  }

  async prune(tenantId: number, before: number, limit: number): Promise<number> {
    return q(this.db, 'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE tenant_id = ? AND at < ? LIMIT ?)').run(
      tenantId,
      before,
      limit,
    ).changes;
  }
}
