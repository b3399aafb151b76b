-- gofive 1.0 -> 1.1, hand-written part.  The Makefile appends the functions
-- and views (sql/install/functions.sql, CREATE OR REPLACE) and the
-- catalog's functions.  Each section says which change it belongs to.

\echo Use "ALTER EXTENSION gofive UPDATE TO '1.1'" to load this file. \quit

-- ---- issue 16: the delivery scheduler ----

-- requests held (a copy's), in doubt (on their way at a stop), cancelled;
-- not used in this script: an enum value is usable once its transaction commits
ALTER TYPE gofive.request_status ADD VALUE 'held';
ALTER TYPE gofive.request_status ADD VALUE 'in_doubt';
ALTER TYPE gofive.request_status ADD VALUE 'cancelled';
COMMENT ON TYPE gofive.request_status IS
    'pending: waiting (or waiting to retry); sending: on its way (marked before it is sent when sending it twice would do harm); succeeded; failed: the API rejected it (not retried); dead: retries exhausted; held: queued in another database or cluster (a copy), sent once gofive_admin releases it; in_doubt: was on its way when the worker stopped and may not be sent twice, sent once gofive_admin releases it; cancelled: never to be sent';

-- where each request was queued; those already queued were queued here
CREATE FUNCTION gofive_origin()
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_origin'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION gofive_origin() IS
    'Where a request is queued: a number made of this cluster''s system identifier and this database''s oid (a copy of the database has another)';
REVOKE ALL ON FUNCTION gofive_origin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_origin() TO gofive_user;
ALTER TABLE gofive.outbox ADD COLUMN origin bigint NOT NULL DEFAULT gofive_origin();
COMMENT ON COLUMN gofive.outbox.origin IS
    'Where the request was queued (gofive_origin() there): a request whose origin is not this database''s came with a copy of another database, and is held';

-- a history entry leaves out the keys that would be null (worker_db.c)
COMMENT ON COLUMN gofive.outbox.history IS
    'The last 10 attempts, oldest first, kept whatever the outcome: {"at": when it was sent, "outcome": succeeded, failed, retry or dead, "http_status", "error", "messages", "duration_ms"}, without the keys whose value would be null';

-- room on each page for a row's updates (HOT) and its final version, and
-- indexes that no status change moves (sql/install/outbox.sql)
ALTER TABLE gofive.outbox SET (fillfactor = 30);
DROP INDEX gofive.outbox_pending_idx, gofive.outbox_ordering_idx, gofive.outbox_finished_idx;
CREATE INDEX outbox_due_idx ON gofive.outbox
    (COALESCE(account, ''::pg_catalog.text), enqueued_by, next_attempt_at, id)
    WHERE finished_at IS NULL;
CREATE INDEX outbox_group_idx ON gofive.outbox
    (COALESCE(account, ''::pg_catalog.text), enqueued_by, ordering_key, id)
    WHERE ordering_key IS NOT NULL AND finished_at IS NULL;
CREATE INDEX outbox_finished_idx ON gofive.outbox USING brin (finished_at)
    WHERE finished_at IS NOT NULL;

-- an ordering key now orders the requests of one account and one role; a
-- request held back by an earlier one of its group waits at 'infinity'
-- until the worker lets it go
UPDATE gofive.outbox o SET next_attempt_at = 'infinity'
 WHERE o.ordering_key IS NOT NULL AND o.finished_at IS NULL
   AND EXISTS (SELECT FROM gofive.outbox p
                WHERE COALESCE(p.account, ''::pg_catalog.text) OPERATOR(pg_catalog.=)
                      COALESCE(o.account, ''::pg_catalog.text)
                  AND p.enqueued_by OPERATOR(pg_catalog.=) o.enqueued_by
                  AND p.ordering_key OPERATOR(pg_catalog.=) o.ordering_key
                  AND p.id OPERATOR(pg_catalog.<) o.id AND p.finished_at IS NULL);

-- the worker compacts the emptied table (TRUNCATE, and the few rows kept put back)
GRANT INSERT, TRUNCATE ON gofive.outbox TO gofive_worker;

-- ---- issue 17: one conversion to the documented forms ----
-- gofive_enqueue_trigger's new arguments (options: on_invalid,
-- timestamp_zone) are read by the library, and its comment, in
-- sql/install/functions.sql, is replaced by the part the Makefile appends.
-- gofive.unknown_fields is a setting of the library.
--
-- A cheaper trigger: the requests of a statement's 100 or more rows go into
-- gofive.intake as one row, which the worker moves into the outbox:
-- sql/install/intake.sql, which the Makefile appends to this part, creates
-- it and says why and how.
