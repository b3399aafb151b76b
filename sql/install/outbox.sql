
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

CREATE FUNCTION gofive.new_request_id()
RETURNS uuid
AS 'MODULE_PATHNAME', 'gofive_new_request_id'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive.new_request_id() IS 'A random UUID for a queued request''s X-Request-Id';

CREATE TABLE gofive.outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operation       text NOT NULL,          -- catalog name, or 'request'
    method          text NOT NULL,
    path            text NOT NULL,          -- relative to gofive.base_url
    body            jsonb,
    ordering_key    text,
    request_id      uuid NOT NULL DEFAULT gofive.new_request_id(),  -- X-Request-Id, the same on every attempt
    status          gofive.request_status NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    enqueued_at     timestamptz NOT NULL DEFAULT now(),
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

-- what the worker claims: pending rows, oldest first
CREATE INDEX outbox_pending_idx ON gofive.outbox (id) WHERE status = 'pending';
-- the earlier rows of an ordering key that hold later ones back
CREATE INDEX outbox_ordering_idx ON gofive.outbox (ordering_key, id)
    WHERE ordering_key IS NOT NULL AND status IN ('pending', 'sending');
-- the retention purge
CREATE INDEX outbox_finished_idx ON gofive.outbox (finished_at) WHERE status = 'succeeded';

REVOKE ALL ON gofive.outbox FROM PUBLIC;
GRANT SELECT ON gofive.outbox TO gofive_user;

-- ---- enqueueing ----

CREATE FUNCTION gofive_enqueue(operation text, payload jsonb, ordering_key text DEFAULT NULL,
                               params jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue'
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) IS
    'Validate a request for a catalog operation and queue it in this transaction; params holds path and query arguments by name; returns the outbox id';

CREATE FUNCTION gofive_enqueue_request(method text, path text, body jsonb DEFAULT NULL,
                                       ordering_key text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue_request'
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) IS
    'Queue a request for any path (the generic form of gofive_enqueue); returns the outbox id';

CREATE FUNCTION gofive.enqueue_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'gofive_enqueue_trigger'
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION gofive.enqueue_trigger() IS
    'Trigger: enqueue one request per row; arguments: operation, mapping (jsonb text), [ordering key column]';

CREATE FUNCTION gofive.wake()
RETURNS void
AS 'MODULE_PATHNAME', 'gofive_wake'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive.wake() IS 'Wake the worker when the current transaction commits';

-- ---- retrying by hand ----

CREATE FUNCTION gofive_retry(id bigint)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found_row boolean;
BEGIN
    UPDATE gofive.outbox o
       SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL
     WHERE o.id = gofive_retry.id AND o.status IN ('failed', 'dead');
    found_row := FOUND;
    IF found_row THEN
        PERFORM gofive.wake();
    END IF;
    RETURN found_row;
END $$;
COMMENT ON FUNCTION gofive_retry(bigint) IS 'Queue a failed or dead request again; false if it is neither';

CREATE FUNCTION gofive_retry_all(status gofive.request_status DEFAULT 'dead',
                                 operation text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    IF gofive_retry_all.status NOT IN ('failed', 'dead') THEN
        RAISE EXCEPTION 'gofive_retry_all: status must be failed or dead, not %', gofive_retry_all.status
            USING ERRCODE = 'GFVAL';
    END IF;
    UPDATE gofive.outbox o
       SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL
     WHERE o.status = gofive_retry_all.status
       AND (gofive_retry_all.operation IS NULL OR o.operation = gofive_retry_all.operation);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        PERFORM gofive.wake();
    END IF;
    RETURN n;
END $$;
COMMENT ON FUNCTION gofive_retry_all(gofive.request_status, text) IS
    'Queue every failed or dead request (of one operation, if given) again; returns how many';

CREATE FUNCTION gofive.purge()
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_purge'
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION gofive.purge() IS
    'Delete succeeded requests older than gofive.retention now (the worker also does it every minute); returns how many';
REVOKE ALL ON FUNCTION gofive.purge() FROM PUBLIC;

-- ---- observing ----

CREATE VIEW gofive.queue AS
SELECT operation,
       count(*) FILTER (WHERE status = 'pending')   AS pending,
       count(*) FILTER (WHERE status = 'sending')   AS sending,
       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE status = 'failed')    AS failed,
       count(*) FILTER (WHERE status = 'dead')      AS dead,
       now() - min(enqueued_at) FILTER (WHERE status IN ('pending', 'sending')) AS oldest_pending_age,
       (array_agg(coalesce(messages, last_error) ORDER BY finished_at DESC)
            FILTER (WHERE status IN ('failed', 'dead')))[1] AS last_error
FROM gofive.outbox
GROUP BY operation;
COMMENT ON VIEW gofive.queue IS 'The outbox by operation: counts by status, oldest pending age, last error';

CREATE FUNCTION gofive.worker_stats(
    OUT pid integer, OUT database text, OUT state text, OUT started_at timestamptz,
    OUT in_flight integer, OUT sent bigint, OUT succeeded bigint, OUT failed bigint,
    OUT retried bigint, OUT dead bigint, OUT circuit text, OUT circuit_until timestamptz,
    OUT last_error text)
RETURNS record
AS 'MODULE_PATHNAME', 'gofive_worker_stats'
LANGUAGE C VOLATILE;

CREATE VIEW gofive.worker AS SELECT * FROM gofive.worker_stats();
COMMENT ON VIEW gofive.worker IS 'The outbox worker: state, requests in flight, counters since it started, circuit breaker';

GRANT SELECT ON gofive.queue, gofive.worker TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive.worker_stats() TO gofive_user;

REVOKE ALL ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_retry(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_retry_all(gofive.request_status, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive.wake() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive.enqueue_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive.enqueue_trigger() TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_retry(bigint) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_retry_all(gofive.request_status, text) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive.wake() TO gofive_user;
