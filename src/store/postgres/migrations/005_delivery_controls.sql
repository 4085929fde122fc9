-- Delivery controls (hookd's extensions; unset = NetServer's behaviour): a rate limit per webhook, strict
-- ordering, a payload filter, and a secret rotation's overlap (the previous secret, sealed like `secret`, until
-- `previous_secret_until`; `secret_confirmed` once a test ping signed with the new secret succeeded).
ALTER TABLE webhooks ADD COLUMN max_per_second double precision;
ALTER TABLE webhooks ADD COLUMN ordering integer NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN filter text;
ALTER TABLE webhooks ADD COLUMN previous_secret text;
ALTER TABLE webhooks ADD COLUMN previous_secret_until bigint;
ALTER TABLE webhooks ADD COLUMN secret_confirmed integer NOT NULL DEFAULT 0;
