-- Functions and views of the outbox.  CREATE OR REPLACE: the upgrade
-- scripts include this file as it is (Makefile).
-- ---- enqueueing ----
--
-- None of these is SECURITY DEFINER: they validate and convert with the
-- caller's rights, then insert as the outbox's owner (src/outbox/privilege.c).

CREATE OR REPLACE FUNCTION gofive_enqueue(operation text, payload jsonb, ordering_key text DEFAULT NULL,
                               params jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) IS
    'Validate a request for a catalog operation and queue it in this transaction; params holds path and query arguments by name; returns the outbox id';

CREATE OR REPLACE FUNCTION gofive_enqueue_request(method text, path text, body jsonb DEFAULT NULL,
                                       ordering_key text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue_request'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) IS
    'Queue a request for any path (the generic form of gofive_enqueue); returns the outbox id';

CREATE OR REPLACE FUNCTION gofive_enqueue_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'gofive_enqueue_trigger'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue_trigger() IS
    'Trigger: enqueue one request per row; arguments: operation, mapping (jsonb text), [ordering key column], [options (jsonb text): on_invalid fail or record, timestamp_zone]';

CREATE OR REPLACE FUNCTION gofive_wake()
RETURNS void
AS 'MODULE_PATHNAME', 'gofive_wake'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_wake() IS 'Wake the worker when the current transaction commits';

-- ---- retrying by hand, cleaning up: the caller's own requests ----

CREATE OR REPLACE FUNCTION gofive_retry(id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'gofive_retry'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_retry(bigint) IS
    'Queue a failed or dead request of yours again; false if there is no such request';

CREATE OR REPLACE FUNCTION gofive_retry_all(status gofive.request_status DEFAULT 'dead',
                                 operation text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_retry_all'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_retry_all(gofive.request_status, text) IS
    'Queue every failed or dead request of yours (of one operation, if given) again; returns how many';

CREATE OR REPLACE FUNCTION gofive_purge()
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_purge'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_purge() IS
    'Delete your succeeded requests older than gofive.retention now (the worker deletes everybody''s every minute); returns how many';

-- ---- requests held or in doubt: gofive_admin decides ----
--
-- A held request came with a copy of another database (its origin is not
-- this one's); a request in doubt was on its way when the worker stopped,
-- and its operation must not be sent twice blindly.  Releasing sends it;
-- cancelling ends it.  gofive_cancel also takes a pending request of the
-- caller's own (one already on its way is recorded as what became of it).

CREATE OR REPLACE FUNCTION gofive_release(id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'gofive_release'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_release(bigint) IS
    'gofive_admin: send a held or in-doubt request; false if there is no such request';

CREATE OR REPLACE FUNCTION gofive_release_all(status gofive.request_status)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_release_all'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_release_all(gofive.request_status) IS
    'gofive_admin: send every held (or every in-doubt) request; returns how many';

CREATE OR REPLACE FUNCTION gofive_cancel(id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'gofive_cancel'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_cancel(bigint) IS
    'Cancel a pending request of yours (gofive_admin: anybody''s, also held or in doubt); false if there is no such request';

CREATE OR REPLACE FUNCTION gofive_cancel_all(status gofive.request_status, operation text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_cancel_all'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_cancel_all(gofive.request_status, text) IS
    'Cancel every pending request of yours (gofive_admin: held or in doubt too, anybody''s) with this status, of one operation if given; returns how many';

REVOKE ALL ON FUNCTION gofive_release(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_release_all(gofive.request_status) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_cancel(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_cancel_all(gofive.request_status, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_release(bigint) TO gofive_admin;
GRANT EXECUTE ON FUNCTION gofive_release_all(gofive.request_status) TO gofive_admin;
GRANT EXECUTE ON FUNCTION gofive_cancel(bigint) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_cancel_all(gofive.request_status, text) TO gofive_user;

-- ---- observing ----

-- Counts over every request; the last error only from requests the reader
-- may see (the view reads the table with its owner's rights, the
-- expressions are evaluated as the reader): of a failed or dead request, or
-- of one waiting for its retry, the latest attempt's first.  Statuses added
-- after 1.0 are compared as text: an update script cannot use an enum value
-- it adds.
CREATE OR REPLACE VIEW gofive.queue AS
SELECT o.operation,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status)   AS pending,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'sending'::gofive.request_status)   AS sending,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'succeeded'::gofive.request_status) AS succeeded,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'failed'::gofive.request_status)    AS failed,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'dead'::gofive.request_status)      AS dead,
       pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.min(o.enqueued_at)
           FILTER (WHERE o.status OPERATOR(pg_catalog.=) ANY ('{pending,sending}'::gofive.request_status[]))
           AS oldest_pending_age,
       (pg_catalog.array_agg(coalesce(o.messages, o.last_error)
                             ORDER BY coalesce(o.finished_at, o.last_attempt_at) DESC)
            FILTER (WHERE (o.status OPERATOR(pg_catalog.=) ANY ('{failed,dead}'::gofive.request_status[])
                           OR (o.status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status
                               AND o.last_error IS NOT NULL))
                      AND (pg_catalog.pg_has_role(o.enqueued_by, 'USAGE')
                           OR pg_catalog.pg_has_role('gofive_admin', 'USAGE'))))[1] AS last_error,
       pg_catalog.count(*) FILTER (WHERE o.status::pg_catalog.text OPERATOR(pg_catalog.=) 'held') AS held,
       pg_catalog.count(*) FILTER (WHERE o.status::pg_catalog.text OPERATOR(pg_catalog.=) 'in_doubt') AS in_doubt,
       pg_catalog.count(*) FILTER (WHERE o.status::pg_catalog.text OPERATOR(pg_catalog.=) 'cancelled') AS cancelled
FROM (SELECT operation, status, enqueued_at, messages, last_error, finished_at, last_attempt_at,
             enqueued_by
        FROM gofive.outbox
      UNION ALL
      -- the batches the worker has not moved into the outbox yet: pending
      SELECT i.operation, 'pending'::gofive.request_status, i.enqueued_at, NULL, NULL, NULL, NULL,
             i.enqueued_by
        FROM gofive.intake i CROSS JOIN LATERAL pg_catalog.generate_series(1, i.n) AS r) o
GROUP BY o.operation;
COMMENT ON VIEW gofive.queue IS
    'The outbox (and the batches not moved into it yet, pending) by operation: counts by status, oldest pending age, and the last error (of a failed or dead request, or of one waiting to be retried) among the requests you may see; held: queued in a copy''s original, in_doubt: on its way when the worker stopped (both wait for gofive_admin)';

CREATE OR REPLACE FUNCTION gofive_worker_stats(
    OUT pid integer, OUT database text, OUT state text, OUT started_at timestamptz,
    OUT in_flight integer, OUT sent bigint, OUT succeeded bigint, OUT failed bigint,
    OUT retried bigint, OUT dead bigint, OUT circuit text, OUT circuit_until timestamptz,
    OUT last_error text, OUT last_active_at timestamptz, OUT last_error_at timestamptz,
    OUT healthy boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'gofive_worker_stats'
LANGUAGE C VOLATILE;

CREATE OR REPLACE VIEW gofive.worker AS SELECT * FROM gofive_worker_stats();
COMMENT ON VIEW gofive.worker IS
    'The outbox worker: state, requests in flight, counters since it started, circuit breaker, when its loop last turned, when it last met an error, whether it is healthy (running, active within a minute, circuit closed); its last error for gofive_admin';

-- Each lane (an account and an enqueuing role) with its account's delivery
-- state, as this database's worker last published it, and its requests
-- waiting (counted over every request, as gofive.queue does).  The
-- account's last error (it may quote another role's request) is shown to
-- gofive_admin only; why a lane cannot send (a missing user mapping, say)
-- to the lane's role too.
CREATE OR REPLACE FUNCTION gofive_account_stats(
    OUT account text, OUT role regrole, OUT state text, OUT state_until timestamptz,
    OUT in_flight integer, OUT rate_limit double precision, OUT sent bigint,
    OUT succeeded bigint, OUT failed bigint, OUT retried bigint, OUT problem text,
    OUT last_error text, OUT last_error_at timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'gofive_account_stats'
LANGUAGE C VOLATILE;

CREATE OR REPLACE VIEW gofive.accounts AS
SELECT coalesce(s.account, w.account) AS account,
       coalesce(s.role, w.role) AS role,
       coalesce(s.state, 'not served') AS state,
       s.state_until,
       coalesce(s.in_flight, 0) AS in_flight,
       coalesce(w.waiting, 0) AS waiting,
       coalesce(w.held, 0) AS held,
       coalesce(w.in_doubt, 0) AS in_doubt,
       s.rate_limit, s.sent, s.succeeded, s.failed, s.retried,
       CASE WHEN pg_catalog.pg_has_role(coalesce(s.role, w.role), 'USAGE')
                 OR pg_catalog.pg_has_role('gofive_admin', 'USAGE')
            THEN s.problem END AS problem,
       CASE WHEN pg_catalog.pg_has_role('gofive_admin', 'USAGE') THEN s.last_error END AS last_error,
       s.last_error_at
FROM gofive_account_stats() s
FULL JOIN (SELECT o.account, o.enqueued_by AS role,
                  pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) ANY
                                              ('{pending,sending}'::gofive.request_status[])) AS waiting,
                  pg_catalog.count(*) FILTER (WHERE o.status::pg_catalog.text OPERATOR(pg_catalog.=) 'held') AS held,
                  pg_catalog.count(*) FILTER (WHERE o.status::pg_catalog.text OPERATOR(pg_catalog.=) 'in_doubt') AS in_doubt
             FROM gofive.outbox o
            WHERE o.finished_at IS NULL
            GROUP BY o.account, o.enqueued_by) w
  ON s.account IS NOT DISTINCT FROM w.account AND s.role OPERATOR(pg_catalog.=) w.role;
COMMENT ON VIEW gofive.accounts IS
    'Each account (NULL: the default one) and enqueuing role with requests: the account''s delivery state (closed, open, half-open, paused, refused, unusable), until when, requests in flight, requests waiting, held and in doubt, its rate limit, counters since the worker started, why the lane cannot send (problem) and, for gofive_admin, the account''s last error';

GRANT SELECT ON gofive.queue, gofive.worker, gofive.accounts TO gofive_user;

REVOKE ALL ON FUNCTION gofive_worker_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_account_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_account_stats() TO gofive_user;
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

-- ---- dates and times in the API's formats (src/convert/datetime.c) ----

CREATE OR REPLACE FUNCTION gofive_format_datetime(value date, format text DEFAULT 'offset',
                                                  time_zone text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'gofive_format_date'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION gofive_format_datetime(value timestamp, format text DEFAULT 'offset',
                                                  time_zone text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'gofive_format_timestamp'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION gofive_format_datetime(value timestamptz, format text DEFAULT 'offset',
                                                  time_zone text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'gofive_format_timestamptz'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION gofive_format_datetime(date, text, text) IS
    'A date (its midnight in time_zone, default gofive.time_zone) as the API writes it: offset, offset_ms, local, space, date or utc';
COMMENT ON FUNCTION gofive_format_datetime(timestamp, text, text) IS
    'A wall-clock time in time_zone (default gofive.time_zone) as the API writes it: offset, offset_ms, local, space, date or utc';
COMMENT ON FUNCTION gofive_format_datetime(timestamptz, text, text) IS
    'An instant, written in time_zone (default gofive.time_zone) as the API writes it: offset, offset_ms, local, space, date or utc';
