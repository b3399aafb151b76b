-- The transactional outbox: rollback sends nothing, commit sends exactly
-- once, outcomes are recorded, transient failures are retried with backoff,
-- API rejections fail at once, retries by hand, validation at enqueue time.
\set serial '{"runningNumber": "MN00001", "productCode": "PD001", "serialNumber": "IXX0010", "status": true}'
SELECT mock.reset();

-- ---- rollback: never sent; commit: sent exactly once ----
BEGIN;
SELECT gofive_enqueue('upsert_serial', :'serial') > 0 AS queued;
ROLLBACK;
SELECT count(*) AS rows_after_rollback FROM gofive.outbox;

SELECT gofive_enqueue('upsert_serial', :'serial') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id));
SELECT status, attempts, http_status, business_code, response, messages, last_error,
       finished_at >= enqueued_at AS finished_after_enqueue, duration_ms >= 0 AS timed
FROM gofive.outbox WHERE id = :id;
-- the rolled-back request never reached the server; the committed one once,
-- with the row's request id, written as uuid_out writes it
SELECT e->>'method' AS method, e->>'path' AS path, e->'body' = :'serial'::jsonb AS body_as_enqueued,
       e->'headers'->>'x-request-id' = (SELECT request_id::text FROM gofive.outbox WHERE id = :id) AS request_id
FROM mock.journal() AS e WHERE e->>'path' <> '/authorization/connect/token';

-- ---- validation at enqueue time: an error, and nothing written ----
SELECT gofive_enqueue('create_deal', '{"dealName": "no customer"}');
SELECT gofive_enqueue('upsert_serial', '{"productCode": "PD001"}');
SELECT gofive_enqueue('no_such_operation', '{}');
SELECT gofive_enqueue(NULL, '{}');
SELECT gofive_enqueue_request('GET', 'v1/deals');
SELECT count(*) AS rows_now FROM gofive.outbox;

-- ---- a rejection (400 / business code 4001) fails at once, with the message ----
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00002", "productCode": "NOPE"}') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) <> 'pending'
                               AND (SELECT status FROM gofive.outbox WHERE id = %s) <> 'sending'$$, :id, :id));
SELECT status, attempts, http_status, business_code, messages FROM gofive.outbox WHERE id = :id;

-- ---- transient failures are retried until they succeed ----
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 500, "count": 2}');
SELECT gofive_enqueue('upsert_serial', :'serial') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id));
SELECT status, attempts, http_status FROM gofive.outbox WHERE id = :id;
SELECT e->>'status' AS status, count(*) AS requests, count(DISTINCT e->'headers'->>'x-request-id') AS request_ids
FROM mock.journal() AS e WHERE e->>'path' = '/v3/products/serials' GROUP BY 1 ORDER BY 1;
-- its history keeps the two failures beside the success, in order; an entry
-- leaves out the keys that would be null (the success has no error)
SELECT n, h->>'outcome' AS outcome, h->>'http_status' AS http_status, h->>'error' AS error,
       h->>'messages' AS messages, (h->>'at')::timestamptz <= now() AS at_known,
       (h->>'duration_ms')::numeric >= 0 AS timed,
       (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(h) AS k) AS keys
FROM gofive.outbox, jsonb_array_elements(history) WITH ORDINALITY AS x(h, n) WHERE id = :id ORDER BY n;

-- ---- a request being retried shows its last error, on the row and in gofive.queue ----
SELECT mock.reset();
ALTER SYSTEM SET gofive.retry_base = '5s';
SELECT pg_reload_conf();
SELECT mock.fault('{"mode": "status", "status": 500, "count": -1, "path": "/v3/products/serials"}');
SELECT gofive_enqueue('upsert_serial', :'serial') AS id \gset
SELECT mock.wait_for(format($$(SELECT status = 'pending' AND attempts = 1 FROM gofive.outbox WHERE id = %s)$$, :id));
SELECT status, attempts, http_status, last_error, messages FROM gofive.outbox WHERE id = :id;
SELECT operation, pending, last_error FROM gofive.queue WHERE operation = 'upsert_serial';
SELECT mock.fault('{"mode": "none"}');
ALTER SYSTEM RESET gofive.retry_base;
SELECT pg_reload_conf();
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id));
-- success clears it from the row; the history keeps it
SELECT status, attempts, http_status, last_error FROM gofive.outbox WHERE id = :id;
SELECT h->>'outcome' AS outcome, h->>'http_status' AS http_status, h->>'error' AS error
FROM gofive.outbox, jsonb_array_elements(history) WITH ORDINALITY AS x(h, n) WHERE id = :id ORDER BY n;

-- 429: Retry-After is honoured
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 429, "retry_after": 1, "count": 1}');
SELECT gofive_enqueue('upsert_serial', :'serial') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id));
SELECT status, attempts FROM gofive.outbox WHERE id = :id;
SELECT max((e->>'received_at')::float8) - min((e->>'received_at')::float8) >= 1.0 AS waited_retry_after
FROM mock.journal() AS e WHERE e->>'path' = '/v3/products/serials';

-- a dropped connection, and a slow answer past gofive.timeout
SELECT mock.reset();
ALTER SYSTEM SET gofive.timeout = '500ms';
SELECT pg_reload_conf();
SELECT mock.fault('{"mode": "drop", "count": 1}');
SELECT mock.fault('{"mode": "latency", "latency_ms": 3000, "count": 1}');
SELECT gofive_enqueue('upsert_serial', :'serial') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id));
SELECT status, attempts FROM gofive.outbox WHERE id = :id;
ALTER SYSTEM RESET gofive.timeout;
SELECT pg_reload_conf();

-- ---- retries run out: dead; then retried by hand ----
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 503, "count": -1, "path": "/v3/products/serials"}');
SELECT gofive_enqueue('upsert_serial', :'serial') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'dead'$$, :id));
SELECT status, attempts, http_status, last_error FROM gofive.outbox WHERE id = :id;
SELECT operation, dead, last_error FROM gofive.queue WHERE operation = 'upsert_serial';
SELECT mock.fault('{"mode": "none"}');
SELECT gofive_retry(:id) AS requeued;
SELECT gofive_retry(:id) AS requeued_twice;
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id));
SELECT status, attempts FROM gofive.outbox WHERE id = :id;
SELECT string_agg(h->>'outcome', ', ' ORDER BY n) AS history
FROM gofive.outbox, jsonb_array_elements(history) WITH ORDINALITY AS x(h, n) WHERE id = :id;

-- the bulk form (429s: rate limiting is not an outage, every attempt counts)
SELECT mock.fault('{"mode": "status", "status": 429, "count": -1, "path": "/v3/products/serials"}');
SELECT gofive_enqueue('upsert_serial', :'serial') AS a, gofive_enqueue('upsert_serial', :'serial') AS b \gset
SELECT mock.wait_for(format($$(SELECT count(*) FROM gofive.outbox WHERE id IN (%s, %s) AND status = 'dead') = 2$$, :a, :b));
SELECT mock.fault('{"mode": "none"}');
SELECT gofive_retry_all() AS requeued;
SELECT gofive_retry_all('pending');
SELECT mock.wait_for(format($$(SELECT count(*) FROM gofive.outbox WHERE id IN (%s, %s) AND status = 'succeeded') = 2$$, :a, :b));
-- the history is bounded: the last 10 of the 12 attempts of a request dead
-- three times (429s: every attempt counts)
SELECT mock.fault('{"mode": "status", "status": 429, "count": -1, "path": "/v3/products/serials"}');
SELECT gofive_enqueue('upsert_serial', :'serial') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'dead'$$, :id));
SELECT gofive_retry(:id) AS requeued;
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'dead'$$, :id));
SELECT gofive_retry(:id) AS requeued;
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'dead'$$, :id));
SELECT mock.fault('{"mode": "none"}');
SELECT string_agg(h->>'outcome', ', ' ORDER BY n) AS history, count(*) AS kept
FROM gofive.outbox, jsonb_array_elements(history) WITH ORDINALITY AS x(h, n) WHERE id = :id;

-- ---- the indexes after the worker's recording: every row version in each ----
-- (the worker adds the final version's entries itself, worker_record.c)
CREATE EXTENSION amcheck;
SELECT i AS index, bt_index_check(i::regclass, heapallindexed => true) IS NOT NULL AS checked
FROM unnest(ARRAY['gofive.outbox_pkey', 'gofive.outbox_due_idx', 'gofive.outbox_group_idx']) AS i;
SELECT count(*) > 0 AS recorded_rows_checked FROM gofive.outbox WHERE finished_at IS NOT NULL;
DROP EXTENSION amcheck;

-- ---- retention ----
ALTER SYSTEM SET gofive.retention = 0;
SELECT pg_reload_conf();
SELECT pg_sleep(0.2);
SELECT gofive_purge() > 0 AS purged;
SELECT count(*) AS succeeded_left FROM gofive.outbox WHERE status = 'succeeded';
ALTER SYSTEM RESET gofive.retention;
SELECT pg_reload_conf();

-- ---- the worker's view ----
SELECT pid IS NOT NULL AS has_pid, database, circuit, sent > 0 AS sent, succeeded > 0 AS succeeded,
       failed > 0 AS failed, retried > 0 AS retried, dead > 0 AS dead
FROM gofive.worker;
-- a plain gofive_user sees that it runs and is healthy: its loop turned
-- within the minute, it met errors (when, not what: the text is for
-- gofive_admin), its circuit is closed
SELECT mock.wait_for($$(SELECT healthy FROM gofive.worker)$$) AS healthy;
CREATE ROLE regress_watcher IN ROLE gofive_user;
SET ROLE regress_watcher;
SELECT pid IS NOT NULL AS has_pid, state IN ('idle', 'delivering') AS working,
       last_active_at > now() - interval '1 minute' AS active, last_error_at <= now() AS error_time_shown,
       last_error IS NULL AS error_text_hidden, circuit, healthy
FROM gofive.worker;
RESET ROLE;
DROP ROLE regress_watcher;
