-- gofive 0.1 -> 1.0, hand-written part.  The Makefile puts the shared
-- roles and accounts pieces at the marker below, and the functions and
-- views (CREATE OR REPLACE) and the catalog's functions after the end.

\echo Use "ALTER EXTENSION gofive UPDATE TO '1.0'" to load this file. \quit

-- ---- roles and accounts ----

-- ---- functions move to public.gofive_* (triggers and views follow by oid) ----
ALTER FUNCTION gofive.new_request_id() RENAME TO gofive_new_request_id;
ALTER FUNCTION gofive.gofive_new_request_id() SET SCHEMA public;
ALTER FUNCTION gofive.enqueue_trigger() RENAME TO gofive_enqueue_trigger;
ALTER FUNCTION gofive.gofive_enqueue_trigger() SET SCHEMA public;
ALTER FUNCTION gofive.wake() RENAME TO gofive_wake;
ALTER FUNCTION gofive.gofive_wake() SET SCHEMA public;
ALTER FUNCTION gofive.purge() RENAME TO gofive_purge;
ALTER FUNCTION gofive.gofive_purge() SET SCHEMA public;
ALTER FUNCTION gofive.worker_stats() RENAME TO gofive_worker_stats;
ALTER FUNCTION gofive.gofive_worker_stats() SET SCHEMA public;

-- ---- the worker's view gains columns: made again (sql/install/functions.sql) ----
DROP VIEW gofive.worker;
DROP FUNCTION gofive_worker_stats();

-- ---- the outbox: whose request, which account ----
-- Requests queued under 0.1 belong to the table's owner: only gofive_admin
-- (and the superuser) sees and manages them.
ALTER TABLE gofive.outbox ADD COLUMN enqueued_by regrole, ADD COLUMN account text;
UPDATE gofive.outbox SET enqueued_by =
    (SELECT c.relowner FROM pg_catalog.pg_class c
      WHERE c.oid OPERATOR(pg_catalog.=) 'gofive.outbox'::pg_catalog.regclass)::pg_catalog.regrole;
ALTER TABLE gofive.outbox ALTER COLUMN enqueued_by SET NOT NULL;
COMMENT ON COLUMN gofive.outbox.account IS
    'The Venio account (a foreign server of the gofive wrapper, by name) whose base URL and credentials deliver it: gofive.server when it was queued; NULL: the default account (the gofive.* settings)';
COMMENT ON COLUMN gofive.outbox.enqueued_by IS
    'The role that enqueued the request (for a trigger, the role whose statement fired it); it alone, its members and gofive_admin see and manage the row';

-- ---- the outbox: each row's last attempts ----
ALTER TABLE gofive.outbox ADD COLUMN history jsonb NOT NULL DEFAULT '[]'::jsonb;
COMMENT ON COLUMN gofive.outbox.history IS
    'The last 10 attempts, oldest first, kept whatever the outcome: {"at": when it was sent, "outcome": succeeded, failed, retry or dead, "http_status", "error", "messages", "duration_ms"}';

-- the same indexes, their predicates written with qualified operators
DROP INDEX gofive.outbox_pending_idx, gofive.outbox_ordering_idx, gofive.outbox_finished_idx;
CREATE INDEX outbox_pending_idx ON gofive.outbox (id)
    WHERE status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status;
CREATE INDEX outbox_ordering_idx ON gofive.outbox (ordering_key, id)
    WHERE ordering_key IS NOT NULL
      AND status OPERATOR(pg_catalog.=) ANY ('{pending,sending}'::gofive.request_status[]);
CREATE INDEX outbox_finished_idx ON gofive.outbox (finished_at)
    WHERE status OPERATOR(pg_catalog.=) 'succeeded'::gofive.request_status;

ALTER TABLE gofive.outbox ALTER COLUMN next_attempt_at SET DEFAULT pg_catalog.now(),
                          ALTER COLUMN enqueued_at SET DEFAULT pg_catalog.now();
GRANT SELECT, UPDATE, DELETE ON gofive.outbox TO gofive_worker;
GRANT USAGE ON SCHEMA gofive TO gofive_worker;
ALTER TABLE gofive.outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_requests ON gofive.outbox FOR SELECT TO PUBLIC
    USING (pg_catalog.pg_has_role(enqueued_by, 'USAGE'));
CREATE POLICY admin_all ON gofive.outbox FOR SELECT TO gofive_admin
    USING (true);
CREATE POLICY worker_all ON gofive.outbox FOR ALL TO gofive_worker
    USING (true) WITH CHECK (true);

-- ---- the functions and views follow (sql/install/functions.sql) ----
