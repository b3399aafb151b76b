-- The API down for a while: the worker backs off as a whole (the circuit
-- opens after a few failures in a row and one request probes now and then),
-- so a long outage does not use up the requests' attempts; when the API is
-- back, the backlog drains.
TRUNCATE gofive.outbox;
SELECT mock.reset();
-- a success first: an earlier suite's outage may have left the circuit open
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN40000", "productCode": "PD003"}') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id));
SELECT circuit FROM gofive.worker;
TRUNCATE gofive.outbox;
SELECT mock.reset();
SELECT mock.fault('{"mode": "drop", "count": -1}');
SELECT count(gofive_enqueue('upsert_serial',
             jsonb_build_object('runningNumber', 'MN4' || lpad(i::text, 4, '0'), 'productCode', 'PD003')))
FROM generate_series(1, 200) AS i;
SELECT mock.wait_for($$(SELECT circuit FROM gofive.worker) = 'open'$$);
SELECT last_error FROM gofive.worker;
-- several cool-downs pass (retry_base 100ms doubling to retry_max 2s)
SELECT pg_sleep(3);
-- few requests reached the server (without backing off as a whole, each of
-- the 200 would have been tried), and no request used up its attempts
SELECT count(*) < 100 AS few_requests FROM mock.journal();
SELECT count(*) FILTER (WHERE status = 'dead') AS dead, max(attempts) < 4 AS attempts_left
FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN4%';
-- the API is back
SELECT mock.fault('{"mode": "none"}');
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN4%' AND status = 'succeeded') = 200$$);
SELECT circuit FROM gofive.worker;
SELECT count(DISTINCT e->'headers'->>'x-request-id') AS distinct_delivered
FROM mock.journal() AS e WHERE e->>'status' = '200' AND e->>'path' = '/v3/products/serials';

-- ---- a request libcurl refuses to set up fails alone, not the worker ----
-- (an address over libcurl's 8 MB limit: were it the worker's error, each
-- new worker would claim the row again and exit on it)
SELECT pid AS worker_pid FROM gofive.worker \gset
SELECT gofive_enqueue_request('GET', '/v1/' || repeat('a', 8000000)) AS id \gset
SELECT mock.wait_for(format($$(SELECT attempts >= 1 FROM gofive.outbox WHERE id = %s)$$, :id));
SELECT attempts >= 1 AS tried, http_status, last_error FROM gofive.outbox WHERE id = :id;
SELECT pid = :worker_pid AS same_worker FROM gofive.worker;
DELETE FROM gofive.outbox WHERE id = :id;
