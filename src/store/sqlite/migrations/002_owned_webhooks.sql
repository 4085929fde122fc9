-- The second delivery engine: a webhook is owned by one worker, which holds its queued deliveries in
-- memory; rows are no longer leased one by one. Attempts record the stage a failure happened at.
ALTER TABLE attempts ADD COLUMN stage TEXT;
DROP INDEX deliveries_leased;
UPDATE deliveries SET lease_until = 0, lease_owner = NULL WHERE status = 0 AND lease_until > 0;
