
-- ---------------------------------------------------------------------
-- The transactional outbox.
--
-- gofive_enqueue() validates a request and inserts it here, in the
-- caller's transaction; the background worker (shared_preload_libraries)
-- is woken when that transaction commits, delivers the row, and records
-- the outcome on it.  The table is logged, so a committed row survives a
-- crash; rows are never granted to PUBLIC (they carry customer data).
-- ---------------------------------------------------------------------

CREATE SCHEMA gofive;
GRANT USAGE ON SCHEMA gofive TO gofive_user;

CREATE TYPE gofive.request_status AS ENUM
    ('pending', 'sending', 'succeeded', 'failed', 'dead', 'held', 'in_doubt', 'cancelled');
COMMENT ON TYPE gofive.request_status IS
    'pending: waiting (or waiting to retry); sending: on its way (marked before it is sent when sending it twice would do harm); succeeded; failed: the API rejected it (not retried); dead: retries exhausted; held: queued in another database or cluster (a copy), sent once gofive_admin releases it; in_doubt: was on its way when the worker stopped and may not be sent twice, sent once gofive_admin releases it; cancelled: never to be sent';

CREATE FUNCTION gofive_origin()
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_origin'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION gofive_origin() IS
    'Where a request is queued: a number made of this cluster''s system identifier and this database''s oid (a copy of the database has another)';
REVOKE ALL ON FUNCTION gofive_origin() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_origin() TO gofive_user;

CREATE FUNCTION gofive_new_request_id()
RETURNS uuid
AS 'MODULE_PATHNAME', 'gofive_new_request_id'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_new_request_id() IS 'A random UUID for a queued request''s X-Request-Id';

CREATE TABLE gofive.outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operation       text NOT NULL,          -- catalog name, or 'request'
    method          text NOT NULL,
    path            text NOT NULL,          -- relative to gofive.base_url
    body            jsonb,
    ordering_key    text,
    request_id      uuid NOT NULL DEFAULT gofive_new_request_id(),  -- X-Request-Id, the same on every attempt
    status          gofive.request_status NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    enqueued_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_attempt_at timestamptz,
    finished_at     timestamptz,
    http_status     integer,
    business_code   integer,
    messages        text,                   -- the API's messages
    response        jsonb,                  -- the envelope's data
    last_error      text,                   -- transport error, or why it failed
    duration_ms     double precision,       -- of the last attempt
    enqueued_by     regrole NOT NULL,       -- whose request it is (set by gofive)
    account         text,                   -- the account (foreign server) it goes with; NULL: the default
    history         jsonb NOT NULL DEFAULT '[]'::jsonb, -- the last 10 attempts, oldest first
    origin          bigint NOT NULL DEFAULT gofive_origin()  -- where it was queued
) WITH (fillfactor = 30);
COMMENT ON TABLE gofive.outbox IS 'Requests to the Venio API, delivered after commit by the gofive worker';
COMMENT ON COLUMN gofive.outbox.account IS
    'The Venio account (a foreign server of the gofive wrapper, by name) whose base URL and credentials deliver it: gofive.server when it was queued; NULL: the default account (the gofive.* settings)';
COMMENT ON COLUMN gofive.outbox.history IS
    'The last 10 attempts, oldest first, kept whatever the outcome: {"at": when it was sent, "outcome": succeeded, failed, retry or dead, "http_status", "error", "messages", "duration_ms"}, without the keys whose value would be null';
COMMENT ON COLUMN gofive.outbox.origin IS
    'Where the request was queued (gofive_origin() there): a request whose origin is not this database''s came with a copy of another database, and is held';
COMMENT ON COLUMN gofive.outbox.enqueued_by IS
    'The role that enqueued the request (for a trigger, the role whose statement fired it); it alone, its members and gofive_admin see and manage the row';

-- Indexes.  None depends on status, attempts or the outcome's columns, so
-- the updates the worker makes while a request is undelivered (a mark
-- before sending, a retry's outcome) can be HOT; only a request's final
-- outcome (finished_at) and a change of next_attempt_at move it in an
-- index.  A lane is an account and an enqueuing role (worker_schedule.c).
--
-- The fillfactor leaves room on a row's page for its final version (the
-- answer's data and the history make it two or three times the queued
-- row), so that the final update stays on the page: its WAL record then
-- carries only the changed columns, and no lock record.
--
-- what the worker claims: undelivered rows of a lane, by when they are due;
-- a row held back by an earlier row of its ordering key, a held row and
-- one in doubt wait at 'infinity'
CREATE INDEX outbox_due_idx ON gofive.outbox
    (COALESCE(account, ''::pg_catalog.text), enqueued_by, next_attempt_at, id)
    WHERE finished_at IS NULL;
-- an ordering key's group within a lane: its head, the row after one
CREATE INDEX outbox_group_idx ON gofive.outbox
    (COALESCE(account, ''::pg_catalog.text), enqueued_by, ordering_key, id)
    WHERE ordering_key IS NOT NULL AND finished_at IS NULL;
-- the retention purge: rows finish in about the order they were queued,
-- so a range of pages summarizes well; unlike a btree, a row's final
-- outcome adds no entry (and no WAL) while its pages are not summarized yet
CREATE INDEX outbox_finished_idx ON gofive.outbox USING brin (finished_at)
    WHERE finished_at IS NOT NULL;

-- Nobody writes the table directly: the gofive functions insert, retry and
-- purge as its owner, limited to the caller's own rows (privilege.c); the
-- worker, as gofive_worker.  Reading is limited by row-level security: a
-- role sees the rows of the roles whose privileges it has (its own, as a
-- rule), gofive_admin sees all.
REVOKE ALL ON gofive.outbox FROM PUBLIC;
GRANT SELECT ON gofive.outbox TO gofive_user;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON gofive.outbox TO gofive_worker;
GRANT USAGE ON SCHEMA gofive TO gofive_worker;
ALTER TABLE gofive.outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_requests ON gofive.outbox FOR SELECT TO PUBLIC
    USING (pg_catalog.pg_has_role(enqueued_by, 'USAGE'));
CREATE POLICY admin_all ON gofive.outbox FOR SELECT TO gofive_admin
    USING (true);
CREATE POLICY worker_all ON gofive.outbox FOR ALL TO gofive_worker
    USING (true) WITH CHECK (true);
