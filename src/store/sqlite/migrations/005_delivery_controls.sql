-- Delivery controls (hookd's extensions; unset = NetServer's behaviour): a rate limit per webhook, strict
-- ordering, a payload filter, and a secret rotation's overlap (the previous secret, sealed like `secret`, until
-- `previous_secret_until`; `secret_confirmed` once a test ping signed with the new secret succeeded).
ALTER TABLE webhooks ADD COLUMN max_per_second REAL;
ALTER TABLE webhooks ADD COLUMN ordering INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN filter TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT;
ALTER TABLE webhooks ADD COLUMN previous_secret_until INTEGER;
ALTER TABLE webhooks ADD COLUMN secret_confirmed INTEGER NOT NULL DEFAULT 0;
