-- Upgrades: each released version (0.1 and 1.0, their scripts as released)
-- updated with ALTER EXTENSION gofive UPDATE equals a fresh install of the
-- current version: the same objects, with the same definitions, grants and
-- comments; and rows queued under the old version survive the update.
-- Before the update, every entry point of the library says so (VNCFG, both
-- versions, the hint to update).  Three databases, reached through dblink.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
CREATE SCHEMA regress_upgrade;

-- one line per property of every object of the extension
CREATE FUNCTION regress_upgrade.describe(db text) RETURNS SETOF text LANGUAGE sql AS $outer$
SELECT line FROM dblink(mock.conn(db), $q$
WITH ext AS (SELECT oid, extversion, extconfig, extcondition FROM pg_extension WHERE extname = 'gofive'),
members AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
rels AS (
    SELECT c.* FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid)
SELECT 'version ' || extversion FROM ext
UNION ALL
SELECT 'member ' || pg_describe_object(classid, objid, 0) FROM members
UNION ALL
SELECT 'function ' || pg_get_functiondef(p.oid) || ' acl ' || coalesce(p.proacl::text, '-')
       || ' comment ' || coalesce(obj_description(p.oid, 'pg_proc'), '-')
FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT 'relation ' || c.oid::regclass || ' kind ' || c.relkind::text || ' acl ' || coalesce(c.relacl::text, '-')
       || ' rls ' || c.relrowsecurity || ' options ' || coalesce(c.reloptions::text, '-') || ' comment ' || coalesce(obj_description(c.oid, 'pg_class'), '-')
FROM rels c
UNION ALL
SELECT 'column ' || c.oid::regclass || '.' || a.attname || ' #' || a.attnum || ' '
       || format_type(a.atttypid, a.atttypmod) || ' notnull ' || a.attnotnull
       || ' identity ' || a.attidentity::text || ' default ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
       || ' acl ' || coalesce(a.attacl::text, '-') || ' comment ' || coalesce(col_description(c.oid, a.attnum), '-')
FROM rels c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rels c ON c.oid = i.indrelid
UNION ALL
SELECT 'constraint ' || co.conname || ' ' || pg_get_constraintdef(co.oid)
FROM pg_constraint co JOIN rels c ON c.oid = co.conrelid
UNION ALL
SELECT 'view ' || c.oid::regclass || ' ' || pg_get_viewdef(c.oid) FROM rels c WHERE c.relkind = 'v'
UNION ALL
SELECT 'policy ' || p.tablename || '.' || p.policyname || ' ' || p.permissive || ' ' || p.roles::text
       || ' ' || p.cmd || ' using ' || coalesce(p.qual, '-') || ' check ' || coalesce(p.with_check, '-')
FROM pg_policies p WHERE p.schemaname = 'gofive'
UNION ALL
SELECT 'type ' || t.oid::regtype || ' ' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                                                    FROM pg_enum e WHERE e.enumtypid = t.oid), '-')
       || ' comment ' || coalesce(obj_description(t.oid, 'pg_type'), '-')
FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
UNION ALL
SELECT 'schema ' || n.nspname || ' acl ' || coalesce(n.nspacl::text, '-')
FROM pg_namespace n JOIN members m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
UNION ALL
SELECT 'wrapper ' || f.fdwname || ' validator ' || f.fdwvalidator::regproc || ' handler ' || f.fdwhandler::regproc
       || ' acl ' || coalesce(f.fdwacl::text, '-') || ' comment ' || coalesce(obj_description(f.oid, 'pg_foreign_data_wrapper'), '-')
FROM pg_foreign_data_wrapper f JOIN members m ON m.classid = 'pg_foreign_data_wrapper'::regclass AND m.objid = f.oid
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text
FROM pg_trigger t JOIN rels c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal
UNION ALL
SELECT 'dumped ' || u.c::regclass || ' where ' || coalesce(u.cond, '-')
FROM ext, unnest(ext.extconfig, ext.extcondition) AS u(c, cond)
$q$) AS t(line text)
$outer$;

CREATE DATABASE regress_upgraded;
CREATE DATABASE regress_from_10;
CREATE DATABASE regress_fresh;
SELECT * FROM dblink(mock.conn('regress_upgraded'), $$CREATE EXTENSION gofive VERSION '0.1'$$) AS t(r text);
SELECT * FROM dblink(mock.conn('regress_from_10'), $$CREATE EXTENSION gofive VERSION '1.0'$$) AS t(r text);
-- a request queued under each old version (the row as that version wrote
-- it: enqueueing through the old functions needs the update once the
-- library is newer, and so does the request id's default, below)
SELECT * FROM dblink(mock.conn('regress_upgraded'),
    $$INSERT INTO gofive.outbox (operation, method, path, body, request_id)
      VALUES ('upsert_serial', 'POST', '/v3/products/serials', '{"runningNumber": "MN00001", "productCode": "PD001"}',
              gen_random_uuid())$$)
    AS t(r text);
SELECT * FROM dblink(mock.conn('regress_from_10'),
    $$INSERT INTO gofive.outbox (operation, method, path, body, ordering_key, enqueued_by, request_id)
      VALUES ('upsert_serial', 'POST', '/v3/products/serials', '{"runningNumber": "MN00001", "productCode": "PD001"}',
              'MN00001', current_user::regrole, gen_random_uuid())$$)
    AS t(r text);

-- ---- before the update: every entry point of the library refuses, and says why ----
-- the SQLSTATE, message and hint of a statement run in another database
CREATE FUNCTION regress_upgrade.error_in(db text, stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    hint text;
BEGIN
    PERFORM * FROM dblink(mock.conn(db), stmt) AS t(r text);
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || ' (hint: ' || coalesce(hint, 'none') || ')';
END $$;
SELECT call, regress_upgrade.error_in('regress_from_10', stmt) AS error
FROM (VALUES
    ('typed call', $$SELECT gofive_upsert_serial('MN00002', 'PD001')$$),
    ('typed call, set-returning', $$SELECT count(*) FROM gofive_enquire_products('{}')$$),
    ('gofive_request', $$SELECT status FROM gofive_request('GET', '/v1/products')$$),
    ('gofive_enqueue', $$SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00002", "productCode": "PD001"}')$$),
    ('gofive_enqueue_request', $$SELECT gofive_enqueue_request('POST', '/v3/products/serials', '{}')$$),
    ('the request id default', $$INSERT INTO gofive.outbox (operation, method, path) VALUES ('request', 'GET', '/v1/x')$$),
    ('gofive_retry', $$SELECT gofive_retry(1)$$),
    ('gofive_retry_all', $$SELECT gofive_retry_all('dead')$$),
    ('gofive_purge', $$SELECT gofive_purge()$$),
    ('gofive_wake', $$SELECT gofive_wake()$$),
    ('gofive.worker', $$SELECT state FROM gofive.worker$$),
    ('gofive_format_datetime', $$SELECT gofive_format_datetime(date '2026-01-02')$$),
    ('gofive_url_encode', $$SELECT gofive_url_encode('a b')$$),
    ('the wrapper''s validator', $$CREATE SERVER regress_venio FOREIGN DATA WRAPPER gofive$$),
    -- a trigger made before the library was updated fires on every row
    ('the trigger', $$CREATE TABLE regress_erp (code text);
                      CREATE TRIGGER queue AFTER INSERT ON regress_erp FOR EACH ROW
                          EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code"}');
                      INSERT INTO regress_erp VALUES ('MN00002')$$),
    -- a foreign table made before: the wrapper's handler, when it is
    -- planned (made here without the validator, which refuses too)
    ('the wrapper''s handler', $$ALTER FOREIGN DATA WRAPPER gofive NO VALIDATOR;
                                CREATE SERVER regress_venio FOREIGN DATA WRAPPER gofive;
                                CREATE FOREIGN TABLE regress_units (unit_id int) SERVER regress_venio
                                    OPTIONS (resource 'product_units');
                                SELECT count(*) FROM regress_units$$)
) AS c(call, stmt);
-- the same from 0.1, where the raw error was: column "enqueued_by" of relation "outbox" does not exist
SELECT call, regress_upgrade.error_in('regress_upgraded', stmt) AS error
FROM (VALUES
    ('gofive_enqueue', $$SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00002", "productCode": "PD001"}')$$),
    ('gofive.worker', $$SELECT state FROM gofive.worker$$)
) AS c(call, stmt);
-- nothing was queued or made by them
SELECT (SELECT n FROM dblink(mock.conn('regress_from_10'), 'SELECT count(*) FROM gofive.outbox') AS t(n bigint)) AS from_10_rows,
       (SELECT n FROM dblink(mock.conn('regress_upgraded'), 'SELECT count(*) FROM gofive.outbox') AS t(n bigint)) AS from_01_rows,
       (SELECT n FROM dblink(mock.conn('regress_from_10'),
                             $$SELECT count(*) FROM pg_class WHERE relname IN ('regress_erp', 'regress_units')$$)
            AS t(n bigint)) AS tables_made;
SELECT * FROM dblink(mock.conn('regress_upgraded'), 'ALTER EXTENSION gofive UPDATE') AS t(r text);
SELECT * FROM dblink(mock.conn('regress_from_10'), 'ALTER EXTENSION gofive UPDATE') AS t(r text);
SELECT * FROM dblink(mock.conn('regress_fresh'), 'CREATE EXTENSION gofive') AS t(r text);

-- the same, line for line (and there is something to compare)
CREATE TEMP TABLE upgraded AS SELECT * FROM regress_upgrade.describe('regress_upgraded') AS line;
CREATE TEMP TABLE from_10 AS SELECT * FROM regress_upgrade.describe('regress_from_10') AS line;
CREATE TEMP TABLE fresh AS SELECT * FROM regress_upgrade.describe('regress_fresh') AS line;
SELECT count(*) > 100 AS many_lines, (SELECT line FROM fresh WHERE line LIKE 'version %') AS version FROM fresh;
SELECT 'only when updated from 0.1: ' || line AS difference FROM (SELECT line FROM upgraded EXCEPT ALL SELECT line FROM fresh) x
UNION ALL
SELECT 'only when fresh (not from 0.1): ' || line FROM (SELECT line FROM fresh EXCEPT ALL SELECT line FROM upgraded) y
UNION ALL
SELECT 'only when updated from 1.0: ' || line FROM (SELECT line FROM from_10 EXCEPT ALL SELECT line FROM fresh) z
UNION ALL
SELECT 'only when fresh (not from 1.0): ' || line FROM (SELECT line FROM fresh EXCEPT ALL SELECT line FROM from_10) w
ORDER BY 1;

-- the request queued under 0.1 is kept, and belongs to the table's owner
-- (only gofive_admin sees it); the one queued under 1.0 is kept as it was
SELECT * FROM dblink(mock.conn('regress_upgraded'),
    $$SELECT operation, enqueued_by::text = current_user, account FROM gofive.outbox$$)
    AS t(operation text, owned_by_owner boolean, account text);
SELECT * FROM dblink(mock.conn('regress_from_10'),
    $$SELECT operation, ordering_key, enqueued_by::text = current_user, status FROM gofive.outbox$$)
    AS t(operation text, ordering_key text, owned_by_owner boolean, status text);

\c regress_upgraded
SET client_min_messages = error;  -- whether a worker serves it depends on gofive.max_workers
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00002", "productCode": "PD001"}') > 0 AS queued_after_update;
\c regress_from_10
SET client_min_messages = error;
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00002", "productCode": "PD001"}') > 0 AS queued_after_update;
\c contrib_regression
DROP DATABASE regress_upgraded;
DROP DATABASE regress_from_10;
DROP DATABASE regress_fresh;
DROP SCHEMA regress_upgrade CASCADE;
