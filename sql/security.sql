-- Security: no path from any role to superuser through gofive, and each
-- role sees and manages only its own requests.
--
-- Every attack below records, in regress_evidence, who ran the attacker's
-- code, and tries to make the attacker superuser.  Each must leave the
-- attacker unprivileged; the legitimate request is still queued (or
-- refused with a clear error).
SELECT mock.reset();
TRUNCATE gofive.outbox;

CREATE ROLE regress_attacker;            -- an ERP application role
CREATE ROLE regress_erp_a;
CREATE ROLE regress_erp_b;
CREATE ROLE regress_clerk;               -- no gofive rights at all
CREATE ROLE regress_admin;
GRANT gofive_user TO regress_attacker, regress_erp_a, regress_erp_b;
GRANT gofive_admin TO regress_admin;
GRANT CREATE ON SCHEMA public TO regress_attacker;
GRANT CREATE ON DATABASE contrib_regression TO regress_attacker;

CREATE TABLE public.regress_evidence (who name, what text);
GRANT INSERT, SELECT ON public.regress_evidence TO PUBLIC;

-- the attacker's payload: note who runs it, then try to become superuser
CREATE FUNCTION public.regress_try_escalate(what text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.regress_evidence VALUES (current_user, what);
    BEGIN
        EXECUTE 'ALTER ROLE regress_attacker SUPERUSER';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END $$;

CREATE FUNCTION pg_temp.attacker_is_superuser() RETURNS boolean
LANGUAGE sql AS $$ SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_attacker' $$;

-- ---- 1. a user type's cast to json runs when the trigger converts a value ----
SET ROLE regress_attacker;
CREATE TYPE pg_temp.evil AS ENUM ('MN00001', 'MN00002');
CREATE FUNCTION pg_temp.evil_to_json(pg_temp.evil) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('cast');
    RETURN to_json($1::text);
END $$;
CREATE CAST (pg_temp.evil AS json) WITH FUNCTION pg_temp.evil_to_json(pg_temp.evil);
CREATE DOMAIN pg_temp.evil_domain AS pg_temp.evil;

-- the row trigger of the issue
CREATE TEMP TABLE t_row (rn pg_temp.evil);
CREATE TRIGGER x AFTER INSERT ON t_row FOR EACH ROW EXECUTE FUNCTION
    gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "rn", "productCode": "=PD001"}');
INSERT INTO t_row VALUES ('MN00001');
-- the statement-trigger form
CREATE TEMP TABLE t_stmt (rn pg_temp.evil);
CREATE TRIGGER x AFTER INSERT ON t_stmt REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION
    gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "rn", "productCode": "=PD002"}');
INSERT INTO t_stmt VALUES ('MN00002');
-- a domain over the user type
CREATE TEMP TABLE t_domain (rn pg_temp.evil_domain);
CREATE TRIGGER x AFTER INSERT ON t_domain FOR EACH ROW EXECUTE FUNCTION
    gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "rn", "productCode": "=PD003"}');
INSERT INTO t_domain VALUES ('MN00001');
-- the user type inside an array column
CREATE TEMP TABLE t_array (codes pg_temp.evil[]);
CREATE TRIGGER x AFTER INSERT ON t_array FOR EACH ROW EXECUTE FUNCTION
    gofive_enqueue_trigger('create_deal',
        '{"customerCodes": "codes", "boardId": 1, "dealName": "=array", "probability": 20,
          "dealValue": 1, "expectedCloseDate": "=2026-12-31T00:00:00+0700", "assignTo": "=staff01"}');
INSERT INTO t_array VALUES ('{MN00001,MN00002}');
RESET ROLE;

-- the casts ran, with the attacker's rights only; the attacker is no
-- superuser; the four requests are queued, as the attacker's
SELECT who, what, count(*) FROM public.regress_evidence GROUP BY 1, 2 ORDER BY 1, 2;
SELECT pg_temp.attacker_is_superuser() AS attacker_is_superuser;
SELECT enqueued_by, operation, body->>'runningNumber' AS running_number,
       body->>'productCode' AS product_code, body->'customerCodes' AS customer_codes
FROM gofive.outbox ORDER BY id;
TRUNCATE public.regress_evidence;

-- ---- 2. planted operators and functions: the attacker's own search_path ----
-- An operator for the outbox's enum and functions that shadow the ones
-- gofive's SQL calls, in a schema the attacker puts first, in public, and
-- in pg_temp.  gofive's SQL names pg_catalog's, so none of them runs.
SET ROLE regress_attacker;
CREATE SCHEMA regress_evil;
CREATE FUNCTION regress_evil.status_eq(gofive.request_status, gofive.request_status)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('operator');
    RETURN $1::text = $2::text;
END $$;
CREATE OPERATOR regress_evil.= (LEFTARG = gofive.request_status, RIGHTARG = gofive.request_status,
                                FUNCTION = regress_evil.status_eq);
CREATE OPERATOR public.= (LEFTARG = gofive.request_status, RIGHTARG = gofive.request_status,
                          FUNCTION = regress_evil.status_eq);
CREATE FUNCTION regress_evil.bigint_eq(bigint, bigint)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('bigint operator');
    RETURN $1 OPERATOR(pg_catalog.=) $2;
END $$;
CREATE OPERATOR regress_evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = regress_evil.bigint_eq);
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('now');
    RETURN pg_catalog.now();
END $$;
CREATE FUNCTION regress_evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('now');
    RETURN pg_catalog.now();
END $$;
CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('now');
    RETURN pg_catalog.now();
END $$;
CREATE FUNCTION public.unnest(text[]) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('unnest');
    RETURN QUERY SELECT pg_catalog.unnest($1);
END $$;
CREATE FUNCTION public.pg_has_role(oid, regrole, text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('pg_has_role');
    RETURN true;
END $$;
CREATE FUNCTION public.make_interval(secs double precision) RETURNS interval LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('make_interval');
    RETURN pg_catalog.make_interval(secs => secs);
END $$;
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.regress_try_escalate('lower');
    RETURN pg_catalog.lower($1);
END $$;
SET search_path = regress_evil, public, pg_catalog;

-- everything a gofive_user can do: enqueue (each form), retry, purge, look
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00003", "productCode": "PD001"}') > 0 AS queued;
SELECT gofive_enqueue_request('GET', '/v3/customers/C000349') > 0 AS queued;
CREATE TEMP TABLE t_plain (rn text);
CREATE TRIGGER x AFTER INSERT ON t_plain REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION
    gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "rn", "productCode": "=PD001"}', 'rn');
INSERT INTO t_plain VALUES ('MN00004'), ('MN00005');
SELECT gofive_retry(id) FROM gofive.outbox ORDER BY id LIMIT 1;
SELECT gofive_retry_all('dead');
SELECT gofive_retry_all('failed', 'upsert_serial');
SELECT gofive_purge();
SELECT operation, pending + sending + succeeded + failed + dead AS requests FROM gofive.queue ORDER BY 1;
SELECT state IS NOT NULL AS worker_state FROM gofive.worker;
RESET search_path;
RESET ROLE;

-- the worker delivers every request of the attacker, in a database where
-- the operator and the functions are planted in public, its default path
-- (this session compares the enum as text meanwhile: with the planted
-- public.= first in a superuser's default search_path, a bare comparison
-- here would run the attacker's operator as superuser, the very attack)
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                        WHERE status::text IN ('pending', 'sending')) = 0$$);
SELECT status::text, count(*) FROM gofive.outbox GROUP BY 1 ORDER BY 1;

-- nothing planted ran, neither in the attacker's calls nor in the worker
SELECT who, what FROM public.regress_evidence ORDER BY 1, 2;
SELECT pg_temp.attacker_is_superuser() AS attacker_is_superuser;

-- the worker's SQL runs as gofive_worker, which may change the outbox and
-- nothing else: it is no superuser, cannot log in, and nobody can act as it
SELECT rolsuper, rolcanlogin, rolbypassrls, rolcreaterole, rolcreatedb
FROM pg_roles WHERE rolname = 'gofive_worker';
SELECT count(*) AS members FROM pg_auth_members WHERE roleid = 'gofive_worker'::regrole;
SELECT has_table_privilege('gofive_worker', 'gofive.outbox', 'UPDATE') AS worker_updates_outbox,
       has_table_privilege('gofive_worker', 'pg_catalog.pg_authid', 'SELECT') AS worker_reads_elsewhere;

-- no function of gofive runs with its owner's rights
SELECT count(*) AS security_definer_functions
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'gofive')
  AND p.prosecdef;

DROP SCHEMA regress_evil CASCADE;   -- with public.=, which uses its function
DROP FUNCTION public.now(), public.unnest(text[]), public.pg_has_role(oid, regrole, text),
    public.make_interval(double precision), public.lower(text);
TRUNCATE public.regress_evidence;

-- ---- 3. requests belong to the role that enqueued them ----
TRUNCATE gofive.outbox;
SELECT mock.reset();
-- a table of erp_a's with a trigger; a clerk with no gofive rights inserts
CREATE TABLE public.regress_serials (rn text, pc text);
ALTER TABLE public.regress_serials OWNER TO regress_erp_a;
GRANT INSERT ON public.regress_serials TO regress_clerk;
SET ROLE regress_erp_a;
CREATE TRIGGER to_venio AFTER INSERT ON public.regress_serials FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "rn", "productCode": "pc"}');
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00001", "productCode": "PD001"}') > 0 AS queued;
-- rejected by the API: failed, with its message
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00002", "productCode": "NOPE"}') AS a_failed \gset
SET ROLE regress_clerk;
INSERT INTO public.regress_serials VALUES ('MN00004', 'PD001');
SELECT count(*) FROM gofive.outbox;   -- the clerk needs no rights on the outbox, and has none
RESET ROLE;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                        WHERE status IN ('pending', 'sending')) = 0$$);
-- b's request is rejected with another message
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v3/products/serials"}');
SET ROLE regress_erp_b;
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00003", "productCode": "NOPE"}', 'b') AS b_failed \gset
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00005", "productCode": "PD001"}', 'b') > 0 AS queued;
RESET ROLE;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                        WHERE status IN ('pending', 'sending')) = 0$$);
SELECT enqueued_by, body->>'runningNumber' AS running_number, status, messages
FROM gofive.outbox ORDER BY id;

-- each sees its own rows; the admin sees all
SET ROLE regress_erp_a;
SELECT enqueued_by, body->>'runningNumber' AS running_number, status, messages FROM gofive.outbox ORDER BY id;
SET ROLE regress_erp_b;
SELECT enqueued_by, body->>'runningNumber' AS running_number, status, messages FROM gofive.outbox ORDER BY id;
SET ROLE regress_admin;
SELECT enqueued_by, body->>'runningNumber' AS running_number, status FROM gofive.outbox ORDER BY id;

-- the queue counts everything; its last error comes only from rows you may see
SET ROLE regress_erp_a;
SELECT operation, succeeded, failed, last_error FROM gofive.queue;
SET ROLE regress_erp_b;
SELECT operation, succeeded, failed, last_error FROM gofive.queue;
SET ROLE regress_admin;
SELECT operation, succeeded, failed, last_error FROM gofive.queue;
SET ROLE regress_clerk;
SELECT operation FROM gofive.queue;   -- not a gofive_user: no access
-- the worker's last error is the admin's to read
SET ROLE regress_erp_b;
SELECT last_error IS NULL AS last_error_hidden FROM gofive.worker;
SET ROLE regress_admin;
SELECT last_error IS NOT NULL AS last_error_shown FROM gofive.worker;

-- b can neither retry a's request nor requeue it with retry_all; a can
SET ROLE regress_erp_b;
SELECT gofive_retry(:a_failed) AS b_retries_a;
SELECT gofive_retry_all('failed') AS b_requeued;
RESET ROLE;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                        WHERE status IN ('pending', 'sending')) = 0$$);
SET ROLE regress_erp_a;
SELECT gofive_retry(:a_failed) AS a_retries_a;
RESET ROLE;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox
                        WHERE status IN ('pending', 'sending')) = 0$$);
-- sent: MN00002 (a's) twice, after a's retry; MN00003 (b's) twice
SELECT e->'body'->>'runningNumber' AS running_number, count(*) AS sent
FROM mock.journal() AS e WHERE e->>'path' = '/v3/products/serials' GROUP BY 1 ORDER BY 1;

-- nobody but gofive writes the table
SET ROLE regress_erp_a;
UPDATE gofive.outbox SET status = 'pending';
DELETE FROM gofive.outbox;
INSERT INTO gofive.outbox (operation, method, path, enqueued_by) VALUES ('request', 'GET', '/x', 'regress_erp_b');
RESET ROLE;

-- purge: each purges its own succeeded requests, the admin everybody's.
-- (Made old in this transaction, so the worker's own purge cannot see them.)
BEGIN;
UPDATE gofive.outbox SET finished_at = finished_at - interval '30 days' WHERE status = 'succeeded';
SET LOCAL ROLE regress_erp_b;
SELECT gofive_purge() AS b_purged;
SET LOCAL ROLE regress_erp_a;
SELECT gofive_purge() AS a_purged;
RESET ROLE;
SELECT enqueued_by, status, count(*) FROM gofive.outbox GROUP BY 1, 2 ORDER BY 1, 2;
SET LOCAL ROLE regress_admin;
SELECT gofive_purge() AS admin_purged;
RESET ROLE;
SELECT count(*) AS succeeded_left FROM gofive.outbox WHERE status = 'succeeded';
COMMIT;

-- ---- 4. a gofive_worker someone could act as is refused at install ----
CREATE DATABASE regress_gofive_second;
ALTER ROLE gofive_worker LOGIN;
\c regress_gofive_second
CREATE EXTENSION gofive;
\c contrib_regression
ALTER ROLE gofive_worker NOLOGIN;
DROP DATABASE regress_gofive_second;

-- clean up
DROP TABLE public.regress_evidence;
DROP FUNCTION public.regress_try_escalate(text);
REVOKE CREATE ON SCHEMA public FROM regress_attacker;
REVOKE CREATE ON DATABASE contrib_regression FROM regress_attacker;
DROP OWNED BY regress_attacker, regress_erp_a, regress_erp_b, regress_clerk, regress_admin;
DROP ROLE regress_attacker, regress_erp_a, regress_erp_b, regress_clerk, regress_admin;
TRUNCATE gofive.outbox;
