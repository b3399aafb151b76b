-- The delivery scheduler: each account's outage, 429 and rate limit are
-- its own; an ordering key orders one account's and one role's requests;
-- claims go round-robin over the roles of an account; requests can be
-- cancelled, and gofive.accounts shows each account's state.
TRUNCATE gofive.outbox;
SELECT mock.reset();
SELECT mock.post('/_mock/client', '{"client_id": "sched-x", "client_secret": "secret-x-1234", "subscription_key": "key-x-1234"}') IS NOT NULL AS client_added;
DO $$
BEGIN
    EXECUTE format('CREATE SERVER sched_x FOREIGN DATA WRAPPER gofive OPTIONS (base_url %L)',
                   current_setting('gofive.base_url'));
END $$;
CREATE USER MAPPING FOR PUBLIC SERVER sched_x
    OPTIONS (client_id 'sched-x', client_secret 'secret-x-1234', subscription_key 'key-x-1234');
CREATE ROLE regress_sched_a LOGIN IN ROLE gofive_user;
CREATE ROLE regress_sched_b LOGIN IN ROLE gofive_user;
GRANT USAGE ON FOREIGN SERVER sched_x TO regress_sched_a, regress_sched_b;

-- which requests the server received, by running number, and with whose key
CREATE FUNCTION pg_temp.sent(OUT running_number text, OUT key text, OUT status int, OUT at float8)
RETURNS SETOF record LANGUAGE sql AS $$
    SELECT e->'body'->>'runningNumber', e->'headers'->>'ocp-apim-subscription-key',
           (e->>'status')::int, (e->>'received_at')::float8
    FROM mock.journal() AS e WHERE e->>'path' = '/v3/products/serials' $$;
CREATE FUNCTION pg_temp.enqueue_x(running_number text, ordering_key text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL gofive.server = 'sched_x';
    RETURN gofive_enqueue('upsert_serial',
                          jsonb_build_object('runningNumber', running_number, 'productCode', 'PD001'),
                          ordering_key);
END $$;

-- ---- one account down: the other's requests go at once ----
SELECT mock.fault('{"mode": "status", "status": 503, "count": -1, "subscription_key": "key-x-1234"}');
SELECT count(pg_temp.enqueue_x('MN5' || lpad(i::text, 4, '0'))) FROM generate_series(1, 20) AS i;
SELECT mock.wait_for($$(SELECT state FROM gofive.accounts WHERE account = 'sched_x') = 'open'$$);
SELECT account, state, state_until > now() AS until_later, waiting > 0 AS waiting FROM gofive.accounts
 WHERE account = 'sched_x';
-- the default account is not held up: its request goes while sched_x is open
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN50900", "productCode": "PD001"}') AS id_default \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_default));
SELECT (SELECT state FROM gofive.accounts WHERE account = 'sched_x') AS sched_x_state,
       count(*) FILTER (WHERE status = 'succeeded') AS sched_x_succeeded
FROM gofive.outbox WHERE account = 'sched_x';
-- with the circuit open, sched_x's requests are not sent one after another
SELECT count(*) < 15 AS few_attempts FROM pg_temp.sent() WHERE key = 'key-x-1234';
SELECT circuit, healthy FROM gofive.worker;
-- sched_x answers again: its backlog drains
SELECT mock.fault('{"mode": "none"}');
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE account = 'sched_x' AND status = 'succeeded') = 20$$);
SELECT state FROM gofive.accounts WHERE account = 'sched_x';

-- ---- a 429 pauses its account only ----
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 429, "retry_after": 600, "count": 1, "subscription_key": "key-x-1234"}');
SELECT pg_temp.enqueue_x('MN51001') AS id_x \gset
SELECT mock.wait_for($$(SELECT state FROM gofive.accounts WHERE account = 'sched_x') = 'paused'$$);
-- Retry-After 600 is cut to gofive.retry_max (2s here)
SELECT state, state_until - now() < interval '3 seconds' AS cut_to_retry_max
FROM gofive.accounts WHERE account = 'sched_x';
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN51002", "productCode": "PD001"}') AS id_default \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_default));
SELECT (SELECT status FROM gofive.outbox WHERE id = :id_x) AS sched_x_row_while_paused;
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_x));
SELECT status, attempts, http_status FROM gofive.outbox WHERE id = :id_x;
-- it was answered 429 once, then sent again after the pause
SELECT running_number, status FROM pg_temp.sent() ORDER BY at;

-- ---- a rate limit per account ----
ALTER SERVER sched_x OPTIONS (ADD rate_limit 'fast');
ALTER SERVER sched_x OPTIONS (ADD rate_limit '5');
SELECT mock.reset();
SELECT count(pg_temp.enqueue_x('MN52' || lpad(i::text, 3, '0'))) FROM generate_series(1, 12) AS i;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN52%' AND status = 'succeeded') = 12$$);
-- five at once (a second's worth), then five a second: 12 take more than a second
SELECT count(*) AS sent, max(at) - min(at) >= 1.0 AS spread_over_a_second FROM pg_temp.sent();
SELECT rate_limit FROM gofive.accounts WHERE account = 'sched_x';
ALTER SERVER sched_x OPTIONS (DROP rate_limit);

-- ---- an ordering key orders one account's and one role's requests ----
-- regress_sched_b's own user mapping is wrong: its requests wait, uncharged,
-- and do not hold back regress_sched_a's requests with the same key
CREATE USER MAPPING FOR regress_sched_b SERVER sched_x
    OPTIONS (client_id 'sched-x', client_secret 'wrong-secret', subscription_key 'key-x-1234');
SELECT mock.reset();
SET ROLE regress_sched_b;
SELECT pg_temp.enqueue_x('MN53001', 'C000055') AS id_b \gset
RESET ROLE;
SET ROLE regress_sched_a;
SELECT pg_temp.enqueue_x('MN53002', 'C000055') AS id_a \gset
RESET ROLE;
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_a));
SELECT mock.wait_for($$(SELECT state FROM gofive.accounts WHERE account = 'sched_x' AND role = 'regress_sched_b'::regrole) = 'refused'$$);
SELECT status, attempts FROM gofive.outbox WHERE id = :id_b;
SELECT role, state, waiting FROM gofive.accounts WHERE account = 'sched_x' ORDER BY role::text;
-- its mapping mended, its request goes
ALTER USER MAPPING FOR regress_sched_b SERVER sched_x OPTIONS (SET client_secret 'secret-x-1234');
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_b));
SELECT status, attempts FROM gofive.outbox WHERE id = :id_b;

-- ---- fair shares: a role's bulk load does not hold back another role ----
SELECT mock.reset();
SELECT mock.config('{"latency_ms": 5}');
SET ROLE regress_sched_a;
SELECT count(gofive_enqueue('upsert_serial',
             jsonb_build_object('runningNumber', 'MN54' || lpad(i::text, 4, '0'), 'productCode', 'PD001')))
FROM generate_series(1, 2000) AS i;
RESET ROLE;
SET ROLE regress_sched_b;
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN55000", "productCode": "PD001"}') AS id_b \gset
RESET ROLE;
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_b));
-- most of regress_sched_a's backlog is still waiting when regress_sched_b's request is done
SELECT count(*) FILTER (WHERE status = 'pending') > 1000 AS bulk_still_waiting
FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN54%';
SELECT mock.config('{"latency_ms": 0}');
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN54%' AND status = 'succeeded') = 2000$$, 120);

-- ---- cancelling ----
-- a request that waits (its lane's mapping refused) can be cancelled by its role
ALTER USER MAPPING FOR regress_sched_b SERVER sched_x OPTIONS (SET client_secret 'wrong-secret');
SET ROLE regress_sched_b;
SELECT pg_temp.enqueue_x('MN56001', 'K1') AS id_first, pg_temp.enqueue_x('MN56002', 'K1') AS id_second \gset
RESET ROLE;
SET ROLE regress_sched_a;
SELECT gofive_cancel(:id_first) AS cancelled_anothers;
RESET ROLE;
SET ROLE regress_sched_b;
SELECT gofive_cancel(:id_first) AS cancelled_own;
SELECT gofive_cancel(:id_first) AS cancelled_twice;
SELECT gofive_release(:id_second);
SELECT gofive_cancel_all('held');
RESET ROLE;
SELECT id = :id_first AS first, status, finished_at IS NOT NULL AS finished, last_error,
       next_attempt_at < 'infinity' AS due
FROM gofive.outbox WHERE id IN (:id_first, :id_second) ORDER BY id;
SELECT operation, pending, cancelled FROM gofive.queue WHERE operation = 'upsert_serial';
SET ROLE regress_sched_b;
SELECT gofive_cancel_all('pending') AS cancelled_rest;
RESET ROLE;
ALTER USER MAPPING FOR regress_sched_b SERVER sched_x OPTIONS (SET client_secret 'secret-x-1234');

-- ---- gofive.accounts: who sees what ----
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "subscription_key": "key-x-1234"}');
SELECT pg_temp.enqueue_x('MN57001') AS id_x \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'failed'$$, :id_x));
SELECT mock.wait_for($$(SELECT last_error IS NOT NULL FROM gofive.accounts WHERE account = 'sched_x' AND role = current_user::regrole)$$);
SELECT account, state, last_error IS NOT NULL AS error_shown FROM gofive.accounts
 WHERE account = 'sched_x' AND role = current_user::regrole;
SET ROLE regress_sched_a;
SELECT account, last_error IS NULL AS error_hidden FROM gofive.accounts
 WHERE account = 'sched_x' AND role = session_user::regrole;
RESET ROLE;

-- ---- a queued generic request's 2xx that is not JSON fails ----
SELECT mock.reset();
SELECT mock.fault('{"mode": "body", "path": "/v1/deals", "body": "<html>gateway</html>", "content_type": "text/html"}');
SELECT gofive_enqueue_request('GET', '/v1/deals') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'failed'$$, :id));
SELECT status, http_status, last_error FROM gofive.outbox WHERE id = :id;
SELECT mock.fault('{"mode": "none"}');

-- ---- 401 against 403 (outcome.c), the same rule as the sessions' ----
-- a 401: the token is renewed and the request sent again
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 401, "count": 1, "subscription_key": "key-x-1234"}');
SELECT pg_temp.enqueue_x('MN58001') AS id_x \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_x));
SELECT status, attempts FROM gofive.outbox WHERE id = :id_x;
SELECT e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;
-- a 403: a new token would not help; the row fails at once, no token is asked for
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 403, "count": 1, "subscription_key": "key-x-1234"}');
SELECT pg_temp.enqueue_x('MN58002') AS id_x \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'failed'$$, :id_x));
SELECT status, attempts, http_status, last_error FROM gofive.outbox WHERE id = :id_x;
SELECT e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;

-- ---- the token endpoint busy or down (outcome.c, gofive_judge_token) ----
-- an outage of the account, not refused credentials: its request waits,
-- uncharged, and goes once a token comes
SELECT mock.post('/_mock/client', '{"client_id": "sched-y", "client_secret": "secret-y-1234", "subscription_key": "key-y-1234"}') IS NOT NULL AS client_added;
ALTER USER MAPPING FOR PUBLIC SERVER sched_x
    OPTIONS (SET client_id 'sched-y', SET client_secret 'secret-y-1234', SET subscription_key 'key-y-1234');
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 503, "count": -1, "path": "/authorization/connect/token", "subscription_key": "key-y-1234"}');
SELECT pg_temp.enqueue_x('MN58003') AS id_x \gset
SELECT mock.wait_for($$(SELECT state FROM gofive.accounts WHERE account = 'sched_x' AND role = current_user::regrole) = 'open'$$);
SELECT state IN ('open', 'half-open') AS outage, last_error FROM gofive.accounts
 WHERE account = 'sched_x' AND role = current_user::regrole;
SELECT status, attempts FROM gofive.outbox WHERE id = :id_x;
SELECT mock.fault('{"mode": "none"}');
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_x));
SELECT status, attempts FROM gofive.outbox WHERE id = :id_x;
-- a 429 there: the same (the account is not 'refused')
SELECT mock.post('/_mock/client', '{"client_id": "sched-z", "client_secret": "secret-z-1234", "subscription_key": "key-z-1234"}') IS NOT NULL AS client_added;
ALTER USER MAPPING FOR PUBLIC SERVER sched_x
    OPTIONS (SET client_id 'sched-z', SET client_secret 'secret-z-1234', SET subscription_key 'key-z-1234');
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 429, "retry_after": 1, "count": -1, "path": "/authorization/connect/token", "subscription_key": "key-z-1234"}');
SELECT pg_temp.enqueue_x('MN58004') AS id_x \gset
SELECT mock.wait_for($$(SELECT state FROM gofive.accounts WHERE account = 'sched_x' AND role = current_user::regrole) = 'open'$$);
SELECT state IN ('open', 'half-open') AS outage, last_error FROM gofive.accounts
 WHERE account = 'sched_x' AND role = current_user::regrole;
SELECT mock.fault('{"mode": "none"}');
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_x));
SELECT status, attempts FROM gofive.outbox WHERE id = :id_x;
ALTER USER MAPPING FOR PUBLIC SERVER sched_x
    OPTIONS (SET client_id 'sched-x', SET client_secret 'secret-x-1234', SET subscription_key 'key-x-1234');

-- ---- which operations may be sent twice ----
SELECT name, method, idempotent FROM gofive.operations
 WHERE name IN ('upsert_serial', 'create_deal', 'upsert_customer', 'update_deal', 'convert_quotation',
                'enquire_quotations', 'reject_sales_orders')
 ORDER BY name;

-- ---- a retry by hand goes back before the later rows of its group ----
-- The claim takes a row that was never sent and became due after it was
-- queued for its group's head (only the unblock, a cancel and a release
-- make such rows), so a retry by hand of an earlier row must put such later
-- rows back to wait.  The rows are an account's that does not exist: the
-- worker sends none of them.
INSERT INTO gofive.outbox (operation, method, path, ordering_key, enqueued_by, account,
                           status, attempts, last_attempt_at, finished_at)
VALUES ('request', 'GET', '/v1/a', 'K-retry', current_user::regrole, 'sched_nowhere',
        'failed', 1, now(), now())
RETURNING id AS id_a \gset
-- unblocked when the first failed, not sent yet (the account waits)
INSERT INTO gofive.outbox (operation, method, path, ordering_key, enqueued_by, account,
                           enqueued_at, next_attempt_at)
VALUES ('request', 'GET', '/v1/b', 'K-retry', current_user::regrole, 'sched_nowhere',
        now() - interval '1 minute', now())
RETURNING id AS id_b \gset
-- sent once already, waiting for its retry: the claim checks its group itself
INSERT INTO gofive.outbox (operation, method, path, ordering_key, enqueued_by, account,
                           attempts, last_attempt_at, next_attempt_at)
VALUES ('request', 'GET', '/v1/c', 'K-retry', current_user::regrole, 'sched_nowhere',
        1, now(), now() + interval '1 hour')
RETURNING id AS id_c \gset
-- another group
INSERT INTO gofive.outbox (operation, method, path, ordering_key, enqueued_by, account,
                           enqueued_at, next_attempt_at)
VALUES ('request', 'GET', '/v1/d', 'K-other', current_user::regrole, 'sched_nowhere',
        now() - interval '1 minute', now())
RETURNING id AS id_d \gset
SELECT gofive_retry(:id_a) AS retried;
SELECT path, status, next_attempt_at = 'infinity' AS waits_for_the_retried_one
  FROM gofive.outbox WHERE id IN (:id_a, :id_b, :id_c, :id_d) ORDER BY id;
DELETE FROM gofive.outbox WHERE account = 'sched_nowhere';

DROP USER MAPPING FOR regress_sched_b SERVER sched_x;
DROP USER MAPPING FOR PUBLIC SERVER sched_x;
DELETE FROM gofive.outbox WHERE account = 'sched_x';
DROP SERVER sched_x;
DROP OWNED BY regress_sched_a, regress_sched_b;
DELETE FROM gofive.outbox WHERE enqueued_by::text LIKE 'regress_sched_%';
DROP ROLE regress_sched_a, regress_sched_b;

-- ---- a claim reads ahead; a row cancelled meanwhile is not sent ----
-- (max_concurrency 8: the claim reads all 12 rows, sends 8, whose answers
-- take 3 s, and keeps the other 4 for when slots free up; one of those 4 is
-- cancelled in the meantime)
SELECT mock.reset();
SELECT mock.fault('{"mode": "latency", "latency_ms": 3000, "count": 8}');
SELECT count(gofive_enqueue('upsert_serial',
             jsonb_build_object('runningNumber', 'MN57' || lpad(i::text, 3, '0'), 'productCode', 'PD001')))
FROM generate_series(1, 12) AS i;
SELECT mock.wait_for($$(SELECT in_flight FROM gofive.accounts
                         WHERE account IS NULL AND role = current_user::regrole) = 8$$);
SELECT gofive_cancel(id) AS cancelled_ahead FROM gofive.outbox WHERE body->>'runningNumber' = 'MN57010';
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                         WHERE body->>'runningNumber' LIKE 'MN57%' AND finished_at IS NULL) = 0$$);
SELECT body->>'runningNumber' AS serial, status, attempts
FROM gofive.outbox WHERE body->>'runningNumber' IN ('MN57001', 'MN57009', 'MN57010', 'MN57012') ORDER BY 1;
SELECT count(*) FILTER (WHERE o.body->>'runningNumber' = 'MN57010') AS cancelled_sent,
       count(DISTINCT o.id) AS sent
FROM gofive.outbox o
JOIN mock.journal() AS e ON (e->'headers'->>'x-request-id')::uuid = o.request_id
WHERE o.body->>'runningNumber' LIKE 'MN57%';
SELECT mock.fault('{"mode": "none"}');

-- ---- outcomes are recorded in groups ----
-- Rows recorded together share their finished_at (the recording
-- transaction's start).  A group holds at most 4 x max_concurrency answers
-- (32 here), plus the answers of one turn (up to max_concurrency, 8)
SELECT mock.reset();
SELECT count(gofive_enqueue('upsert_serial',
             jsonb_build_object('runningNumber', 'MN58' || lpad(i::text, 4, '0'), 'productCode', 'PD001')))
FROM generate_series(1, 400) AS i;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                         WHERE body->>'runningNumber' LIKE 'MN58%' AND status = 'succeeded') = 400$$);
SELECT max(n) <= 32 + 8 AS within_count
FROM (SELECT count(*) AS n FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN58%'
      GROUP BY finished_at) AS g;
-- and at most the data that 2 x max_concurrency answers of keep_response_size
-- keep (128,000 bytes here), plus one turn's answers: with answers of almost
-- keep_response_size, groups stay far below 32
ALTER SYSTEM SET gofive.keep_response_size = 8000;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
SELECT mock.fault('{"mode": "body", "generate": "json", "size": 7900, "path": "/v1/products/units"}');
SELECT count(gofive_enqueue_request('GET', '/v1/products/units')) FROM generate_series(1, 400);
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                         WHERE path = '/v1/products/units' AND status = 'succeeded') = 400$$);
SELECT count(response) AS kept, max(n) AS largest_group, 2 * 8 * 8000 / min(size) AS rows_in_bytes
FROM (SELECT count(*) OVER w AS n, response, pg_column_size(response::text::jsonb) AS size
      FROM gofive.outbox WHERE path = '/v1/products/units'
      WINDOW w AS (PARTITION BY finished_at)) AS g \gset
SELECT :kept AS kept, :largest_group <= :rows_in_bytes + 8 AS within_bytes,
       :rows_in_bytes + 8 < 32 AS below_the_count;
SELECT mock.fault('{"mode": "none"}');
ALTER SYSTEM RESET gofive.keep_response_size;
SELECT pg_reload_conf();
SELECT pg_sleep(0.5);
DELETE FROM gofive.outbox WHERE path = '/v1/products/units' OR body->>'runningNumber' LIKE 'MN58%';

-- ---- a claim starts after its lane's last row picked ----
-- A row that commits after later rows of its lane were sent comes before
-- them (an earlier id and due time): its commit makes the next claim read
-- the lane from its start, so it goes at once, not at the worker's
-- periodic look (10 s)
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('late', mock.conn());
SELECT dblink_exec('late', 'BEGIN');
SELECT * FROM dblink('late', $$SELECT gofive_enqueue('upsert_serial',
                                 '{"runningNumber": "MN59000", "productCode": "PD001"}')$$) AS t(id bigint) \gset late_
SELECT count(gofive_enqueue('upsert_serial',
             jsonb_build_object('runningNumber', 'MN59' || lpad(i::text, 3, '0'), 'productCode', 'PD001')))
FROM generate_series(1, 50) AS i;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                         WHERE body->>'runningNumber' LIKE 'MN59%' AND status = 'succeeded') = 50$$);
SELECT dblink_exec('late', 'COMMIT');
SELECT (SELECT max(id) FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN59%') > :late_id AS queued_first,
       mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :late_id), 2)
         AS sent_at_once;
SELECT dblink_disconnect('late');
DELETE FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN59%';

-- ---- an outcome is recorded on the row's latest version ----
-- The worker records outcomes without the executor, row by row; a row
-- changed meanwhile is left to the recording UPDATE, which follows it to
-- its latest version.  Here another session holds the row, changed, while
-- the answer comes in: the worker waits for it, then records the outcome
-- over that change.
SELECT mock.reset();
SELECT mock.fault('{"mode": "latency", "latency_ms": 1500, "count": 1}');
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN59500", "productCode": "PD001"}') AS held_id \gset
SELECT mock.wait_for($$(SELECT in_flight FROM gofive.accounts
                         WHERE account IS NULL AND role = current_user::regrole) = 1$$);
SELECT dblink_connect('holder', mock.conn());
SELECT dblink_exec('holder', 'BEGIN');
SELECT dblink_exec('holder', format($$UPDATE gofive.outbox SET last_error = 'changed meanwhile' WHERE id = %s$$, :held_id));
SELECT mock.wait_for($$(SELECT wait_event_type FROM pg_stat_activity
                         WHERE backend_type = 'gofive worker' AND datname = current_database()) = 'Lock'$$)
       AS worker_waits_for_the_row;
SELECT dblink_exec('holder', 'COMMIT');
SELECT dblink_disconnect('holder');
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :held_id));
SELECT pg_sleep(0.5);   -- a row whose outcome were lost would be sent again by now
SELECT status, attempts, last_error, http_status, jsonb_array_length(history) AS entries,
       history->0->>'outcome' AS outcome, finished_at IS NOT NULL AS finished,
       (SELECT count(*) FROM pg_temp.sent() WHERE running_number = 'MN59500') AS sent
FROM gofive.outbox WHERE id = :held_id;
DELETE FROM gofive.outbox WHERE id = :held_id;

-- ---- an update trigger added to the outbox still fires on outcomes ----
-- (the recording without the executor leaves such a table to the UPDATE)
CREATE TABLE public.regress_outcomes_seen (id bigint, status text);
CREATE FUNCTION public.regress_note_outcome() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO public.regress_outcomes_seen VALUES (NEW.id, NEW.status::text);
    RETURN NEW;
END $$;
CREATE TRIGGER regress_note_outcome AFTER UPDATE ON gofive.outbox
    FOR EACH ROW EXECUTE FUNCTION public.regress_note_outcome();
SELECT mock.reset();
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN59600", "productCode": "PD001"}') AS seen_id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :seen_id));
SELECT status FROM public.regress_outcomes_seen WHERE id = :seen_id;
DROP TRIGGER regress_note_outcome ON gofive.outbox;
DROP FUNCTION public.regress_note_outcome();
DROP TABLE public.regress_outcomes_seen;
DELETE FROM gofive.outbox WHERE id = :seen_id;

-- ---- without the claim's indexes as installed, the claim is the SQL's ----
-- (the claim without the executor reads outbox_due_idx and outbox_group_idx;
-- with one renamed it leaves the claim to CLAIM_SQL: a group still goes in
-- order, one request at a time)
ALTER INDEX gofive.outbox_group_idx RENAME TO regress_group_idx;
SELECT mock.reset();
SELECT count(gofive_enqueue('upsert_serial',
                            jsonb_build_object('runningNumber', 'MN5970' || i, 'productCode', 'PD001'),
                            'regress-sql-claim'))
FROM generate_series(1, 4) i;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                        WHERE ordering_key = 'regress-sql-claim' AND status = 'succeeded') = 4$$);
SELECT array_agg(running_number ORDER BY at) AS sent_in_order
FROM pg_temp.sent() WHERE running_number LIKE 'MN5970%';
ALTER INDEX gofive.regress_group_idx RENAME TO outbox_group_idx;
DELETE FROM gofive.outbox WHERE ordering_key = 'regress-sql-claim';

-- ---- two sessions queue into one group at once, and the first is retried ----
-- (neither enqueue saw the other's row, so both are due at once: the claim's
-- look for an earlier unfinished row of the group alone keeps the second
-- behind the first's retry)
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 503, "count": 1, "path": "/v3/products/serials"}');
SELECT dblink_connect('race1', mock.conn());
SELECT dblink_connect('race2', mock.conn());
SELECT dblink_exec('race1', 'BEGIN');
SELECT dblink_exec('race2', 'BEGIN');
SELECT id IS NOT NULL AS queued FROM dblink('race1', $$SELECT gofive_enqueue('upsert_serial',
    '{"runningNumber": "MN59801", "productCode": "PD001"}', 'regress-race')$$) AS t(id bigint);
SELECT id IS NOT NULL AS queued FROM dblink('race2', $$SELECT gofive_enqueue('upsert_serial',
    '{"runningNumber": "MN59802", "productCode": "PD001"}', 'regress-race')$$) AS t(id bigint);
SELECT dblink_exec('race1', 'COMMIT');
SELECT dblink_exec('race2', 'COMMIT');
SELECT dblink_disconnect('race1');
SELECT dblink_disconnect('race2');
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                        WHERE ordering_key = 'regress-race' AND status = 'succeeded') = 2$$);
-- the first was sent twice (503, then 200); the second only after it succeeded
SELECT array_agg(running_number || ':' || status ORDER BY at) AS sent_in_order
FROM pg_temp.sent() WHERE running_number LIKE 'MN598%';
DELETE FROM gofive.outbox WHERE ordering_key = 'regress-race';
