-- Broken or hostile answers, on both paths.  A synchronous call raises a
-- documented class; a queued row ends failed (or is retried, as the table in
-- README "Errors" says), the worker stays the same process, and a healthy
-- row beside the poisoned one is delivered once.
SELECT mock.reset();
SELECT pid AS worker_pid FROM gofive.worker \gset

-- a poison answer to the next API request: the synchronous call's error
CREATE FUNCTION mock.poison_sync(rule jsonb, stmt text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mock.reset();
    PERFORM mock.fault(rule || '{"count": 1}');
    RETURN mock.error_of(stmt);
END $$;

-- a poisoned row (every answer to it poisoned) and a healthy row, queued together
CREATE FUNCTION mock.queue_pair(rule jsonb, OUT bad bigint, OUT good bigint)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mock.reset();
    PERFORM mock.fault(rule || '{"path": "/v3/products/serials"}');
    bad := gofive_enqueue('upsert_serial', '{"runningNumber": "MN70001", "productCode": "PD001"}');
    good := gofive_enqueue_request('GET', '/v1/products/units');
END $$;

-- once both are final: the poisoned row, the healthy one, the worker
CREATE FUNCTION mock.pair_outcome(bad bigint, good bigint, worker int,
    OUT status text, OUT attempts int, OUT http_status int, OUT last_error text,
    OUT sent bigint, OUT healthy text, OUT healthy_sent bigint, OUT same_worker boolean)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM mock.wait_for(format($c$(SELECT bool_and(status IN ('succeeded', 'failed', 'dead'))
                                     FROM gofive.outbox WHERE id IN (%s, %s))$c$, bad, good));
    SELECT o.status, o.attempts, o.http_status, o.last_error
      INTO status, attempts, http_status, last_error FROM gofive.outbox o WHERE o.id = bad;
    SELECT o.status INTO healthy FROM gofive.outbox o WHERE o.id = good;
    SELECT count(*) FILTER (WHERE e->>'path' = '/v3/products/serials'),
           -- delivered: answered 200 (a 401 before, if the worker's token was revoked, is not)
           count(*) FILTER (WHERE e->>'path' = '/v1/products/units' AND e->>'status' = '200')
      INTO sent, healthy_sent FROM mock.journal() AS e;
    SELECT w.pid = worker INTO same_worker FROM gofive.worker w;
END $$;

-- ---- a number no numeric holds: {"data": 1e200000} ----
SELECT mock.poison_sync('{"mode": "body", "generate": "exponent"}', $$SELECT gofive_get_product('PD001')$$);
SELECT mock.poison_sync('{"mode": "body", "generate": "exponent"}', $$SELECT gofive_request('GET', '/v2/products/PD001')$$);
SELECT * FROM mock.queue_pair('{"mode": "body", "generate": "exponent"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);

-- ---- arrays nested 100,000 deep ----
SELECT mock.poison_sync('{"mode": "body", "generate": "nested"}', $$SELECT gofive_get_product('PD001')$$);
SELECT mock.poison_sync('{"mode": "body", "generate": "nested"}', $$SELECT gofive_request('GET', '/v2/products/PD001')$$);
SELECT * FROM mock.queue_pair('{"mode": "body", "generate": "nested"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);

-- ---- invalid UTF-8: never stored, never quoted ----
SELECT mock.poison_sync('{"mode": "body", "body_hex": "fffe6f6f7073", "content_type": "text/plain"}',
                        $$SELECT gofive_get_product('PD001')$$);
SELECT mock.poison_sync('{"mode": "body", "body_hex": "fffe6f6f7073", "content_type": "text/plain"}',
                        $$SELECT gofive_request('GET', '/v2/products/PD001')$$);
-- also in an error answer: still the class of its status, the body not shown
SELECT mock.poison_sync('{"mode": "body", "status": 400, "body_hex": "7b226d657373616765223a2022ff227d"}',
                        $$SELECT gofive_get_product('PD001')$$);
SELECT * FROM mock.queue_pair('{"mode": "body", "body_hex": "fffe6f6f7073", "content_type": "text/plain"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);

-- ---- a NUL byte, raw and escaped ----
SELECT mock.poison_sync('{"mode": "body", "body_hex": "7b2264617461223a202261006222"}',
                        $$SELECT gofive_get_product('PD001')$$);
SELECT mock.poison_sync('{"mode": "body", "body": "{\"data\": \"a\\u0000b\"}"}',
                        $$SELECT gofive_request('GET', '/v2/products/PD001')$$);
SELECT * FROM mock.queue_pair('{"mode": "body", "body_hex": "7b2264617461223a202261006222"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);
SELECT * FROM mock.queue_pair('{"mode": "body", "body": "{\"data\": \"a\\u0000b\"}"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);

-- ---- a 200 that is not JSON: a failure for an operation; gofive_request returns the text ----
SELECT mock.poison_sync('{"mode": "body", "body": "<html>oops</html>", "content_type": "text/html"}',
                        $$SELECT gofive_get_product('PD001')$$);
SELECT mock.reset();
SELECT mock.fault('{"mode": "body", "body": "<html>oops</html>", "content_type": "text/html", "count": 1}');
SELECT * FROM gofive_request('GET', '/v2/products/PD001');
SELECT * FROM mock.queue_pair('{"mode": "body", "body": "<html>oops</html>", "content_type": "text/html"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);

-- ---- business failures with HTTP 200 ----
-- a failure code without httpStatusCode
SELECT mock.poison_sync('{"mode": "body", "body": "{\"data\": null, \"statusCode\": 4001, \"messages\": [\"no\"]}"}',
                        $$SELECT gofive_get_product('PD001')$$);
SELECT * FROM mock.queue_pair('{"mode": "body", "body": "{\"data\": null, \"statusCode\": 4001, \"messages\": [\"no\"]}"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);
-- a code that is not a number
SELECT mock.poison_sync('{"mode": "body", "body": "{\"status\": {\"code\": \"E01\", \"description\": \"odd\"}, \"data\": null}"}',
                        $$SELECT gofive_get_product('PD001')$$);
SELECT * FROM mock.queue_pair('{"mode": "body", "body": "{\"status\": {\"code\": \"E01\"}, \"data\": null}"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);
-- a code other than 1000
SELECT mock.poison_sync('{"mode": "body", "body": "{\"status\": {\"code\": \"4002\", \"description\": \"two errors\"}, \"data\": null}"}',
                        $$SELECT gofive_get_product('PD001')$$);

-- ---- a redirect: not followed; "unexpected", retried until dead by the worker ----
SELECT mock.poison_sync('{"mode": "status", "status": 302}', $$SELECT gofive_get_product('PD001')$$);
SELECT * FROM mock.queue_pair('{"mode": "status", "status": 302}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);

-- ---- an informational 1xx and then nothing: libcurl waits for the final
-- answer, which never comes: no answer (VNNET) when gofive.timeout passes ----
SET gofive.timeout = '1s';
SELECT mock.poison_sync('{"mode": "status", "status": 100}', $$SELECT gofive_get_product('PD001')$$);
RESET gofive.timeout;

-- ---- a Retry-After of 68 years (found by t/007_fuzz.pl): waited for up to
-- gofive.retry_max (2s here), not parking the row, its ordering key, or the worker ----
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 429, "retry_after": 2147483647, "count": 1,
                    "path": "/v3/products/serials"}');
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN70002", "productCode": "PD001"}',
                      ordering_key => 'fuzz-retry-after') AS throttled,
       gofive_enqueue('upsert_serial', '{"runningNumber": "MN70003", "productCode": "PD001"}',
                      ordering_key => 'fuzz-retry-after') AS behind \gset
SELECT mock.wait_for(format($$(SELECT bool_and(status = 'succeeded') FROM gofive.outbox WHERE id IN (%s, %s))$$,
                            :throttled, :behind), 20) AS both_delivered;
SELECT id = :throttled AS throttled, attempts, http_status,
       finished_at - enqueued_at < interval '6 seconds' AS within_retry_max
FROM gofive.outbox WHERE id IN (:throttled, :behind) ORDER BY id;

-- ---- an outcome that cannot be recorded: recorded alone, as failed ----
CREATE FUNCTION mock.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.response @> '{"poison": true}' THEN
        RAISE EXCEPTION 'poisoned response refused';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_poison BEFORE UPDATE ON gofive.outbox
    FOR EACH ROW EXECUTE FUNCTION mock.refuse_poison();
SELECT * FROM mock.queue_pair('{"mode": "body", "body": "{\"data\": {\"poison\": true}, \"statusCode\": 1000, \"httpStatusCode\": 200}"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);
DROP TRIGGER refuse_poison ON gofive.outbox;
-- a unique index that an outcome would break, added by hand: the worker's
-- own index insertion checks it as the executor would (its predicate reads
-- the response, which the recording sets), though it skips the primary
-- key's check (the id never changes)
UPDATE gofive.outbox SET response = '{"poison": true}' WHERE id = :good;
CREATE UNIQUE INDEX regress_poison_once ON gofive.outbox ((true)) WHERE response @> '{"poison": true}';
SELECT * FROM mock.queue_pair('{"mode": "body", "body": "{\"data\": {\"poison\": true}, \"statusCode\": 1000, \"httpStatusCode\": 200}"}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);
DROP INDEX gofive.regress_poison_once;

-- ---- answers over gofive.max_response_size: not downloaded past it, not retried ----
SET gofive.max_response_size = '64kB';
SELECT mock.poison_sync('{"mode": "body", "generate": "json", "size": 200000}',
                        $$SELECT gofive_get_product('PD001')$$);
SELECT mock.poison_sync('{"mode": "body", "generate": "json", "size": 200000, "chunked": true}',
                        $$SELECT gofive_request('GET', '/v2/products/PD001')$$);
SELECT count(*) AS requests FROM mock.journal() AS e WHERE e->>'path' <> '/authorization/connect/token';
-- within the limit: read
SELECT mock.reset();
SELECT mock.fault('{"mode": "body", "generate": "json", "size": 60000, "chunked": true, "count": 1}');
SELECT jsonb_array_length(gofive_get_product('PD001')) AS items;
RESET gofive.max_response_size;
ALTER SYSTEM SET gofive.max_response_size = '64kB';
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT * FROM mock.queue_pair('{"mode": "body", "generate": "json", "size": 200000}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);
SELECT * FROM mock.queue_pair('{"mode": "body", "generate": "json", "size": 200000, "chunked": true}') \gset
SELECT * FROM mock.pair_outcome(:bad, :good, :worker_pid);
ALTER SYSTEM RESET gofive.max_response_size;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);

-- ---- a large answer becomes jsonb piece by piece: exactly what jsonb_in makes ----
SELECT '{"data": {"z": 0, "list": [' || string_agg(format(
         '{"i": %s, "f": %s, "s": "ก\"x\\n%s", "e": [], "o": {}, "n": null, "t": true, "b": false, "k": [1, [2, [3]]]}',
         g, round(g / 7.0, 3), g), ', ') ||
       '], "a": 1, "a": [1.5e3, -0.25, 1e-5], "nums": [' || string_agg((g::bigint * 1000003)::text, ',') ||
       '], "": "empty key", "dup": "first", "dup": "last"}, "statusCode": 1000, "httpStatusCode": 200}' AS big
FROM generate_series(1, 3000) AS g \gset
SELECT length(:'big') > 200000 AS larger_than_a_piece;
SELECT mock.reset();
-- (too long for a command line: the rule goes to curl in a file)
CREATE TEMP TABLE big_rule AS
    SELECT jsonb_build_object('mode', 'body', 'body', :'big', 'count', 2)::text AS rule;
DO $$ BEGIN
    EXECUTE format('COPY big_rule TO %L WITH (FORMAT csv, DELIMITER E''\x01'', QUOTE E''\x02'')',
                   current_setting('data_directory') || '/hostile_rule.json');
END $$;
SELECT r->'ok' AS ok, (r->>'bytes')::int = octet_length(:'big') AS whole
FROM mock.curl('-X POST -H ''Content-Type: application/json'' --data-binary @hostile_rule.json '
               || mock.q(current_setting('gofive.base_url') || '/_mock/fault')) AS r;
SELECT r = :'big'::jsonb AS equal, r::text = (:'big'::jsonb)::text AS same_text,
       pg_column_size(r) = pg_column_size(:'big'::jsonb) AS same_size,
       r->'data'->'list'->2999->>'s' AS last_s, r->'data'->'a' AS a, r->'data'->>'dup' AS dup,
       jsonb_array_length(r->'data'->'nums') AS nums, r @> '{"data": {"list": [{"i": 1500}]}}' AS contains
FROM (SELECT (gofive_request('GET', '/v2/products/PD001')).response AS r) AS q;
SELECT d = (:'big'::jsonb)->'data' AS equal, d::text = ((:'big'::jsonb)->'data')::text AS same_text
FROM gofive_get_product('PD001') AS d;

-- ---- a small answer becomes jsonb as its envelope is read: also what jsonb_in makes ----
SELECT '{"data": {"z": 0, "list": [' || string_agg(format(
         '{"i": %s, "f": %s, "s": "ก\"x\\n\u00e9%s", "e": [], "o": {}, "n": null, "t": true, "b": false, "k": [1, [2, [3]]]}',
         g, round(g / 7.0, 3), g), ', ') ||
       '], "a": 1, "a": [1.5e3, -0.25, 1e-5, 12345678901234567890.5], "": "empty key", "dup": "first", "dup": "last",'
       ' "whole": [0, -0, 7, -7, 999999999999999999, -999999999999999999, 1000000000000000000, 100, 1e2]},'
       ' "statusCode": 1000, "httpStatusCode": 200}' AS small
FROM generate_series(1, 20) AS g \gset
SELECT mock.reset();
SELECT mock.fault(jsonb_build_object('mode', 'body', 'body', :'small', 'count', 1));
SELECT d = (:'small'::jsonb)->'data' AS equal, d::text = ((:'small'::jsonb)->'data')::text AS same_text,
       pg_column_size(d) = pg_column_size((:'small'::jsonb)->'data') AS same_size,
       d->'list'->19->>'s' AS last_s, d->'a' AS a, d->>'dup' AS dup, d->'whole' AS whole
FROM gofive_get_product('PD001') AS d;
-- each envelope's data, the last of two "data" fields, a scalar, a whole answer
SELECT b AS answer, gofive_get_product('PD001') AS data
FROM (VALUES ('{"status": {"code": "1000"}, "data": {"value": [1, {"b": 2, "a": 1}], "statusCode": 1000}}'),
             ('{"status": {"code": "1000"}, "data": {"value": 1, "other": 2}}'),
             ('{"data": 1, "data": {"k": "last", "k": "really"}, "status": {"code": "1000"}}'),
             ('{"data": "t\u00e9xt \ud83d\ude00", "statusCode": 1000, "httpStatusCode": 200}'),
             ('{"data": null, "statusCode": 1000, "httpStatusCode": 200}'),
             ('[{"x": 1}, 2, "three"]'),
             ('-0.5e-3')) AS v(b),
     LATERAL (SELECT mock.fault(jsonb_build_object('mode', 'body', 'body', b, 'count', 1))) AS f;

-- ---- gofive.keep_response_size: a larger answer succeeds, its data is not kept ----
ALTER SYSTEM SET gofive.keep_response_size = 1000;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT * FROM mock.queue_pair('{"mode": "body", "generate": "json", "size": 5000}') \gset
SELECT status, last_error FROM mock.pair_outcome(:bad, :good, :worker_pid);
SELECT id = :bad AS poisoned, status, response IS NULL AS response_dropped
FROM gofive.outbox WHERE id IN (:bad, :good) ORDER BY id;
ALTER SYSTEM RESET gofive.keep_response_size;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);

-- ---- the token endpoint ----
-- a token that would add a header line: refused, never shown, never sent
SELECT mock.reset();
SELECT mock.expire_tokens();
SELECT mock.fault('{"mode": "body", "path": "/authorization/connect/token", "count": 1,
                    "body": "{\"access_token\": \"abc\\r\\nX-Injected: 1\", \"expires_in\": 3600}"}');
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$);
SELECT mock.fault('{"mode": "body", "path": "/authorization/connect/token", "count": 1,
                    "body": "{\"access_token\": \"abc def\", \"expires_in\": 3600}"}');
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$);
SELECT count(*) AS injected FROM mock.journal() AS e WHERE e->'headers' ? 'x-injected';
-- expires_in not a number, negative: refused
SELECT mock.fault('{"mode": "body", "path": "/authorization/connect/token", "count": 1,
                    "body": "{\"access_token\": \"abc\", \"expires_in\": \"soon\"}"}');
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$);
SELECT mock.fault('{"mode": "body", "path": "/authorization/connect/token", "count": 1,
                    "body": "{\"access_token\": \"abc\", \"expires_in\": -5}"}');
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$);
-- huge: clamped (no overflow, no 22003) and the token is used (this server
-- then refuses it, as it did not issue it, and the call renews it once)
SELECT mock.fault('{"mode": "body", "path": "/authorization/connect/token", "count": 1,
                    "body": "{\"access_token\": \"zz-1e13.token==\", \"expires_in\": 1e13}"}');
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$);
-- (the token cached now is valid: revoke it, and fail one renewal, so that
-- the next call fetches a token again)
SELECT mock.expire_tokens();
SELECT mock.fault('{"mode": "body", "path": "/authorization/connect/token", "count": 1, "body": "{}"}');
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$);
SELECT mock.fault('{"mode": "body", "path": "/authorization/connect/token", "count": 1,
                    "body": "{\"access_token\": \"zz-1e30.token\", \"expires_in\": 1e30}"}');
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$);
SELECT count(*) FILTER (WHERE e->'headers'->>'authorization' = 'Bearer zz-1e13.token==') AS with_1e13_token,
       count(*) FILTER (WHERE e->'headers'->>'authorization' = 'Bearer zz-1e30.token') AS with_1e30_token
FROM mock.journal() AS e;
-- the worker with a bad token: no token, the rows wait and go once it is
-- good again (sent twice: its cached token was revoked, so the first answer
-- is a 401, which renews it)
SELECT mock.reset();
SELECT mock.expire_tokens();
SELECT mock.fault('{"mode": "body", "path": "/authorization/connect/token", "count": 2,
                    "body": "{\"access_token\": \"abc\\r\\nX-Injected: 1\"}"}');
SELECT gofive_enqueue_request('GET', '/v1/products/units') AS good \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :good));
SELECT (SELECT pid FROM gofive.worker) = :worker_pid AS same_worker,
       count(*) FILTER (WHERE e->>'path' = '/v1/products/units') AS sent,
       count(*) FILTER (WHERE e->'headers' ? 'x-injected') AS injected
FROM mock.journal() AS e;

-- ---- a server encoding other than UTF8: converted, or refused when it cannot be ----
SET client_min_messages = warning;	-- dblink may be there already (cancel)
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
CREATE DATABASE hostile_latin1 TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C';
SELECT dblink_connect('latin1', format('dbname=hostile_latin1 host=%s port=%s',
       split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port')));
SELECT dblink_exec('latin1', 'CREATE EXTENSION gofive');
SELECT mock.reset();
SELECT mock.fault('{"mode": "body", "count": 1,
                    "body": "{\"status\": {\"code\": \"1000\"}, \"data\": {\"name\": \"café\"}}"}');
SELECT * FROM dblink('latin1', $$SELECT gofive_get_product('PD001')::text$$) AS t(product text);
SELECT mock.fault('{"mode": "body", "count": 1,
                    "body": "{\"status\": {\"code\": \"1000\"}, \"data\": {\"name\": \"สินค้า\"}}"}');
SELECT mock.error_of($$SELECT * FROM dblink('latin1', 'SELECT gofive_get_product(''PD001'')::text') AS t(p text)$$);
SELECT dblink_disconnect('latin1');
DROP DATABASE hostile_latin1;

-- ---- out-of-range arguments: the validation class, naming the field ----
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_products('{"take": 1e10}')$$);
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_products('{"skip": -1e10}')$$);

-- ---- a row that kills the worker each time ends dead: attempts count at the claim ----
-- (a row left 'sending' with its attempts used up, as a crash would leave it)
SELECT mock.reset();
BEGIN;
SELECT gofive_enqueue_request('GET', '/v1/products/units') AS stuck \gset
UPDATE gofive.outbox SET status = 'sending', attempts = current_setting('gofive.max_attempts')::int
WHERE id = :stuck;
COMMIT;
SELECT pg_terminate_backend(:worker_pid);
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'dead'$$, :stuck));
SELECT status, attempts, last_error FROM gofive.outbox WHERE id = :stuck;
SELECT history->-1->>'outcome' AS last_outcome, history->-1->>'error' AS last_attempt_error
FROM gofive.outbox WHERE id = :stuck;
SELECT mock.wait_for($$(SELECT state FROM gofive.worker) = 'idle'$$) AS worker_back;

-- ---- an answer whose status line says HTTP/2, on an HTTP/1.1 connection ----
-- libcurl 7.88 then took the host for one that multiplexes and gave a
-- connection whose request was waiting for its answer to other requests:
-- rows recorded with another row's answer, never sent.  Every row must
-- reach the server once (the server closes each connection after answering).
SELECT mock.reset();
SELECT mock.fault('{"mode": "body", "path": "/v3/products/serials", "status_line": "HTTP/2 200",
                    "body": "{\"data\": {\"status\": true}, \"statusCode\": 1000, \"httpStatusCode\": 200}"}');
SELECT count(gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'H2-' || i, 'productCode', 'PD001')))
FROM generate_series(1, 300) i;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                        WHERE body->>'runningNumber' LIKE 'H2-%' AND finished_at IS NOT NULL) = 300$$);
WITH sent AS MATERIALIZED (SELECT e->'headers'->>'x-request-id' AS request_id FROM mock.journal() AS e)
SELECT count(*) AS rows,
       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE (SELECT count(*) FROM sent WHERE sent.request_id = o.request_id::text) <> 1)
           AS not_sent_once
FROM gofive.outbox AS o WHERE body->>'runningNumber' LIKE 'H2-%';
SELECT mock.fault('{"mode": "none"}');
