-- The audit log (issue 25): who changed what, when, from which address. `changes` is JSON of property names and
-- the values of harmless properties only (domain/audit.ts): never a secret. Pruned by the tenant's delivery retention.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id INTEGER NOT NULL,
  actor_name TEXT NOT NULL,
  application TEXT,
  address TEXT NOT NULL,
  action TEXT NOT NULL,
  webhook_id INTEGER,
  changes TEXT NOT NULL
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
