-- The webhook list's figures (issue 24), read for every listed webhook in one query: failed attempts by webhook
-- and start ("Failures (24 h)") and the newest throttled attempt (a Retry-After pause). Partial indexes: only
-- failed and throttled attempts get an entry, so a successful attempt (the common write) costs nothing more,
-- and each figure reads its own small index.
CREATE INDEX attempts_failed_by_webhook ON attempts (webhook_id, started) WHERE outcome IN ('failure', 'gone');
CREATE INDEX attempts_throttled_by_webhook ON attempts (webhook_id, started) WHERE outcome = 'throttled';
