-- Receiver authentication (issue 25; hookd's extensions, unset = NetServer's behaviour): a client certificate for
-- mutual TLS (the key sealed like `secret`), a private CA bundle to trust the receiver's certificate by, OAuth2
-- client credentials (the settings as JSON, the client secret sealed in its own column) and basic auth (the
-- password sealed).
ALTER TABLE webhooks ADD COLUMN client_certificate TEXT;
ALTER TABLE webhooks ADD COLUMN client_key TEXT;
ALTER TABLE webhooks ADD COLUMN ca_certificates TEXT;
ALTER TABLE webhooks ADD COLUMN oauth2 TEXT;
ALTER TABLE webhooks ADD COLUMN oauth2_secret TEXT;
ALTER TABLE webhooks ADD COLUMN basic_user TEXT;
ALTER TABLE webhooks ADD COLUMN basic_password TEXT;
