-- Recover sends each delivery of a stretch once (issue 20): a copy made by a recover job or by the one-delivery
-- retry names the original delivery it repeats (the first one of that event to that webhook), so a later
-- recover chooses the original and never its copies. NULL: the delivery a signal made. No foreign key: a copy
-- stays a copy after retention prunes its original.
ALTER TABLE deliveries ADD COLUMN copy_of INTEGER;

-- Fair turns for recover jobs (issue 20): every batch a job runs takes the next turn number, and the runner
-- gives the next batch to the tenant whose latest turn is oldest. A counter, not the clock: two turns in one
-- millisecond stay ordered.
ALTER TABLE jobs ADD COLUMN turn INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_tenant_turn ON jobs (tenant_id, turn);
