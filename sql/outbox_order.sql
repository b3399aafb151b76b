-- Ordering: requests with the same ordering key go one at a time, in
-- enqueue order, also when they are enqueued from several sessions at once
-- and the worker has several requests in flight.
TRUNCATE gofive.outbox;
SELECT mock.reset();
SELECT mock.config('{"latency_ms": 60}');

-- three keys, interleaved, from two sessions at once
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT dblink_connect('s2', mock.conn());
SELECT dblink_send_query('s2', $$
    SELECT count(gofive_enqueue('upsert_serial',
                 jsonb_build_object('runningNumber', 'MN2' || ascii(k) || lpad(i::text, 2, '0'), 'productCode', 'PD001'),
                 'key-' || k))
    FROM generate_series(1, 6) AS i, unnest(ARRAY['b', 'c']) AS k$$);
SELECT count(gofive_enqueue('upsert_serial',
             jsonb_build_object('runningNumber', 'MN2' || ascii(k) || lpad(i::text, 2, '0'), 'productCode', 'PD001'),
             'key-' || k))
FROM generate_series(1, 6) AS i, unnest(ARRAY['a', 'c']) AS k;
SELECT * FROM dblink_get_result('s2') AS t(n bigint);
SELECT dblink_disconnect('s2');
-- and some without a key, which may go in parallel
SELECT count(gofive_enqueue('upsert_serial',
             jsonb_build_object('runningNumber', 'MN29' || i, 'productCode', 'PD002')))
FROM generate_series(1, 10) AS i;

SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status <> 'succeeded') = 0$$);
SELECT count(*) AS delivered FROM gofive.outbox;

-- per key, the server saw the requests in enqueue (id) order ...
WITH sent AS (
    SELECT o.ordering_key, o.id, (e->>'seq')::int AS seq,
           (e->>'received_at')::float8 AS received_at
    FROM mock.journal() AS e
    JOIN gofive.outbox o ON o.request_id = (e->'headers'->>'x-request-id')::uuid
    WHERE o.ordering_key IS NOT NULL)
SELECT ordering_key, count(*) AS requests,
       array_agg(id ORDER BY seq) = array_agg(id ORDER BY id) AS in_enqueue_order
FROM sent GROUP BY 1 ORDER BY 1;
-- ... one at a time: each was received after the previous one's answer
-- (the server takes 60 ms per request)
WITH sent AS (
    SELECT o.ordering_key, (e->>'received_at')::float8 AS received_at
    FROM mock.journal() AS e
    JOIN gofive.outbox o ON o.request_id = (e->'headers'->>'x-request-id')::uuid
    WHERE o.ordering_key IS NOT NULL),
gaps AS (
    SELECT ordering_key, received_at - lag(received_at) OVER (PARTITION BY ordering_key ORDER BY received_at) AS gap
    FROM sent)
SELECT ordering_key, min(gap) >= 0.055 AS one_at_a_time FROM gaps GROUP BY 1 ORDER BY 1;
-- while requests without a key overlapped (one at a time would take at
-- least 9 x 60 ms)
WITH free AS (
    SELECT (e->>'received_at')::float8 AS received_at
    FROM mock.journal() AS e
    JOIN gofive.outbox o ON o.request_id = (e->'headers'->>'x-request-id')::uuid
    WHERE o.ordering_key IS NULL)
SELECT max(received_at) - min(received_at) < 0.45 AS overlapped FROM free;

-- a later request waits while an earlier one of its key is being retried
SELECT mock.reset();
SELECT mock.config('{"latency_ms": 0}');
SELECT mock.fault('{"mode": "status", "status": 500, "count": 2}');
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN30001", "productCode": "PD001"}', 'key-z') AS first,
       gofive_enqueue('upsert_serial', '{"runningNumber": "MN30002", "productCode": "PD001"}', 'key-z') AS second \gset
SELECT mock.wait_for(format($$(SELECT count(*) FROM gofive.outbox WHERE id IN (%s, %s) AND status = 'succeeded') = 2$$, :first, :second));
SELECT e->'body'->>'runningNumber' AS running_number, e->>'status' AS status
FROM mock.journal() AS e WHERE e->>'path' = '/v3/products/serials' ORDER BY (e->>'seq')::int;

-- while the earlier request of a key waits for its retry, the worker sleeps:
-- it does not spin on the later request that is due but held back
CREATE FUNCTION pg_temp.worker_cpu_ticks() RETURNS bigint
LANGUAGE sql AS $$
    SELECT f[12]::bigint + f[13]::bigint   -- utime + stime, after "(comm) "
    FROM gofive.worker,
         regexp_split_to_array(substring(pg_read_file('/proc/' || pid || '/stat') FROM '\) (.*)$'), ' ') AS f $$;
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 503, "count": -1, "path": "/v3/products/serials"}');
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN30003", "productCode": "PD001"}', 'key-y') AS first,
       gofive_enqueue('upsert_serial', '{"runningNumber": "MN30004", "productCode": "PD001"}', 'key-y') AS second \gset
SELECT mock.wait_for(format($$(SELECT attempts FROM gofive.outbox WHERE id = %s) >= 1$$, :first));
SELECT pg_temp.worker_cpu_ticks() AS ticks \gset
SELECT pg_sleep(1);
SELECT pg_temp.worker_cpu_ticks() - :ticks < 20 AS worker_slept;
SELECT mock.fault('{"mode": "none"}');
SELECT mock.wait_for(format($$(SELECT count(*) FROM gofive.outbox WHERE id IN (%s, %s) AND status IN ('succeeded', 'dead')) = 2$$, :first, :second));
-- and with nothing to do it uses no CPU at all
SELECT pg_temp.worker_cpu_ticks() AS ticks \gset
SELECT pg_sleep(1);
SELECT pg_temp.worker_cpu_ticks() - :ticks < 5 AS idle_worker_sleeps;
