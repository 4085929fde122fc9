-- Operations: the Stats API reads a webhook's attempts by time (recover walks deliveries by id, needing no index of its own);
-- recover jobs run in the background with progress;
-- retention can be set per tenant.
CREATE INDEX attempts_by_webhook_started ON attempts (webhook_id, started);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id),
  kind TEXT NOT NULL,
  params TEXT NOT NULL,
  state TEXT NOT NULL,
  total INTEGER NOT NULL DEFAULT 0,
  done INTEGER NOT NULL DEFAULT 0,
  last_id INTEGER NOT NULL DEFAULT 0,
  owner TEXT,
  lease_until INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  finished INTEGER,
  error TEXT
);
CREATE INDEX jobs_open ON jobs (state, id) WHERE state IN ('Queued', 'Running');

-- Per-tenant retention overrides (days; NULL: the server's setting).
ALTER TABLE tenants ADD COLUMN delivery_retention_days INTEGER;
ALTER TABLE tenants ADD COLUMN event_retention_days INTEGER;

-- Idempotent ingestion: a key a tenant sent with SignalEvent or the batch route, the hash of that request's
-- body and the answer it got (deliveries queued); kept HOOKD_IDEMPOTENCY_HOURS.
CREATE TABLE idempotency_keys (
  tenant_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  queued INTEGER NOT NULL,
  created INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
