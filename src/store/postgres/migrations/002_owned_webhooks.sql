-- The second delivery engine: a webhook is owned by one process at a time under a lease (webhook_leases),
-- renewed for all its webhooks in one statement; rows are no longer leased one by one. `workers` holds each
-- process's heartbeat, from which every process computes its fair share of the busy webhooks.
ALTER TABLE attempts ADD COLUMN stage text;
DROP INDEX deliveries_leased;
UPDATE deliveries SET lease_until = 0, lease_owner = NULL WHERE status = 0 AND lease_until > 0;

CREATE TABLE webhook_leases (
  webhook_id bigint PRIMARY KEY REFERENCES webhooks (id) ON DELETE CASCADE,
  owner text NOT NULL,
  lease_until bigint NOT NULL
);
CREATE INDEX webhook_leases_owner ON webhook_leases (owner);

CREATE TABLE workers (
  owner text PRIMARY KEY,
  seen_at bigint NOT NULL
);
