/** The audit log's port (issue 25): append a record, read a tenant's records filtered, prune old ones. */
import type { AuditEntry, AuditFilter, AuditRecord } from '../domain/audit.js';

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** A tenant's records, newest first, and how many match in all. */
  list(tenantId: number, filter: AuditFilter): Promise<{ total: number; items: AuditRecord[] }>;
  /** Deletes a tenant's records older than `before`; returns how many. */
  prune(tenantId: number, before: number, limit: number): Promise<number>;
}

export interface AuditRow {
  id: number | string;
  tenant_id: number;
  at: number | string;
  actor_kind: string;
  actor_id: number;
  actor_name: string;
  application: string | null;
  address: string;
  action: string;
  webhook_id: number | null;
  changes: string;
}

export function toAuditRecord(r: AuditRow): AuditRecord {
  return {
    id: Number(r.id),
    tenantId: r.tenant_id,
    at: Number(r.at),
    actorKind: r.actor_kind as AuditRecord['actorKind'],
    actorId: r.actor_id,
    actorName: r.actor_name,
    application: r.application,
    address: r.address,
    action: r.action,
    webhookId: r.webhook_id,
    changes: JSON.parse(r.changes) as Record<string, unknown>,
  };
}

/** The insert's columns and its values in that order (both dialects). */
export const AUDIT_COLUMNS = '(tenant_id, at, actor_kind, actor_id, actor_name, application, address, action, webhook_id, changes)';
export function auditParams(e: AuditEntry): unknown[] {
  return [
    e.tenantId,
    e.at,
    e.actorKind,
    e.actorId,
    e.actorName,
    e.application,
    e.address,
    e.action,
    e.webhookId,
    JSON.stringify(e.changes),
  ];
}

/** The WHERE clause of a filter and its parameters; `p(n)` writes the n-th placeholder (from 1). */
export function auditWhere(tenantId: number, f: AuditFilter, p: (n: number) => string): { where: string; params: unknown[] } {
  const clauses = [`tenant_id = ${p(1)}`];
  const params: unknown[] = [tenantId];
  const add = (sql: (ph: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(p(params.length)));
  };
  if (f.from !== null) add((ph) => `at >= ${ph}`, f.from);
  if (f.to !== null) add((ph) => `at < ${ph}`, f.to);
  if (f.actor !== null) {
    // Twice, for SQLite's positional placeholders.
    params.push(f.actor, f.actor);
    clauses.push(`(actor_name = ${p(params.length - 1)} OR application = ${p(params.length)})`);
  }
  if (f.webhookId !== null) add((ph) => `webhook_id = ${ph}`, f.webhookId);
  if (f.application) add((ph) => `application = ${ph}`, f.application);
  return { where: clauses.join(' AND '), params };
}
