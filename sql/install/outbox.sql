
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
    ('pending', 'sending', 'succeeded', 'failed', 'dead');
COMMENT ON TYPE gofive.request_status IS
    'pending: waiting (or waiting to retry); sending: claimed by the worker; succeeded; failed: the API rejected it (not retried); dead: retries exhausted';

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
    enqueued_by     regrole NOT NULL,       -- whose request it is (set by gofive)
    account         text,                   -- the account (foreign server) it goes with; NULL: the default
    last_attempt_at timestamptz,
    finished_at     timestamptz,
    http_status     integer,
    business_code   integer,
    messages        text,                   -- the API's messages
    response        jsonb,                  -- the envelope's data
    last_error      text,                   -- transport error, or why it failed
    duration_ms     double precision        -- of the last attempt
);
COMMENT ON TABLE gofive.outbox IS 'Requests to the Venio API, delivered after commit by the gofive worker';
COMMENT ON COLUMN gofive.outbox.account IS
    'The Venio account (a foreign server of the gofive wrapper, by name) whose base URL and credentials deliver it: gofive.server when it was queued; NULL: the default account (the gofive.* settings)';
COMMENT ON COLUMN gofive.outbox.enqueued_by IS
    'The role that enqueued the request (for a trigger, the role whose statement fired it); it alone, its members and gofive_admin see and manage the row';

-- what the worker claims: pending rows, oldest first
CREATE INDEX outbox_pending_idx ON gofive.outbox (id)
    WHERE status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status;
-- the earlier rows of an ordering key that hold later ones back
CREATE INDEX outbox_ordering_idx ON gofive.outbox (ordering_key, id)
    WHERE ordering_key IS NOT NULL
      AND status OPERATOR(pg_catalog.=) ANY ('{pending,sending}'::gofive.request_status[]);
-- the retention purge
CREATE INDEX outbox_finished_idx ON gofive.outbox (finished_at)
    WHERE status OPERATOR(pg_catalog.=) 'succeeded'::gofive.request_status;

-- Nobody writes the table directly: the gofive functions insert, retry and
-- purge as its owner, limited to the caller's own rows (privilege.c); the
-- worker, as gofive_worker.  Reading is limited by row-level security: a
-- role sees the rows of the roles whose privileges it has (its own, as a
-- rule), gofive_admin sees all.
REVOKE ALL ON gofive.outbox FROM PUBLIC;
GRANT SELECT ON gofive.outbox TO gofive_user;
GRANT SELECT, UPDATE, DELETE ON gofive.outbox TO gofive_worker;
ALTER TABLE gofive.outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_requests ON gofive.outbox FOR SELECT TO PUBLIC
    USING (pg_catalog.pg_has_role(enqueued_by, 'USAGE'));
CREATE POLICY admin_all ON gofive.outbox FOR SELECT TO gofive_admin
    USING (true);
CREATE POLICY worker_all ON gofive.outbox FOR ALL TO gofive_worker
    USING (true) WITH CHECK (true);

-- ---- enqueueing ----
--
-- None of these is SECURITY DEFINER: they validate and convert with the
-- caller's rights, then insert as the outbox's owner (src/privilege.c).

CREATE FUNCTION gofive_enqueue(operation text, payload jsonb, ordering_key text DEFAULT NULL,
                               params jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) IS
    'Validate a request for a catalog operation and queue it in this transaction; params holds path and query arguments by name; returns the outbox id';

CREATE FUNCTION gofive_enqueue_request(method text, path text, body jsonb DEFAULT NULL,
                                       ordering_key text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue_request'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) IS
    'Queue a request for any path (the generic form of gofive_enqueue); returns the outbox id';

CREATE FUNCTION gofive_enqueue_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'gofive_enqueue_trigger'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue_trigger() IS
    'Trigger: enqueue one request per row; arguments: operation, mapping (jsonb text), [ordering key column]';

CREATE FUNCTION gofive_wake()
RETURNS void
AS 'MODULE_PATHNAME', 'gofive_wake'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_wake() IS 'Wake the worker when the current transaction commits';

-- ---- retrying by hand, cleaning up: the caller's own requests ----

CREATE FUNCTION gofive_retry(id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'gofive_retry'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_retry(bigint) IS
    'Queue a failed or dead request of yours again; false if there is no such request';

CREATE FUNCTION gofive_retry_all(status gofive.request_status DEFAULT 'dead',
                                 operation text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_retry_all'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_retry_all(gofive.request_status, text) IS
    'Queue every failed or dead request of yours (of one operation, if given) again; returns how many';

CREATE FUNCTION gofive_purge()
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_purge'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_purge() IS
    'Delete your succeeded requests older than gofive.retention now (the worker deletes everybody''s every minute); returns how many';

-- ---- observing ----

-- Counts over every request; the last error only from requests the reader
-- may see (the view reads the table with its owner's rights, the
-- expressions are evaluated as the reader).
CREATE VIEW gofive.queue AS
SELECT o.operation,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status)   AS pending,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'sending'::gofive.request_status)   AS sending,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'succeeded'::gofive.request_status) AS succeeded,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'failed'::gofive.request_status)    AS failed,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'dead'::gofive.request_status)      AS dead,
       pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.min(o.enqueued_at)
           FILTER (WHERE o.status OPERATOR(pg_catalog.=) ANY ('{pending,sending}'::gofive.request_status[]))
           AS oldest_pending_age,
       (pg_catalog.array_agg(coalesce(o.messages, o.last_error) ORDER BY o.finished_at DESC)
            FILTER (WHERE o.status OPERATOR(pg_catalog.=) ANY ('{failed,dead}'::gofive.request_status[])
                      AND (pg_catalog.pg_has_role(o.enqueued_by, 'USAGE')
                           OR pg_catalog.pg_has_role('gofive_admin', 'USAGE'))))[1] AS last_error
FROM gofive.outbox o
GROUP BY o.operation;
COMMENT ON VIEW gofive.queue IS
    'The outbox by operation: counts by status, oldest pending age, and the last error among the requests you may see';

CREATE FUNCTION gofive_worker_stats(
    OUT pid integer, OUT database text, OUT state text, OUT started_at timestamptz,
    OUT in_flight integer, OUT sent bigint, OUT succeeded bigint, OUT failed bigint,
    OUT retried bigint, OUT dead bigint, OUT circuit text, OUT circuit_until timestamptz,
    OUT last_error text)
RETURNS record
AS 'MODULE_PATHNAME', 'gofive_worker_stats'
LANGUAGE C VOLATILE;

CREATE VIEW gofive.worker AS SELECT * FROM gofive_worker_stats();
COMMENT ON VIEW gofive.worker IS
    'The outbox worker: state, requests in flight, counters since it started, circuit breaker; its last error for gofive_admin';

GRANT SELECT ON gofive.queue, gofive.worker TO gofive_user;

REVOKE ALL ON FUNCTION gofive_worker_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_retry(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_retry_all(gofive.request_status, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_purge() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_wake() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_enqueue_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_worker_stats() TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue_trigger() TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_retry(bigint) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_retry_all(gofive.request_status, text) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_purge() TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_wake() TO gofive_user;
GRANT USAGE ON SCHEMA gofive TO gofive_worker;
