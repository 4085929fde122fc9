-- A delivery whose first attempt succeeded keeps that attempt in its own row instead of a row of `attempts`, as
-- SQLite does since its migration 013 (issue 22): the common case writes one heap row and three index entries less.
-- The delivery log, the Stats API and the webhook list read both forms; null: not folded. Adding nullable columns
-- rewrites nothing; the partial index starts empty.
ALTER TABLE deliveries ADD COLUMN ok_started bigint, ADD COLUMN ok_duration_ms integer, ADD COLUMN ok_status integer;
-- The Stats API and the webhook list read a webhook's attempts by time: these by when they started.
CREATE INDEX deliveries_ok_by_webhook ON deliveries (webhook_id, ok_started) WHERE ok_status IS NOT NULL;
