-- "Online Restricted" (issue 23): the applications an administrator let use the webhook routes when
-- HOOKD_APP_ACCESS=restricted. One row per application, known by the SHA-256 (hex) of its SO-AppToken, never the
-- token itself; for the whole installation, as an app's access is granted when it is registered, not per tenant.
CREATE TABLE app_grants (
  token_hash text PRIMARY KEY,
  name text NOT NULL,
  granted bigint NOT NULL,
  granted_by bigint NOT NULL
);
