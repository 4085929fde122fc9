-- hookd's embedded schema: tenants, associates, credentials, the Webhook table with its statistics,
-- its event subscriptions, stored events, the delivery queue, the attempt log and e-mail notifications.

CREATE TABLE tenants (
  id INTEGER PRIMARY KEY,
  identifier TEXT NOT NULL UNIQUE COLLATE NOCASE,
  registered INTEGER NOT NULL
);

CREATE TABLE associates (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  user_name TEXT NOT NULL COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  is_admin INTEGER NOT NULL DEFAULT 0,
  registered INTEGER NOT NULL,
  UNIQUE (tenant_id, user_name)
);

CREATE TABLE credentials (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  associate_id INTEGER NOT NULL REFERENCES associates(id) ON DELETE CASCADE,
  name TEXT,
  created INTEGER NOT NULL,
  expires INTEGER,
  revoked INTEGER
);

-- AUTOINCREMENT: ids are never reused, because webhook{id}.* subscriptions name them.
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id INTEGER NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  events TEXT NOT NULL,
  target_url TEXT NOT NULL,
  type TEXT NOT NULL,
  application_token TEXT,
  headers TEXT,
  properties TEXT,
  secret TEXT,
  state INTEGER NOT NULL,
  errors_email TEXT,
  total_calls INTEGER NOT NULL DEFAULT 0,
  total_errors INTEGER NOT NULL DEFAULT 0,
  consecutive_errors INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  registered INTEGER NOT NULL,
  registered_associate_id INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  updated_associate_id INTEGER NOT NULL,
  updated_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhooks_by_tenant ON webhooks (tenant_id, id);

-- One row per subscribed name (exact, 'entity.*' or '*') so fan-out is an index lookup.
CREATE TABLE webhook_events (
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  tenant_id INTEGER NOT NULL,
  event TEXT NOT NULL,
  PRIMARY KEY (webhook_id, event)
);
CREATE INDEX webhook_events_lookup ON webhook_events (tenant_id, event);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  body_event TEXT NOT NULL,
  entity TEXT,
  primary_key INTEGER NOT NULL,
  timestamp TEXT NOT NULL,
  changes TEXT NOT NULL,
  changed_by INTEGER NOT NULL,
  context_identifier TEXT NOT NULL,
  vals TEXT,
  field_values TEXT,
  created INTEGER NOT NULL
);
CREATE INDEX events_created ON events (created);

-- status 0 = queued, 1 = delivered. A queued row is claimable when due_at <= now and its lease has ended.
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_id INTEGER NOT NULL REFERENCES events(id),
  event_guid TEXT NOT NULL,
  status INTEGER NOT NULL DEFAULT 0,
  cycle_attempt INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL,
  lease_until INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  created INTEGER NOT NULL,
  finished INTEGER
);
CREATE INDEX deliveries_due ON deliveries (webhook_id, due_at, id) WHERE status = 0;
CREATE INDEX deliveries_leased ON deliveries (webhook_id, lease_until) WHERE status = 0 AND lease_until > 0;
CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, id);
CREATE INDEX deliveries_by_event ON deliveries (event_id);
CREATE INDEX deliveries_finished ON deliveries (finished) WHERE status = 1;

CREATE TABLE attempts (
  id INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
  webhook_id INTEGER NOT NULL,
  event_guid TEXT NOT NULL,
  retry INTEGER NOT NULL,
  started INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  status_code INTEGER,
  outcome TEXT NOT NULL,
  error TEXT
);
CREATE INDEX attempts_by_delivery ON attempts (delivery_id);

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  tenant_id INTEGER NOT NULL,
  webhook_id INTEGER NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created INTEGER NOT NULL,
  sent INTEGER
);
