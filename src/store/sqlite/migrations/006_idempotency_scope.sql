-- Idempotency keys are scoped by tenant and application (issue 20): app_scope is the SHA-256 (hex) of the
-- caller's SO-AppToken, '' without one — never the token itself. The keys of the last HOOKD_IDEMPOTENCY_HOURS
-- are dropped rather than carried over: their body hashes were taken over the raw request and their
-- application is unknown, so a repeat of one across the upgrade stores its events again (once) instead of a 409.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
  tenant_id INTEGER NOT NULL,
  app_scope TEXT NOT NULL,
  key TEXT NOT NULL,
  body_hash TEXT NOT NULL,
  queued INTEGER NOT NULL,
  created INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, app_scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created);
