-- Every database: the launcher starts a worker for each database where
-- gofive is installed (test/postgresql.conf: gofive.max_workers = 2), stops
-- it when the extension or the database goes, and says what it cannot
-- serve.  Other databases are reached through dblink.
TRUNCATE gofive.outbox;
SELECT mock.reset();
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;

CREATE SCHEMA regress_dbs;
-- the gofive workers running per database, and the state of one database's
CREATE FUNCTION regress_dbs.workers(db text) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'gofive worker' AND datname = db $$;
CREATE FUNCTION regress_dbs.state_in(db text) RETURNS text LANGUAGE sql AS $$
    SELECT state FROM dblink(mock.conn(db), 'SELECT state FROM gofive.worker') AS t(state text) $$;

-- ---- a database created while running; CREATE EXTENSION is served within seconds ----
CREATE DATABASE regress_db2;
SELECT * FROM dblink(mock.conn('regress_db2'), 'CREATE EXTENSION gofive') AS t(r text);
SELECT mock.wait_for($$regress_dbs.workers('regress_db2') = 1$$, 10) AS served_within_10s;
SELECT mock.wait_for($$regress_dbs.state_in('regress_db2') = 'idle'$$) AS idle;
-- a database without gofive gets no worker (a worker looks, and leaves)
CREATE DATABASE regress_db3;
SELECT mock.wait_for($$regress_dbs.workers('regress_db3') = 0$$) AS no_worker;

-- ---- two databases draining at once ----
SELECT dblink_connect('db2', mock.conn('regress_db2'));
SELECT dblink_send_query('db2', $$
    SELECT count(gofive_enqueue('upsert_serial',
                 jsonb_build_object('runningNumber', 'MN7' || lpad(i::text, 4, '0'), 'productCode', 'PD001')))
    FROM generate_series(1, 500) AS i$$);
SELECT count(gofive_enqueue('upsert_serial',
             jsonb_build_object('runningNumber', 'MN8' || lpad(i::text, 4, '0'), 'productCode', 'PD001')))
FROM generate_series(1, 500) AS i;
SELECT * FROM dblink_get_result('db2') AS t(n bigint);
SELECT * FROM dblink_get_result('db2') AS t(n bigint);  -- the end of that query's results
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 500
                     AND (SELECT n FROM dblink('db2', $q$SELECT count(*) FROM gofive.outbox
                                                        WHERE status = 'succeeded'$q$) AS t(n bigint)) = 500$$, 60)
       AS both_drained;
-- each database's worker delivered its own rows, each request once
SELECT left(e->'body'->>'runningNumber', 3) AS database_prefix, count(*) AS requests,
       count(DISTINCT e->'headers'->>'x-request-id') AS request_ids
FROM mock.journal() AS e WHERE e->>'path' = '/v3/products/serials' GROUP BY 1 ORDER BY 1;
SELECT database, state, succeeded FROM dblink('db2', 'SELECT database, state, succeeded FROM gofive.worker')
    AS t(database text, state text, succeeded bigint);
SELECT database, state FROM gofive.worker;

-- ---- gofive.max_workers reached: the third database is not served, and says so ----
SELECT * FROM dblink(mock.conn('regress_db3'), 'CREATE EXTENSION gofive') AS t(r text);
SELECT pg_sleep(1.5);
SELECT regress_dbs.workers('regress_db3') AS db3_workers, regress_dbs.state_in('regress_db3') AS db3_state;
\c regress_db3
-- enqueueing there warns, once per session, naming the reason
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN90001", "productCode": "PD001"}') > 0 AS queued;
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN90002", "productCode": "PD001"}') > 0 AS queued;
\c contrib_regression
SELECT dblink_connect('db2', mock.conn('regress_db2'));
-- DROP EXTENSION stops db2's worker; its slot goes to db3, which delivers
SELECT * FROM dblink('db2', 'DROP EXTENSION gofive') AS t(r text);
SELECT mock.wait_for($$regress_dbs.workers('regress_db2') = 0$$, 10) AS db2_worker_gone;
SELECT mock.wait_for($$regress_dbs.workers('regress_db3') = 1$$, 10) AS db3_served;
SELECT mock.wait_for($$(SELECT n FROM dblink(mock.conn('regress_db3'),
                         $q$SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded'$q$) AS t(n bigint)) = 2$$)
       AS db3_delivered;
SELECT dblink_disconnect('db2');

-- ---- statements that need a database without connections still work ----
SELECT * FROM dblink(mock.conn('regress_db2'), 'CREATE EXTENSION gofive') AS t(r text);
SELECT * FROM dblink(mock.conn('regress_db3'), 'DROP EXTENSION gofive') AS t(r text);
SELECT mock.wait_for($$regress_dbs.workers('regress_db2') = 1$$, 10) AS db2_served_again;
-- and they keep the database's slot: db3 has gofive again and waits for one
SELECT * FROM dblink(mock.conn('regress_db3'), 'CREATE EXTENSION gofive') AS t(r text);
SELECT mock.wait_for($$regress_dbs.state_in('regress_db3') LIKE 'not served: gofive.max_workers%'$$, 10)
       AS db3_waits;
ALTER DATABASE regress_db2 RENAME TO regress_db2_renamed;
-- the renamed database is served again, under its new name, and db3 still waits
SELECT mock.wait_for($$regress_dbs.state_in('regress_db2_renamed') = 'idle'$$, 10) AS renamed_served;
SELECT regress_dbs.workers('regress_db2_renamed') AS renamed_workers, regress_dbs.workers('regress_db3') AS db3_workers,
       regress_dbs.state_in('regress_db3') AS db3_state;
SELECT database FROM dblink(mock.conn('regress_db2_renamed'), 'SELECT database FROM gofive.worker') AS t(database text);
-- a copy holds its template too
CREATE DATABASE regress_db4 TEMPLATE regress_db2_renamed;
SELECT mock.wait_for($$regress_dbs.state_in('regress_db2_renamed') = 'idle'$$, 10) AS template_served_again;
SELECT regress_dbs.workers('regress_db2_renamed') AS template_workers, regress_dbs.workers('regress_db3') AS db3_workers,
       regress_dbs.workers('regress_db4') AS copy_workers;
-- a dropped database gives its slot up
DROP DATABASE regress_db3;
DROP DATABASE regress_db2_renamed;
-- the copy has gofive (from its template): the launcher finds and serves it
SELECT mock.wait_for($$regress_dbs.workers('regress_db4') = 1$$, 15) AS copy_served;
DROP DATABASE regress_db4;
SELECT mock.wait_for($$(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'gofive worker') = 1$$)
       AS only_this_database_served;
SELECT database, state FROM gofive.worker;
DROP SCHEMA regress_dbs CASCADE;
