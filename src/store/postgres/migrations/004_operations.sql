-- Operations: the Stats API reads a webhook's attempts by time (recover walks deliveries by id, needing no index of its own);
-- recover jobs run in the background with progress;
-- retention can be set per tenant.
CREATE INDEX attempts_by_webhook_started ON attempts (webhook_id, started);

CREATE TABLE jobs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id bigint NOT NULL REFERENCES tenants(id),
  kind text NOT NULL,
  params text NOT NULL,
  state text NOT NULL,
  total bigint NOT NULL DEFAULT 0,
  done bigint NOT NULL DEFAULT 0,
  last_id bigint NOT NULL DEFAULT 0,
  owner text,
  lease_until bigint NOT NULL DEFAULT 0,
  created bigint NOT NULL,
  finished bigint,
  error text
);
CREATE INDEX jobs_open ON jobs (state, id) WHERE state IN ('Queued', 'Running');

-- Per-tenant retention overrides (days; NULL: the server's setting).
ALTER TABLE tenants ADD COLUMN delivery_retention_days integer;
ALTER TABLE tenants ADD COLUMN event_retention_days integer;

-- Idempotent ingestion: a key a tenant sent with SignalEvent or the batch route, the hash of that request's
-- body and the answer it got (deliveries queued); kept HOOKD_IDEMPOTENCY_HOURS.
CREATE TABLE idempotency_keys (
  tenant_id bigint NOT NULL,
  key text NOT NULL,
  body_hash text NOT NULL,
  queued bigint NOT NULL,
  created bigint NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
