-- A call waiting on a slow server stops promptly on statement_timeout and on
-- pg_cancel_backend, and the backend stays healthy.
SELECT mock.reset();
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true) IS NOT NULL AS warm;

-- statement_timeout
SELECT mock.fault('{"mode": "latency", "latency_ms": 20000, "count": 1}');
CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS t;
SET statement_timeout = '500ms';
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true);
RESET statement_timeout;
SELECT clock_timestamp() - t < interval '5 seconds' AS stopped_promptly FROM t0;
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)->>'runningNumber' AS healthy;

-- pg_cancel_backend from another session (through dblink)
CREATE EXTENSION dblink;
SELECT dblink_connect('other', mock.conn());
SELECT pid AS other_pid FROM dblink('other', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT mock.fault('{"mode": "latency", "latency_ms": 20000, "count": 1}');
TRUNCATE t0; INSERT INTO t0 VALUES (clock_timestamp());
SELECT dblink_send_query('other', $$SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)$$);
SELECT pg_sleep(0.5);
SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = :other_pid;
SELECT pg_cancel_backend(:other_pid);
SELECT * FROM dblink_get_result('other') AS t(r jsonb);
SELECT * FROM dblink_get_result('other') AS t(r jsonb);  -- the end of that query's results
SELECT clock_timestamp() - t < interval '5 seconds' AS stopped_promptly FROM t0;
-- the other session is still usable
SELECT * FROM dblink('other', $$SELECT (gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true))->>'runningNumber'$$) AS t(r text);
SELECT dblink_disconnect('other');
SELECT mock.fault('{"mode": "none"}');
