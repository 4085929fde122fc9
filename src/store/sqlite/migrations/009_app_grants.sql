-- "Online Restricted" (issue 23): the applications an administrator let use the webhook routes when
-- HOOKD_APP_ACCESS=restricted. One row per application, known by the SHA-256 (hex) of its SO-AppToken, never the
-- token itself; for the whole installation, as an app's access is granted when it is registered, not per tenant.
CREATE TABLE app_grants (
  token_hash TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  granted INTEGER NOT NULL,
  granted_by INTEGER NOT NULL
);
