-- Set-up shared by the suites: the extension, and helpers that read the
-- local Venio server's journal and flip its fault switches through its
-- control API (/_mock/*), with curl run by COPY FROM PROGRAM.
CREATE EXTENSION gofive;
SELECT extname, extversion FROM pg_extension WHERE extname = 'gofive';

CREATE SCHEMA mock;

CREATE FUNCTION mock.curl(args text) RETURNS SETOF jsonb
LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('pg_temp.mock_lines') IS NULL THEN
        CREATE TEMP TABLE mock_lines (line text);
    END IF;
    TRUNCATE mock_lines;
    -- CSV with delimiter and quote characters that JSON never contains, so
    -- each line arrives untouched
    EXECUTE format('COPY mock_lines FROM PROGRAM %L WITH (FORMAT csv, DELIMITER E''\x01'', QUOTE E''\x02'')',
                   'curl -sS --fail-with-body ' || args);
    RETURN QUERY SELECT line::jsonb FROM mock_lines WHERE line <> '';
END $$;

-- shell-quote a value
CREATE FUNCTION mock.q(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT '''' || replace(v, '''', '''\''''') || '''' $$;

CREATE FUNCTION mock.get(path text) RETURNS SETOF jsonb
LANGUAGE sql AS $$ SELECT mock.curl(mock.q(current_setting('gofive.base_url') || path)) $$;

CREATE FUNCTION mock.post(path text, body jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql AS $$
    SELECT mock.curl('-X POST -H ''Content-Type: application/json'' --data-binary '
                     || mock.q(body::text) || ' '
                     || mock.q(current_setting('gofive.base_url') || path))
    LIMIT 1
$$;

CREATE FUNCTION mock.reset() RETURNS void
LANGUAGE sql AS $$ SELECT mock.post('/_mock/reset'); $$;

CREATE FUNCTION mock.fault(rule jsonb) RETURNS void
LANGUAGE sql AS $$ SELECT mock.post('/_mock/fault', rule); $$;

CREATE FUNCTION mock.config(settings jsonb) RETURNS void
LANGUAGE sql AS $$ SELECT mock.post('/_mock/config', settings); $$;

CREATE FUNCTION mock.expire_tokens() RETURNS void
LANGUAGE sql AS $$ SELECT mock.post('/_mock/expire_tokens'); $$;

-- the requests the server received since the last reset, oldest first
CREATE FUNCTION mock.journal() RETURNS SETOF jsonb
LANGUAGE sql AS $$ SELECT * FROM mock.get('/_mock/journal') $$;

-- a connection string for dblink to a database of this instance
CREATE FUNCTION mock.conn(db text DEFAULT current_database(), role text DEFAULT current_user)
RETURNS text LANGUAGE sql AS $$
    SELECT format('dbname=%s host=%s port=%s user=%s', db,
                  split_part(current_setting('unix_socket_directories'), ',', 1),
                  current_setting('port'), role) $$;

-- run a statement; return its SQLSTATE and message instead of failing
-- (a validation error with several problems: its DETAIL lines too, on one line)
CREATE FUNCTION mock.error_of(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM ||
           CASE WHEN SQLERRM LIKE '% problems in the payload' THEN ': ' || replace(detail, E'\n', ' ') ELSE '' END;
END $$;

-- the last API request the server received (token requests left out)
CREATE FUNCTION mock.last_call(OUT method text, OUT path text, OUT query text,
                                  OUT body jsonb, OUT status int)
LANGUAGE sql AS $$
    SELECT e->>'method', e->>'path', e->>'query', e->'body', (e->>'status')::int
    FROM mock.journal() AS e WHERE e->>'path' <> '/authorization/connect/token'
    ORDER BY (e->>'seq')::int DESC LIMIT 1 $$;
-- run a statement that must fail before anything is sent: its error, and
-- whether the journal stayed as it was
CREATE FUNCTION mock.sends_nothing(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    before bigint;
    after bigint;
    err text;
BEGIN
    SELECT count(*) INTO before FROM mock.journal();
    err := mock.error_of(stmt);
    SELECT count(*) INTO after FROM mock.journal();
    RETURN err || CASE WHEN after = before THEN ' [nothing sent]'
                       ELSE ' [SENT ' || (after - before) || ' requests]' END;
END $$;

SELECT mock.reset();
SELECT count(*) AS journal_entries FROM mock.journal();

-- wait (up to secs) until a condition holds; pg_stat_activity and the
-- worker's view are re-read on each turn
CREATE FUNCTION mock.wait_for(cond text, secs int DEFAULT 30) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    ok boolean;
BEGIN
    FOR i IN 1 .. secs * 20 LOOP
        PERFORM pg_stat_clear_snapshot();
        EXECUTE 'SELECT ' || cond INTO ok;
        IF ok THEN RETURN true; END IF;
        PERFORM pg_sleep(0.05);
    END LOOP;
    RAISE WARNING 'timed out waiting for: %', cond;
    RETURN false;
END $$;

-- the outbox worker runs in this database
SELECT mock.wait_for($$EXISTS (SELECT 1 FROM pg_stat_activity
    WHERE backend_type = 'gofive worker' AND datname = current_database())$$) AS worker_up;
SELECT mock.wait_for($$(SELECT state FROM gofive.worker) = 'idle'$$) AS worker_idle;
