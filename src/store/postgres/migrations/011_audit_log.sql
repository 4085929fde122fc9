-- The audit log (issue 25): who changed what, when, from which address. `changes` is JSON of property names and
-- the values of harmless properties only (domain/audit.ts): never a secret. Pruned by the tenant's delivery retention.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  tenant_id integer NOT NULL,
  at bigint NOT NULL,
  actor_kind text NOT NULL,
  actor_id integer NOT NULL,
  actor_name text NOT NULL,
  application text,
  address text NOT NULL,
  action text NOT NULL,
  webhook_id integer,
  changes text NOT NULL
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);
