-- gofive 0.1 -> 1.0, hand-written part.  The Makefile puts the shared
-- roles and accounts pieces at the marker below, and the functions and
-- views (CREATE OR REPLACE) and the catalog's functions after the end.

\echo Use "ALTER EXTENSION gofive UPDATE TO '1.0'" to load this file. \quit

-- ---- roles and accounts ----
-- The roles (README, "Security").  Roles belong to the cluster, so a
-- second database finds them already there.
--   gofive_user:   may call the API and enqueue; sees and manages its own
--                  requests only (row-level security on gofive.outbox);
--   gofive_admin:  a gofive_user that sees and manages every request, and
--                  the worker's last error;
--   gofive_worker: the rights the outbox worker runs its SQL with (it may
--                  read and change the outbox, nothing else); never LOGIN,
--                  never granted to anybody.
-- Calls use the organisation's credentials and change CRM data, so nothing
-- is granted to PUBLIC.
DO $$
DECLARE
    r pg_catalog.text;
BEGIN
    FOREACH r IN ARRAY ARRAY['gofive_user', 'gofive_admin', 'gofive_worker'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
    -- a gofive_worker that someone could log in as, or act as, would hold
    -- the worker's rights on every request
    IF EXISTS (SELECT FROM pg_catalog.pg_roles
                WHERE rolname OPERATOR(pg_catalog.=) 'gofive_worker'
                  AND (rolcanlogin OR rolsuper OR rolbypassrls))
       OR EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                    JOIN pg_catalog.pg_roles g ON g.oid OPERATOR(pg_catalog.=) m.roleid
                   WHERE g.rolname OPERATOR(pg_catalog.=) 'gofive_worker') THEN
        RAISE EXCEPTION 'role gofive_worker must be NOLOGIN, not a superuser, and have no members'
            USING ERRCODE = 'VNCFG',
                  HINT = 'Someone created or changed this role; drop it or correct it, then create the extension again.';
    END IF;
    IF NOT pg_catalog.pg_has_role('gofive_admin', 'gofive_user', 'MEMBER') THEN
        GRANT gofive_user TO gofive_admin;
    END IF;
END
$$;
-- Venio accounts beside the default one (the gofive.* settings): foreign
-- servers of this wrapper, credentials in user mappings (src/account.c).
-- Only superusers may create servers unless granted USAGE on the wrapper.
CREATE FUNCTION gofive_fdw_validator(options text[], catalog oid)
RETURNS void
AS 'MODULE_PATHNAME', 'gofive_fdw_validator'
LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION gofive_fdw_validator(text[], oid) FROM PUBLIC;
-- the handler makes the CRM's readable resources foreign tables (src/fdw.c)
CREATE FUNCTION gofive_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME', 'gofive_fdw_handler'
LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION gofive_fdw_handler() FROM PUBLIC;
CREATE FOREIGN DATA WRAPPER gofive HANDLER gofive_fdw_handler VALIDATOR gofive_fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER gofive IS
    'Venio accounts: CREATE SERVER ... FOREIGN DATA WRAPPER gofive OPTIONS (base_url ...), credentials in the user mapping, selected with gofive.server';

-- ---- functions move to public.gofive_* (triggers and views follow by oid) ----
ALTER FUNCTION gofive.new_request_id() RENAME TO gofive_new_request_id;
ALTER FUNCTION gofive.gofive_new_request_id() SET SCHEMA public;
ALTER FUNCTION gofive.enqueue_trigger() RENAME TO gofive_enqueue_trigger;
ALTER FUNCTION gofive.gofive_enqueue_trigger() SET SCHEMA public;
ALTER FUNCTION gofive.wake() RENAME TO gofive_wake;
ALTER FUNCTION gofive.gofive_wake() SET SCHEMA public;
ALTER FUNCTION gofive.purge() RENAME TO gofive_purge;
ALTER FUNCTION gofive.gofive_purge() SET SCHEMA public;
ALTER FUNCTION gofive.worker_stats() RENAME TO gofive_worker_stats;
ALTER FUNCTION gofive.gofive_worker_stats() SET SCHEMA public;

-- ---- the worker's view gains columns: made again (sql/install/functions.sql) ----
DROP VIEW gofive.worker;
DROP FUNCTION gofive_worker_stats();

-- ---- the outbox: whose request, which account ----
-- Requests queued under 0.1 belong to the table's owner: only gofive_admin
-- (and the superuser) sees and manages them.
ALTER TABLE gofive.outbox ADD COLUMN enqueued_by regrole, ADD COLUMN account text;
UPDATE gofive.outbox SET enqueued_by =
    (SELECT c.relowner FROM pg_catalog.pg_class c
      WHERE c.oid OPERATOR(pg_catalog.=) 'gofive.outbox'::pg_catalog.regclass)::pg_catalog.regrole;
ALTER TABLE gofive.outbox ALTER COLUMN enqueued_by SET NOT NULL;
COMMENT ON COLUMN gofive.outbox.account IS
    'The Venio account (a foreign server of the gofive wrapper, by name) whose base URL and credentials deliver it: gofive.server when it was queued; NULL: the default account (the gofive.* settings)';
COMMENT ON COLUMN gofive.outbox.enqueued_by IS
    'The role that enqueued the request (for a trigger, the role whose statement fired it); it alone, its members and gofive_admin see and manage the row';

-- ---- the outbox: each row's last attempts ----
ALTER TABLE gofive.outbox ADD COLUMN history jsonb NOT NULL DEFAULT '[]'::jsonb;
COMMENT ON COLUMN gofive.outbox.history IS
    'The last 10 attempts, oldest first, kept whatever the outcome: {"at": when it was sent, "outcome": succeeded, failed, retry or dead, "http_status", "error", "messages", "duration_ms"}';

-- the same indexes, their predicates written with qualified operators
DROP INDEX gofive.outbox_pending_idx, gofive.outbox_ordering_idx, gofive.outbox_finished_idx;
CREATE INDEX outbox_pending_idx ON gofive.outbox (id)
    WHERE status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status;
CREATE INDEX outbox_ordering_idx ON gofive.outbox (ordering_key, id)
    WHERE ordering_key IS NOT NULL
      AND status OPERATOR(pg_catalog.=) ANY ('{pending,sending}'::gofive.request_status[]);
CREATE INDEX outbox_finished_idx ON gofive.outbox (finished_at)
    WHERE status OPERATOR(pg_catalog.=) 'succeeded'::gofive.request_status;

ALTER TABLE gofive.outbox ALTER COLUMN next_attempt_at SET DEFAULT pg_catalog.now(),
                          ALTER COLUMN enqueued_at SET DEFAULT pg_catalog.now();
GRANT SELECT, UPDATE, DELETE ON gofive.outbox TO gofive_worker;
GRANT USAGE ON SCHEMA gofive TO gofive_worker;
ALTER TABLE gofive.outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_requests ON gofive.outbox FOR SELECT TO PUBLIC
    USING (pg_catalog.pg_has_role(enqueued_by, 'USAGE'));
CREATE POLICY admin_all ON gofive.outbox FOR SELECT TO gofive_admin
    USING (true);
CREATE POLICY worker_all ON gofive.outbox FOR ALL TO gofive_worker
    USING (true) WITH CHECK (true);

-- ---- the functions and views follow (sql/install/functions.sql) ----
-- ---------------------------------------------------------------------
-- Backups keep the queue.  New in 1.0: the upgrade from 0.1 includes this
-- piece as it is (Makefile), so it runs once per database, after the
-- outbox exists.
--
-- pg_dump dumps every row of the outbox (an extension member, whose data
-- pg_dump would otherwise skip) and the value of its identity sequence, so
-- that new ids continue after the restored ones.
-- ---------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('gofive.outbox', '');
SELECT pg_catalog.pg_extension_config_dump('gofive.outbox_id_seq', '');

-- A row is only ever inserted 'sending' by a restore (gofive inserts rows
-- 'pending', the worker claims them by UPDATE).  Whether it was sent before
-- the backup is not known, so it is queued again, as after a crash
-- (src/worker_db.c): the worker of the restored database may have started,
-- and recovered its rows left sending, before the data was loaded.
CREATE FUNCTION gofive_requeue_restored()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
    NEW.status := 'pending'::gofive.request_status;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION gofive_requeue_restored() IS
    'Trigger: a row restored as sending is queued again, as after a crash';
REVOKE ALL ON FUNCTION gofive_requeue_restored() FROM PUBLIC;
CREATE TRIGGER requeue_restored BEFORE INSERT ON gofive.outbox
    FOR EACH ROW WHEN (NEW.status OPERATOR(pg_catalog.=) 'sending'::gofive.request_status)
    EXECUTE FUNCTION gofive_requeue_restored();
-- Functions and views of the outbox.  CREATE OR REPLACE: the upgrade
-- scripts include this file as it is (Makefile).
-- ---- enqueueing ----
--
-- None of these is SECURITY DEFINER: they validate and convert with the
-- caller's rights, then insert as the outbox's owner (src/privilege.c).

CREATE OR REPLACE FUNCTION gofive_enqueue(operation text, payload jsonb, ordering_key text DEFAULT NULL,
                               params jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) IS
    'Validate a request for a catalog operation and queue it in this transaction; params holds path and query arguments by name; returns the outbox id';

CREATE OR REPLACE FUNCTION gofive_enqueue_request(method text, path text, body jsonb DEFAULT NULL,
                                       ordering_key text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue_request'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) IS
    'Queue a request for any path (the generic form of gofive_enqueue); returns the outbox id';

CREATE OR REPLACE FUNCTION gofive_enqueue_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'gofive_enqueue_trigger'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_enqueue_trigger() IS
    'Trigger: enqueue one request per row; arguments: operation, mapping (jsonb text), [ordering key column]';

CREATE OR REPLACE FUNCTION gofive_wake()
RETURNS void
AS 'MODULE_PATHNAME', 'gofive_wake'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_wake() IS 'Wake the worker when the current transaction commits';

-- ---- retrying by hand, cleaning up: the caller's own requests ----

CREATE OR REPLACE FUNCTION gofive_retry(id bigint)
RETURNS boolean
AS 'MODULE_PATHNAME', 'gofive_retry'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_retry(bigint) IS
    'Queue a failed or dead request of yours again; false if there is no such request';

CREATE OR REPLACE FUNCTION gofive_retry_all(status gofive.request_status DEFAULT 'dead',
                                 operation text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_retry_all'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_retry_all(gofive.request_status, text) IS
    'Queue every failed or dead request of yours (of one operation, if given) again; returns how many';

CREATE OR REPLACE FUNCTION gofive_purge()
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_purge'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive_purge() IS
    'Delete your succeeded requests older than gofive.retention now (the worker deletes everybody''s every minute); returns how many';

-- ---- observing ----

-- Counts over every request; the last error only from requests the reader
-- may see (the view reads the table with its owner's rights, the
-- expressions are evaluated as the reader): of a failed or dead request, or
-- of one waiting for its retry, the latest attempt's first.
CREATE OR REPLACE VIEW gofive.queue AS
SELECT o.operation,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status)   AS pending,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'sending'::gofive.request_status)   AS sending,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'succeeded'::gofive.request_status) AS succeeded,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'failed'::gofive.request_status)    AS failed,
       pg_catalog.count(*) FILTER (WHERE o.status OPERATOR(pg_catalog.=) 'dead'::gofive.request_status)      AS dead,
       pg_catalog.now() OPERATOR(pg_catalog.-) pg_catalog.min(o.enqueued_at)
           FILTER (WHERE o.status OPERATOR(pg_catalog.=) ANY ('{pending,sending}'::gofive.request_status[]))
           AS oldest_pending_age,
       (pg_catalog.array_agg(coalesce(o.messages, o.last_error)
                             ORDER BY coalesce(o.finished_at, o.last_attempt_at) DESC)
            FILTER (WHERE (o.status OPERATOR(pg_catalog.=) ANY ('{failed,dead}'::gofive.request_status[])
                           OR (o.status OPERATOR(pg_catalog.=) 'pending'::gofive.request_status
                               AND o.last_error IS NOT NULL))
                      AND (pg_catalog.pg_has_role(o.enqueued_by, 'USAGE')
                           OR pg_catalog.pg_has_role('gofive_admin', 'USAGE'))))[1] AS last_error
FROM gofive.outbox o
GROUP BY o.operation;
COMMENT ON VIEW gofive.queue IS
    'The outbox by operation: counts by status, oldest pending age, and the last error (of a failed or dead request, or of one waiting to be retried) among the requests you may see';

CREATE OR REPLACE FUNCTION gofive_worker_stats(
    OUT pid integer, OUT database text, OUT state text, OUT started_at timestamptz,
    OUT in_flight integer, OUT sent bigint, OUT succeeded bigint, OUT failed bigint,
    OUT retried bigint, OUT dead bigint, OUT circuit text, OUT circuit_until timestamptz,
    OUT last_error text, OUT last_active_at timestamptz, OUT last_error_at timestamptz,
    OUT healthy boolean)
RETURNS record
AS 'MODULE_PATHNAME', 'gofive_worker_stats'
LANGUAGE C VOLATILE;

CREATE OR REPLACE VIEW gofive.worker AS SELECT * FROM gofive_worker_stats();
COMMENT ON VIEW gofive.worker IS
    'The outbox worker: state, requests in flight, counters since it started, circuit breaker, when its loop last turned, when it last met an error, whether it is healthy (running, active within a minute, circuit closed); its last error for gofive_admin';

GRANT SELECT ON gofive.queue, gofive.worker TO gofive_user;

REVOKE ALL ON FUNCTION gofive_worker_stats() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_retry(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_retry_all(gofive.request_status, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_purge() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_wake() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_enqueue_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_worker_stats() TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue_trigger() TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_retry(bigint) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_retry_all(gofive.request_status, text) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_purge() TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_wake() TO gofive_user;

-- ---- dates and times in the API's formats (src/datetime.c) ----

CREATE OR REPLACE FUNCTION gofive_format_datetime(value date, format text DEFAULT 'offset',
                                                  time_zone text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'gofive_format_date'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION gofive_format_datetime(value timestamp, format text DEFAULT 'offset',
                                                  time_zone text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'gofive_format_timestamp'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE OR REPLACE FUNCTION gofive_format_datetime(value timestamptz, format text DEFAULT 'offset',
                                                  time_zone text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'gofive_format_timestamptz'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION gofive_format_datetime(date, text, text) IS
    'A date (its midnight in time_zone, default gofive.time_zone) as the API writes it: offset, offset_ms, local, space, date or utc';
COMMENT ON FUNCTION gofive_format_datetime(timestamp, text, text) IS
    'A wall-clock time in time_zone (default gofive.time_zone) as the API writes it: offset, offset_ms, local, space, date or utc';
COMMENT ON FUNCTION gofive_format_datetime(timestamptz, text, text) IS
    'An instant, written in time_zone (default gofive.time_zone) as the API writes it: offset, offset_ms, local, space, date or utc';

-- Generated by tools/gen_sql from src/catalog.c: one function per operation.

CREATE OR REPLACE FUNCTION gofive_upsert_customer(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_customer(jsonb) IS 'Create or Update customer: POST /v3/customers';
REVOKE ALL ON FUNCTION gofive_upsert_customer(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_customer(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_create_customer_satisfaction(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_customer_satisfaction(jsonb) IS 'Create Customer Satisfaction: POST /v3/customers/satisfaction';
REVOKE ALL ON FUNCTION gofive_create_customer_satisfaction(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_customer_satisfaction(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_create_customer_event(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_customer_event(jsonb) IS 'Add Customer Event: POST /v1/customerEvent';
REVOKE ALL ON FUNCTION gofive_create_customer_event(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_customer_event(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_list_customer_events(customer_code text, event_type_ids integer DEFAULT NULL, filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_list_customer_events(text, integer, jsonb) IS 'Get Customer Events by Customer Code: GET /v1/customerEvent/filter';
REVOKE ALL ON FUNCTION gofive_list_customer_events(text, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_list_customer_events(text, integer, jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_update_customer_event(event_id text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_customer_event(text, jsonb) IS 'Edit Customer Event: PUT /v1/customerEvent/{eventId}';
REVOKE ALL ON FUNCTION gofive_update_customer_event(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_customer_event(text, jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_list_customer_event_types()
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_list_customer_event_types() IS 'Get Customer Event Types: GET /v1/customerEvent/event-types';
REVOKE ALL ON FUNCTION gofive_list_customer_event_types() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_list_customer_event_types() TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_create_case(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_case(jsonb) IS 'Add Case: POST /v1/case';
REVOKE ALL ON FUNCTION gofive_create_case(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_case(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_update_case(case_no text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_case(text, jsonb) IS 'Edit Case by CaseNo: PUT /v1/case/{caseNo}';
REVOKE ALL ON FUNCTION gofive_update_case(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_case(text, jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_get_contract(contract_no text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_contract(text) IS 'Get Contract By No: GET /v1/contract/{no}';
REVOKE ALL ON FUNCTION gofive_get_contract(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_contract(text) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_upsert_contract(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_contract(jsonb) IS 'Create or Update Contract: POST /v1/contract';
REVOKE ALL ON FUNCTION gofive_upsert_contract(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_contract(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_upsert_contract_service(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_contract_service(jsonb) IS 'Create or Update Contract Service Agreement: POST /v1/contract/service-agreement';
REVOKE ALL ON FUNCTION gofive_upsert_contract_service(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_contract_service(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_create_deal(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_deal(jsonb) IS 'Create Deal: POST /v1/deals';
REVOKE ALL ON FUNCTION gofive_create_deal(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_deal(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_update_deal(deal_id bigint, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_deal(bigint, jsonb) IS 'Update Deal: PUT /v1/deals/{id}';
REVOKE ALL ON FUNCTION gofive_update_deal(bigint, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_deal(bigint, jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_create_expense(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_expense(jsonb) IS 'Create Expense: POST /v1/Expenses';
REVOKE ALL ON FUNCTION gofive_create_expense(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_expense(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_update_expense(expense_id text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_expense(text, jsonb) IS 'Update Expense: PUT /v1/Expenses/{id}';
REVOKE ALL ON FUNCTION gofive_update_expense(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_expense(text, jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_enquire_expenses(filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_enquire_expenses(jsonb) IS 'Expense Enquiry: POST /v1/expenses/enquiry';
REVOKE ALL ON FUNCTION gofive_enquire_expenses(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_enquire_expenses(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_get_expense(expense_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_expense(text) IS 'Get a Expense: GET /v1/expenses/{id}';
REVOKE ALL ON FUNCTION gofive_get_expense(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_expense(text) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_upsert_products(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_products(jsonb) IS 'Create Or Update Products: POST /v3/Products';
REVOKE ALL ON FUNCTION gofive_upsert_products(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_products(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_list_products(filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_list_products(jsonb) IS 'Get Products With Take & Status: POST /v2/Products/GetProduct';
REVOKE ALL ON FUNCTION gofive_list_products(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_list_products(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_get_product(product_code text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_product(text) IS 'Get a Product by ProductCode: GET /v2/products/{productCode}';
REVOKE ALL ON FUNCTION gofive_get_product(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_product(text) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_enquire_products(filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_enquire_products(jsonb) IS 'Get Products By Filter: POST /v1/products/getProduct';
REVOKE ALL ON FUNCTION gofive_enquire_products(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_enquire_products(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_verify_serial(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_verify_serial(jsonb) IS 'Verify Serial Number: POST /v3/products/serials/verification';
REVOKE ALL ON FUNCTION gofive_verify_serial(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_verify_serial(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_get_serial_status(params jsonb DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_serial_status(jsonb) IS '/v3/Products/serials/status: GET /v3/Products/serials/status';
REVOKE ALL ON FUNCTION gofive_get_serial_status(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_serial_status(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_upsert_serial(running_number text, product_code text DEFAULT NULL, serial_number text DEFAULT NULL, status boolean DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_serial(text, text, text, boolean) IS 'Create or Update Codeguard Products: POST /v3/products/serials';
REVOKE ALL ON FUNCTION gofive_upsert_serial(text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_serial(text, text, text, boolean) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_update_product_stock(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_product_stock(jsonb) IS 'Update Product Stock: PUT /v1/products/stock';
REVOKE ALL ON FUNCTION gofive_update_product_stock(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_product_stock(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_list_product_units()
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_list_product_units() IS '/v1/products/units: GET /v1/products/units';
REVOKE ALL ON FUNCTION gofive_list_product_units() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_list_product_units() TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_upsert_quotation(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_quotation(jsonb) IS 'Create Update Quotation: POST /v2/quotation';
REVOKE ALL ON FUNCTION gofive_upsert_quotation(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_quotation(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_convert_quotation(quotation_no text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_convert_quotation(text) IS 'Convert Quotation To SalesOrder: POST /v1/quotation/{quotationNo}/convert-to-salesorder';
REVOKE ALL ON FUNCTION gofive_convert_quotation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_convert_quotation(text) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_enquire_quotations(filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_enquire_quotations(jsonb) IS 'Quotation Enquiry: POST /v1/quotation/enquiry';
REVOKE ALL ON FUNCTION gofive_enquire_quotations(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_enquire_quotations(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_get_quotation(quotation_no text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_quotation(text) IS 'Get a Quotation By QuotationNo: GET /v1/quotation/{quotationNo}';
REVOKE ALL ON FUNCTION gofive_get_quotation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_quotation(text) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_get_sales_order(sales_order_no text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_sales_order(text) IS 'Get a SalesOrder By SalesOrderNo: GET /v2/salesorder/{salesOrderNo}';
REVOKE ALL ON FUNCTION gofive_get_sales_order(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_sales_order(text) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_update_sales_order_payment(sales_order_no text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_sales_order_payment(text, jsonb) IS 'Update SalesOrder Payment: PUT /v2/salesorder/{salesOrderNo}/payment';
REVOKE ALL ON FUNCTION gofive_update_sales_order_payment(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_sales_order_payment(text, jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_reject_sales_orders(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_reject_sales_orders(jsonb) IS 'Reject SaleOrder: DELETE /v1/salesorders/reject';
REVOKE ALL ON FUNCTION gofive_reject_sales_orders(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_reject_sales_orders(jsonb) TO gofive_user;

CREATE OR REPLACE FUNCTION gofive_send_chat_message(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_send_chat_message(jsonb) IS 'Post Send message: POST /v1/chat/message';
REVOKE ALL ON FUNCTION gofive_send_chat_message(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_send_chat_message(jsonb) TO gofive_user;

CREATE OR REPLACE VIEW gofive.operations (name, title, method, path, sql_function, returns, documented, doc) AS
VALUES
    ('upsert_customer', 'Create or Update customer', 'POST', '/v3/customers', 'gofive_upsert_customer(jsonb)', 'data', 'partial', 'https://developer.gofive.co.th/api-3590385'),
    ('create_customer_satisfaction', 'Create Customer Satisfaction', 'POST', '/v3/customers/satisfaction', 'gofive_create_customer_satisfaction(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-4823671'),
    ('create_customer_event', 'Add Customer Event', 'POST', '/v1/customerEvent', 'gofive_create_customer_event(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-13676424'),
    ('list_customer_events', 'Get Customer Events by Customer Code', 'GET', '/v1/customerEvent/filter', 'gofive_list_customer_events(text, integer, jsonb)', 'rows', 'yes', 'https://developer.gofive.co.th/api-13677613'),
    ('update_customer_event', 'Edit Customer Event', 'PUT', '/v1/customerEvent/{eventId}', 'gofive_update_customer_event(text, jsonb)', 'data', 'partial', 'https://developer.gofive.co.th/api-13678073'),
    ('list_customer_event_types', 'Get Customer Event Types', 'GET', '/v1/customerEvent/event-types', 'gofive_list_customer_event_types()', 'rows', 'yes', 'https://developer.gofive.co.th/api-13679783'),
    ('create_case', 'Add Case', 'POST', '/v1/case', 'gofive_create_case(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-13759273'),
    ('update_case', 'Edit Case by CaseNo', 'PUT', '/v1/case/{caseNo}', 'gofive_update_case(text, jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-13759837'),
    ('get_contract', 'Get Contract By No', 'GET', '/v1/contract/{no}', 'gofive_get_contract(text)', 'record or NULL', 'yes', 'https://developer.gofive.co.th/api-18392899'),
    ('upsert_contract', 'Create or Update Contract', 'POST', '/v1/contract', 'gofive_upsert_contract(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-18402429'),
    ('upsert_contract_service', 'Create or Update Contract Service Agreement', 'POST', '/v1/contract/service-agreement', 'gofive_upsert_contract_service(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-18402720'),
    ('create_deal', 'Create Deal', 'POST', '/v1/deals', 'gofive_create_deal(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-3608469'),
    ('update_deal', 'Update Deal', 'PUT', '/v1/deals/{id}', 'gofive_update_deal(bigint, jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-3602937'),
    ('create_expense', 'Create Expense', 'POST', '/v1/Expenses', 'gofive_create_expense(jsonb)', 'data', 'partial', 'https://developer.gofive.co.th/api-3606568'),
    ('update_expense', 'Update Expense', 'PUT', '/v1/Expenses/{id}', 'gofive_update_expense(text, jsonb)', 'data', 'partial', 'https://developer.gofive.co.th/api-3606489'),
    ('enquire_expenses', 'Expense Enquiry', 'POST', '/v1/expenses/enquiry', 'gofive_enquire_expenses(jsonb)', 'rows', 'yes', 'https://developer.gofive.co.th/api-3605021'),
    ('get_expense', 'Get a Expense', 'GET', '/v1/expenses/{id}', 'gofive_get_expense(text)', 'record or NULL', 'partial', 'https://developer.gofive.co.th/api-3605745'),
    ('upsert_products', 'Create Or Update Products', 'POST', '/v3/Products', 'gofive_upsert_products(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-3590384'),
    ('list_products', 'Get Products With Take & Status', 'POST', '/v2/Products/GetProduct', 'gofive_list_products(jsonb)', 'rows', 'yes', 'https://developer.gofive.co.th/api-3597198'),
    ('get_product', 'Get a Product by ProductCode', 'GET', '/v2/products/{productCode}', 'gofive_get_product(text)', 'record or NULL', 'yes', 'https://developer.gofive.co.th/api-3597197'),
    ('enquire_products', 'Get Products By Filter', 'POST', '/v1/products/getProduct', 'gofive_enquire_products(jsonb)', 'rows, paged', 'yes', 'https://developer.gofive.co.th/api-3607153'),
    ('verify_serial', 'Verify Serial Number', 'POST', '/v3/products/serials/verification', 'gofive_verify_serial(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-4028746'),
    ('get_serial_status', '/v3/Products/serials/status', 'GET', '/v3/Products/serials/status', 'gofive_get_serial_status(jsonb)', 'data', 'partial', 'https://developer.gofive.co.th/api-4028746'),
    ('upsert_serial', 'Create or Update Codeguard Products', 'POST', '/v3/products/serials', 'gofive_upsert_serial(text, text, text, boolean)', 'data', 'yes', 'https://developer.gofive.co.th'),
    ('update_product_stock', 'Update Product Stock', 'PUT', '/v1/products/stock', 'gofive_update_product_stock(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-9077337'),
    ('list_product_units', '/v1/products/units', 'GET', '/v1/products/units', 'gofive_list_product_units()', 'rows', 'partial', 'https://developer.gofive.co.th/api-4028746'),
    ('upsert_quotation', 'Create Update Quotation', 'POST', '/v2/quotation', 'gofive_upsert_quotation(jsonb)', 'data', 'partial', 'https://developer.gofive.co.th/api-3590355'),
    ('convert_quotation', 'Convert Quotation To SalesOrder', 'POST', '/v1/quotation/{quotationNo}/convert-to-salesorder', 'gofive_convert_quotation(text)', 'data', 'yes', 'https://developer.gofive.co.th/api-3590356'),
    ('enquire_quotations', 'Quotation Enquiry', 'POST', '/v1/quotation/enquiry', 'gofive_enquire_quotations(jsonb)', 'rows, paged', 'yes', 'https://developer.gofive.co.th/api-3590357'),
    ('get_quotation', 'Get a Quotation By QuotationNo', 'GET', '/v1/quotation/{quotationNo}', 'gofive_get_quotation(text)', 'record or NULL', 'yes', 'https://developer.gofive.co.th/api-12091512'),
    ('get_sales_order', 'Get a SalesOrder By SalesOrderNo', 'GET', '/v2/salesorder/{salesOrderNo}', 'gofive_get_sales_order(text)', 'record or NULL', 'yes', 'https://developer.gofive.co.th/api-3590382'),
    ('update_sales_order_payment', 'Update SalesOrder Payment', 'PUT', '/v2/salesorder/{salesOrderNo}/payment', 'gofive_update_sales_order_payment(text, jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-9848277'),
    ('reject_sales_orders', 'Reject SaleOrder', 'DELETE', '/v1/salesorders/reject', 'gofive_reject_sales_orders(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-3607019'),
    ('send_chat_message', 'Post Send message', 'POST', '/v1/chat/message', 'gofive_send_chat_message(jsonb)', 'data', 'yes', 'https://developer.gofive.co.th/api-18351108');
COMMENT ON VIEW gofive.operations IS 'Every operation of the catalog: method, path template, SQL function';
GRANT SELECT ON gofive.operations TO gofive_user;

CREATE OR REPLACE VIEW gofive.operation_fields AS
SELECT v.operation::pg_catalog.text AS operation, v.position::pg_catalog.int4 AS position,
       v.field::pg_catalog.text AS field, v.json_type::pg_catalog.text AS json_type,
       v.item_type::pg_catalog.text AS item_type, v.required::pg_catalog.bool AS required,
       v.required_unless::pg_catalog.text AS required_unless,
       v.nullable::pg_catalog.bool AS nullable, v.allowed::pg_catalog.text AS allowed,
       v.date_format::pg_catalog.text AS date_format
FROM (VALUES
    ('upsert_customer', 1, 'customerCode', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 2, 'customerName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_customer', 3, 'customerState', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('upsert_customer', 4, 'customerStatus', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 5, 'customerType', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 6, 'customerPicture', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 7, 'customer2ndName', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 8, 'customerAliases', 'array', 'string', false, NULL, true, NULL, NULL),
    ('upsert_customer', 9, 'customerTaxNo', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 10, 'branchCode', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 11, 'customerPhone', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 12, 'customerMobile', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 13, 'customerEmail', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_customer', 14, 'customerPosition', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 15, 'customerGender', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 16, 'customerMaritalStatus', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 17, 'customerBirthdate', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 18, 'customerIncome', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 19, 'creditLimit', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_customer', 20, 'addresses', 'array', 'object', false, NULL, true, NULL, NULL),
    ('create_customer_satisfaction', 1, 'SourceName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_customer_satisfaction', 2, 'SourceType', 'integer', NULL, true, NULL, false, '1, 2', NULL),
    ('create_customer_satisfaction', 3, 'Point', 'integer', NULL, true, NULL, false, '1 to 10; 1 to 5 when SourceType is 1; 1 to 10 when SourceType is 2', NULL),
    ('create_customer_satisfaction', 4, 'CustomerCode', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_customer_satisfaction', 5, 'DateCreated', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_customer_satisfaction', 6, 'AnswerBy', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_customer_satisfaction', 7, 'Comment', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_customer_event', 1, 'eventName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_customer_event', 2, 'eventType', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('create_customer_event', 3, 'eventDate', 'string', NULL, true, NULL, false, NULL, 'local'),
    ('create_customer_event', 4, 'customerCode', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_customer_event', 5, 'description', 'string', NULL, false, NULL, false, NULL, NULL),
    ('list_customer_events', 1, 'dateFrom', 'string', NULL, false, NULL, false, NULL, NULL),
    ('list_customer_events', 2, 'dateTo', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_customer_event', 1, 'eventName', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_customer_event', 2, 'eventType', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('update_customer_event', 3, 'eventDate', 'string', NULL, false, NULL, false, NULL, 'local'),
    ('update_customer_event', 4, 'customerCode', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_customer_event', 5, 'description', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_case', 1, 'caseType', 'integer', NULL, true, NULL, false, '1, 2', NULL),
    ('create_case', 2, 'subject', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_case', 3, 'categoryId', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('create_case', 4, 'dateCase', 'string', NULL, true, NULL, false, NULL, 'offset_ms'),
    ('create_case', 5, 'dateDue', 'string', NULL, true, NULL, false, NULL, 'offset_ms'),
    ('create_case', 6, 'assignedToUserId', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_case', 7, 'customerCode', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_case', 8, 'activityNos', 'array', 'string', false, NULL, false, NULL, NULL),
    ('create_case', 9, 'dealNos', 'array', 'string', false, NULL, false, NULL, NULL),
    ('create_case', 10, 'note', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_case', 1, 'subject', 'string', NULL, true, NULL, false, NULL, NULL),
    ('update_case', 2, 'categoryId', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('update_case', 3, 'dateCase', 'string', NULL, true, NULL, false, NULL, 'offset_ms'),
    ('update_case', 4, 'dateDue', 'string', NULL, true, NULL, false, NULL, 'offset_ms'),
    ('update_case', 5, 'assignedToUserId', 'string', NULL, true, NULL, false, NULL, NULL),
    ('update_case', 6, 'customerNo', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_case', 7, 'customerCode', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_case', 8, 'activityNos', 'array', 'string', false, NULL, false, NULL, NULL),
    ('update_case', 9, 'dealNos', 'array', 'string', false, NULL, false, NULL, NULL),
    ('update_case', 10, 'note', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_contract', 1, 'contractNo', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_contract', 2, 'contractName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract', 3, 'contractType', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract', 4, 'contractValue', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('upsert_contract', 5, 'customerCode', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract', 6, 'dateStart', 'string', NULL, true, NULL, false, NULL, 'space'),
    ('upsert_contract', 7, 'dateEnd', 'string', NULL, true, NULL, false, NULL, 'space'),
    ('upsert_contract', 8, 'description', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_contract', 9, 'owner', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract', 10, 'contractService', 'object', NULL, false, NULL, true, NULL, NULL),
    ('upsert_contract', 11, 'contractService.frequency', 'integer', NULL, true, NULL, false, '260001, 260002, 260003, 260004, 260005', NULL),
    ('upsert_contract', 12, 'contractService.subject', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract', 13, 'contractService.numberOfTimes', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract', 14, 'contractService.agreementNote', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_contract_service', 1, 'contractNo', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract_service', 2, 'frequency', 'integer', NULL, true, NULL, false, '260001, 260002, 260003, 260004, 260005', NULL),
    ('upsert_contract_service', 3, 'subject', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract_service', 4, 'numberOfTimes', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('upsert_contract_service', 5, 'contractServiceId', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('upsert_contract_service', 6, 'agreementNote', 'string', NULL, false, NULL, true, NULL, NULL),
    ('create_deal', 1, 'customerCodes', 'array', 'string', true, NULL, false, NULL, NULL),
    ('create_deal', 2, 'boardId', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('create_deal', 3, 'dealName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_deal', 4, 'probability', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('create_deal', 5, 'dealValue', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('create_deal', 6, 'expectedCloseDate', 'string', NULL, true, NULL, false, NULL, 'offset'),
    ('create_deal', 7, 'assignTo', 'string', NULL, true, NULL, false, NULL, NULL),
    ('create_deal', 8, 'dealDate', 'string', NULL, false, NULL, false, NULL, 'offset'),
    ('create_deal', 9, 'dealQuantity', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('create_deal', 10, 'dealQuantityUnit', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_deal', 11, 'dealInterests', 'array', 'integer', false, NULL, false, NULL, NULL),
    ('create_deal', 12, 'dealLabels', 'array', 'integer', false, NULL, false, NULL, NULL),
    ('create_deal', 13, 'note', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_deal', 14, 'participantCodes', 'array', 'string', false, NULL, false, NULL, NULL),
    ('create_deal', 15, 'dateFollowUp', 'string', NULL, false, NULL, false, NULL, 'local'),
    ('create_deal', 16, 'followUpNotes', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_deal', 17, 'remark', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_deal', 18, 'dealStageId', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('create_deal', 19, 'reasonCategoryId', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('create_deal', 20, 'markAllTaskAsDone', 'boolean', NULL, false, NULL, false, NULL, NULL),
    ('create_deal', 21, 'cancleAllOrder', 'boolean', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 1, 'dealName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('update_deal', 2, 'probability', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('update_deal', 3, 'dealValue', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('update_deal', 4, 'expectedCloseDate', 'string', NULL, true, NULL, false, NULL, 'offset'),
    ('update_deal', 5, 'assignTo', 'string', NULL, true, NULL, false, NULL, NULL),
    ('update_deal', 6, 'dealDate', 'string', NULL, false, NULL, false, NULL, 'offset'),
    ('update_deal', 7, 'dealQuantity', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 8, 'dealQuantityUnit', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 9, 'dealInterests', 'array', 'integer', false, NULL, false, NULL, NULL),
    ('update_deal', 10, 'dealLabels', 'array', 'integer', false, NULL, false, NULL, NULL),
    ('update_deal', 11, 'note', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 12, 'participantCodes', 'array', 'string', false, NULL, false, NULL, NULL),
    ('update_deal', 13, 'dateFollowUp', 'string', NULL, false, NULL, false, NULL, 'local'),
    ('update_deal', 14, 'followUpNotes', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 15, 'remark', 'string', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 16, 'dealStageId', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 17, 'reasonCategoryId', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 18, 'markAllTaskAsDone', 'boolean', NULL, false, NULL, false, NULL, NULL),
    ('update_deal', 19, 'cancleAllOrder', 'boolean', NULL, false, NULL, false, NULL, NULL),
    ('create_expense', 1, 'ExpenseDetails', 'array', 'object', true, NULL, false, NULL, NULL),
    ('create_expense', 2, 'ExpenseDetails[].expenseTypeId', 'integer', NULL, true, NULL, false, '0, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008', NULL),
    ('create_expense', 3, 'ExpenseDetails[].amount', 'number', NULL, true, NULL, false, NULL, NULL),
    ('create_expense', 4, 'ExpenseDetails[].expenseDetailId', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 5, 'ExpenseDetails[].night', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 6, 'ExpenseDetails[].milesStart', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 7, 'ExpenseDetails[].milesEnd', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 8, 'ExpenseDetails[].trainingTitle', 'string', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 9, 'ExpenseDetails[].hours', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 10, 'ExpenseDetails[].minutes', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 11, 'subject', 'string', NULL, false, NULL, false, NULL, NULL),
    ('create_expense', 12, 'activityId', 'string', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 13, 'dateTransaction', 'string', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 14, 'remark', 'string', NULL, false, NULL, true, NULL, NULL),
    ('create_expense', 15, 'attachments', 'array', 'object', false, NULL, true, NULL, NULL),
    ('update_expense', 1, 'ExpenseDetails', 'array', 'object', true, NULL, false, NULL, NULL),
    ('update_expense', 2, 'ExpenseDetails[].expenseTypeId', 'integer', NULL, true, NULL, false, '1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008', NULL),
    ('update_expense', 3, 'ExpenseDetails[].amount', 'number', NULL, true, NULL, false, NULL, NULL),
    ('update_expense', 4, 'ExpenseDetails[].expenseDetailId', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 5, 'ExpenseDetails[].night', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 6, 'ExpenseDetails[].milesStart', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 7, 'ExpenseDetails[].milesEnd', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 8, 'ExpenseDetails[].trainingTitle', 'string', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 9, 'ExpenseDetails[].hours', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 10, 'ExpenseDetails[].minutes', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 11, 'subject', 'string', NULL, true, NULL, false, NULL, NULL),
    ('update_expense', 12, 'activityId', 'string', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 13, 'dateTransaction', 'string', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 14, 'remark', 'string', NULL, false, NULL, true, NULL, NULL),
    ('update_expense', 15, 'attachments', 'array', 'object', false, NULL, true, NULL, NULL),
    ('enquire_expenses', 1, 'expenseTypeId', 'integer', NULL, true, NULL, false, '1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008', NULL),
    ('enquire_expenses', 2, 'statusIds', 'array', 'string', false, NULL, true, NULL, NULL),
    ('enquire_expenses', 3, 'staffCodes', 'array', 'string', false, NULL, true, NULL, NULL),
    ('enquire_expenses', 4, 'searchText', 'string', NULL, false, NULL, true, NULL, NULL),
    ('enquire_expenses', 5, 'dateStart', 'string', NULL, false, NULL, true, NULL, NULL),
    ('enquire_expenses', 6, 'dateEnd', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_products', 1, 'products', 'array', 'object', true, NULL, false, NULL, NULL),
    ('upsert_products', 2, 'products[].productCode', 'string', NULL, true, 'productVariant', false, NULL, NULL),
    ('upsert_products', 3, 'products[].productName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 4, 'products[].category', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 5, 'products[].cost', 'number', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 6, 'products[].prices', 'array', 'object', true, NULL, false, NULL, NULL),
    ('upsert_products', 7, 'products[].prices[].priceTierName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 8, 'products[].prices[].regularPrice', 'number', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 9, 'products[].prices[].salePrice', 'number', NULL, false, NULL, true, NULL, NULL),
    ('upsert_products', 10, 'products[].prices[].vatValue', 'number', NULL, false, NULL, true, NULL, NULL),
    ('upsert_products', 11, 'products[].prices[].useDefaultVat', 'boolean', NULL, false, NULL, true, NULL, NULL),
    ('upsert_products', 12, 'products[].productUnitName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 13, 'products[].trackInventory', 'boolean', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 14, 'products[].useWarranty', 'boolean', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 15, 'products[].visibility', 'boolean', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 16, 'products[].active', 'boolean', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 17, 'products[].productBarcode', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 18, 'products[].productDescription', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 19, 'products[].subCategory', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 20, 'products[].sub_SubCategory', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 21, 'products[].productWeight', 'number', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 22, 'products[].productWeightUnit', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 23, 'products[].productTag', 'array', 'string', false, NULL, false, NULL, NULL),
    ('upsert_products', 24, 'products[].productImage', 'array', 'string', false, NULL, false, NULL, NULL),
    ('upsert_products', 25, 'products[].qty', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 26, 'products[].lowStockAlert', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 27, 'products[].timeWarrantyValue', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 28, 'products[].timeWarrantyUnit', 'string', NULL, false, NULL, false, '"y", "m", "d"', NULL),
    ('upsert_products', 29, 'products[].warrantyNote', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 30, 'products[].brandName', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 31, 'products[].productVariant', 'array', 'object', false, NULL, false, NULL, NULL),
    ('upsert_products', 32, 'products[].productVariant[].productCode', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 33, 'products[].productVariant[].productName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 34, 'products[].productVariant[].active', 'boolean', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 35, 'products[].productVariant[].prices', 'array', 'object', true, NULL, false, NULL, NULL),
    ('upsert_products', 36, 'products[].productVariant[].prices[].priceTierName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 37, 'products[].productVariant[].prices[].regularPrice', 'number', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 38, 'products[].productVariant[].prices[].salePrice', 'number', NULL, false, NULL, true, NULL, NULL),
    ('upsert_products', 39, 'products[].productVariant[].prices[].vatValue', 'number', NULL, false, NULL, true, NULL, NULL),
    ('upsert_products', 40, 'products[].productVariant[].prices[].useDefaultVat', 'boolean', NULL, false, NULL, true, NULL, NULL),
    ('upsert_products', 41, 'products[].productVariant[].attribute', 'array', 'object', true, NULL, false, NULL, NULL),
    ('upsert_products', 42, 'products[].productVariant[].attribute[].attributeName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 43, 'products[].productVariant[].attribute[].attributeValueName', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_products', 44, 'products[].productVariant[].productBarcode', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 45, 'products[].productVariant[].productDescription', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 46, 'products[].productVariant[].cost', 'number', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 47, 'products[].productVariant[].productImage', 'array', 'string', false, NULL, false, NULL, NULL),
    ('upsert_products', 48, 'products[].productVariant[].qty', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('upsert_products', 49, 'products[].productVariant[].lowStockAlert', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('list_products', 1, 'take', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('list_products', 2, 'status', 'array', 'integer', true, NULL, false, NULL, NULL),
    ('enquire_products', 1, 'productType', 'integer', NULL, true, NULL, false, '1301, 1302', NULL),
    ('enquire_products', 2, 'status', 'array', 'integer', true, NULL, false, NULL, NULL),
    ('enquire_products', 3, 'take', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('enquire_products', 4, 'productFor', 'string', NULL, false, NULL, true, NULL, NULL),
    ('enquire_products', 5, 'typeFor', 'integer', NULL, false, NULL, true, '1, 2', NULL),
    ('enquire_products', 6, 'productGroupIds', 'array', 'integer', false, NULL, true, NULL, NULL),
    ('enquire_products', 7, 'skip', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('enquire_products', 8, 'smartSearch', 'string', NULL, false, NULL, true, NULL, NULL),
    ('enquire_products', 9, 'orderBy', 'string', NULL, false, NULL, true, NULL, NULL),
    ('verify_serial', 1, 'SerialNumber', 'string', NULL, true, NULL, false, NULL, NULL),
    ('verify_serial', 2, 'PurchaseDate', 'string', NULL, true, NULL, false, NULL, 'date'),
    ('verify_serial', 3, 'CustomerCode', 'string', NULL, true, 'CustomerName', false, NULL, NULL),
    ('verify_serial', 4, 'CustomerName', 'string', NULL, false, NULL, false, NULL, NULL),
    ('verify_serial', 5, 'CustomerType', 'integer', NULL, false, NULL, false, NULL, NULL),
    ('verify_serial', 6, 'SaleOrderNo', 'string', NULL, false, NULL, false, NULL, NULL),
    ('verify_serial', 7, 'Note', 'string', NULL, false, NULL, false, NULL, NULL),
    ('verify_serial', 8, 'Latitude', 'number', NULL, false, NULL, false, NULL, NULL),
    ('verify_serial', 9, 'Longtitude', 'number', NULL, false, NULL, false, NULL, NULL),
    ('upsert_serial', 1, 'runningNumber', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_serial', 2, 'productCode', 'string', NULL, true, 'status', false, NULL, NULL),
    ('upsert_serial', 3, 'serialNumber', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_serial', 4, 'status', 'boolean', NULL, false, NULL, true, NULL, NULL),
    ('update_product_stock', 1, '[].productCode', 'string', NULL, true, NULL, false, NULL, NULL),
    ('update_product_stock', 2, '[].qty', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 1, 'quotationNo', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_quotation', 2, 'quotationSubject', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 3, 'quotationDate', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 4, 'quotationValidUntil', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 5, 'quotationStatus', 'integer', NULL, true, NULL, false, '1 to 7', NULL),
    ('upsert_quotation', 6, 'customerCode', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 7, 'staffCode', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 8, 'vatCalculation', 'boolean', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 9, 'quotationDetails', 'array', 'object', true, NULL, false, NULL, NULL),
    ('upsert_quotation', 10, 'quotationDetails[].productCode', 'string', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 11, 'quotationDetails[].qty', 'number', NULL, true, NULL, false, NULL, NULL),
    ('upsert_quotation', 12, 'quotationDetails[].productName', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_quotation', 13, 'quotationDetails[].price', 'number', NULL, false, NULL, true, NULL, NULL),
    ('upsert_quotation', 14, 'quotationDetails[].productUnitName', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_quotation', 15, 'quotationDetails[].productDescription', 'string', NULL, false, NULL, false, NULL, NULL),
    ('upsert_quotation', 16, 'quotationDetails[].discountType', 'boolean', NULL, false, NULL, true, NULL, NULL),
    ('upsert_quotation', 17, 'quotationDetails[].discountValue', 'number', NULL, false, NULL, true, NULL, NULL),
    ('upsert_quotation', 18, 'quotationDetails[].vatTaxValue', 'number', NULL, false, NULL, true, NULL, NULL),
    ('upsert_quotation', 19, 'quotationDetails[].whTaxValue', 'number', NULL, false, NULL, true, NULL, NULL),
    ('upsert_quotation', 20, 'referenceNo', 'string', NULL, false, NULL, true, NULL, NULL),
    ('upsert_quotation', 21, 'discountType', 'boolean', NULL, false, NULL, true, NULL, NULL),
    ('upsert_quotation', 22, 'discountValue', 'number', NULL, false, NULL, true, NULL, NULL),
    ('convert_quotation', 1, 'QuotationNo', 'string', NULL, true, NULL, false, NULL, NULL),
    ('enquire_quotations', 1, 'take', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('enquire_quotations', 2, 'skip', 'integer', NULL, false, NULL, true, NULL, NULL),
    ('enquire_quotations', 3, 'quotationNo', 'string', NULL, false, NULL, true, NULL, NULL),
    ('enquire_quotations', 4, 'quotationStatus', 'integer', NULL, false, NULL, true, '1 to 7', NULL),
    ('enquire_quotations', 5, 'staffCode', 'string', NULL, false, NULL, true, NULL, NULL),
    ('enquire_quotations', 6, 'customerCode', 'string', NULL, false, NULL, true, NULL, NULL),
    ('enquire_quotations', 7, 'quotationDate', 'string', NULL, false, NULL, true, NULL, NULL),
    ('update_sales_order_payment', 1, 'payments', 'array', 'object', true, NULL, false, NULL, NULL),
    ('update_sales_order_payment', 2, 'payments[].InstallmentNumber', 'integer', NULL, true, NULL, false, NULL, NULL),
    ('update_sales_order_payment', 3, 'payments[].status', 'integer', NULL, true, NULL, false, '1, 2', NULL),
    ('reject_sales_orders', 1, 'salesOrderIds', 'array', 'integer', true, NULL, false, NULL, NULL),
    ('reject_sales_orders', 2, 'reason', 'string', NULL, true, NULL, false, NULL, NULL),
    ('send_chat_message', 1, 'roomId', 'string', NULL, true, NULL, false, NULL, NULL),
    ('send_chat_message', 2, 'content', 'string', NULL, true, NULL, false, NULL, NULL),
    ('send_chat_message', 3, 'type', 'string', NULL, true, NULL, false, NULL, NULL),
    ('send_chat_message', 4, 'platform', 'string', NULL, true, NULL, false, NULL, NULL),
    ('send_chat_message', 5, 'companyId', 'integer', NULL, true, NULL, false, NULL, NULL))
  AS v(operation, position, field, json_type, item_type, required, required_unless, nullable, allowed, date_format);
COMMENT ON VIEW gofive.operation_fields IS 'The body fields of each operation (catalog order; "a.b" nested, "a[].b" in each element of array a): JSON type, element type, required (unless a sibling is given), null accepted, allowed values or range, the date format of a date or time field';
GRANT SELECT ON gofive.operation_fields TO gofive_user;
