-- Functions and views of the outbox.  CREATE OR REPLACE: the upgrade
-- scripts include this file as it is (Makefile).
-- ---- enqueueing ----
--
-- None of these is SECURITY DEFINER: they validate and convert with the
-- caller's rights, then insert as the outbox's owner (src/privilege.c).

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

-- ---- observing ----

-- Counts over every request; the last error only from requests the reader
-- may see (the view reads the table with its owner's rights, the
-- expressions are evaluated as the reader): of a failed or dead request, or
-- of one waiting for its retry, the latest attempt's first.
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
                           OR pg_catalog.pg_has_role('gofive_admin', 'USAGE'))))[1] AS last_error
FROM gofive.outbox o
GROUP BY o.operation;
COMMENT ON VIEW gofive.queue IS
    'The outbox by operation: counts by status, oldest pending age, and the last error (of a failed or dead request, or of one waiting to be retried) among the requests you may see';

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

-- ---- dates and times in the API's formats (src/datetime.c) ----

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
