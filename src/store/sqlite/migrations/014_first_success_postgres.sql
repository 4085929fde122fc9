-- PostgreSQL's migration 014 keeps a delivery's first attempt, when it succeeded, in the delivery's own row, as
-- SQLite's migration 013 did already; SQLite's schema does not change. This number keeps both stores' migrations in step.
SELECT 1;
