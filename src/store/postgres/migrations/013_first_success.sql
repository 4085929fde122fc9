-- SQLite's migration 013 keeps a delivery's first attempt, when it succeeded, in the delivery's own row (issue 22: a
-- row and two index entries less on the embedded store's hot path). PostgreSQL still writes an attempt row for every
-- attempt, so its schema does not change; this number keeps both stores' migrations in step.
SELECT 1;
