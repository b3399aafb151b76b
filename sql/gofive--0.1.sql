-- gofive install script, hand-written part.  The typed per-operation
-- functions are generated from src/catalog.c and appended at build time.

\echo Use "CREATE EXTENSION gofive" to load this file. \quit

-- The role that may call the API.  Calls use the organisation's
-- credentials and change CRM data, so nothing is granted to PUBLIC.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gofive_user') THEN
        CREATE ROLE gofive_user NOLOGIN;
    END IF;
END
$$;

CREATE FUNCTION gofive_request(method text, path text, body jsonb DEFAULT NULL,
                               OUT status integer, OUT response jsonb)
RETURNS record
AS 'MODULE_PATHNAME', 'gofive_request'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_request(text, text, jsonb) IS
    'Call any API path (relative to gofive.base_url); returns the HTTP status and the response without raising on API errors';
REVOKE ALL ON FUNCTION gofive_request(text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_request(text, text, jsonb) TO gofive_user;

CREATE FUNCTION gofive_url_encode(value text)
RETURNS text
AS 'MODULE_PATHNAME', 'gofive_url_encode_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gofive_url_encode(text) IS
    'Percent-encode a value for use as one path segment or query value';

-- ---------------------------------------------------------------------
-- The transactional outbox.
--
-- gofive_enqueue() validates a request and inserts it here, in the
-- caller's transaction; the background worker (shared_preload_libraries)
-- is woken when that transaction commits, delivers the row, and records
-- the outcome on it.  The table is logged, so a committed row survives a
-- crash; rows are never granted to PUBLIC (they carry customer data).
-- ---------------------------------------------------------------------

CREATE SCHEMA gofive;
GRANT USAGE ON SCHEMA gofive TO gofive_user;

CREATE TYPE gofive.request_status AS ENUM
    ('pending', 'sending', 'succeeded', 'failed', 'dead');
COMMENT ON TYPE gofive.request_status IS
    'pending: waiting (or waiting to retry); sending: claimed by the worker; succeeded; failed: the API rejected it (not retried); dead: retries exhausted';

CREATE FUNCTION gofive.new_request_id()
RETURNS uuid
AS 'MODULE_PATHNAME', 'gofive_new_request_id'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive.new_request_id() IS 'A random UUID for a queued request''s X-Request-Id';

CREATE TABLE gofive.outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    operation       text NOT NULL,          -- catalog name, or 'request'
    method          text NOT NULL,
    path            text NOT NULL,          -- relative to gofive.base_url
    body            jsonb,
    ordering_key    text,
    request_id      uuid NOT NULL DEFAULT gofive.new_request_id(),  -- X-Request-Id, the same on every attempt
    status          gofive.request_status NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    enqueued_at     timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    finished_at     timestamptz,
    http_status     integer,
    business_code   integer,
    messages        text,                   -- the API's messages
    response        jsonb,                  -- the envelope's data
    last_error      text,                   -- transport error, or why it failed
    duration_ms     double precision        -- of the last attempt
);
COMMENT ON TABLE gofive.outbox IS 'Requests to the Venio API, delivered after commit by the gofive worker';

-- what the worker claims: pending rows, oldest first
CREATE INDEX outbox_pending_idx ON gofive.outbox (id) WHERE status = 'pending';
-- the earlier rows of an ordering key that hold later ones back
CREATE INDEX outbox_ordering_idx ON gofive.outbox (ordering_key, id)
    WHERE ordering_key IS NOT NULL AND status IN ('pending', 'sending');
-- the retention purge
CREATE INDEX outbox_finished_idx ON gofive.outbox (finished_at) WHERE status = 'succeeded';

REVOKE ALL ON gofive.outbox FROM PUBLIC;
GRANT SELECT ON gofive.outbox TO gofive_user;

-- ---- enqueueing ----

CREATE FUNCTION gofive_enqueue(operation text, payload jsonb, ordering_key text DEFAULT NULL,
                               params jsonb DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue'
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) IS
    'Validate a request for a catalog operation and queue it in this transaction; params holds path and query arguments by name; returns the outbox id';

CREATE FUNCTION gofive_enqueue_request(method text, path text, body jsonb DEFAULT NULL,
                                       ordering_key text DEFAULT NULL)
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_enqueue_request'
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) IS
    'Queue a request for any path (the generic form of gofive_enqueue); returns the outbox id';

CREATE FUNCTION gofive.enqueue_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'gofive_enqueue_trigger'
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION gofive.enqueue_trigger() IS
    'Trigger: enqueue one request per row; arguments: operation, mapping (jsonb text), [ordering key column]';

CREATE FUNCTION gofive.wake()
RETURNS void
AS 'MODULE_PATHNAME', 'gofive_wake'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION gofive.wake() IS 'Wake the worker when the current transaction commits';

-- ---- retrying by hand ----

CREATE FUNCTION gofive_retry(id bigint)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    found_row boolean;
BEGIN
    UPDATE gofive.outbox o
       SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL
     WHERE o.id = gofive_retry.id AND o.status IN ('failed', 'dead');
    found_row := FOUND;
    IF found_row THEN
        PERFORM gofive.wake();
    END IF;
    RETURN found_row;
END $$;
COMMENT ON FUNCTION gofive_retry(bigint) IS 'Queue a failed or dead request again; false if it is neither';

CREATE FUNCTION gofive_retry_all(status gofive.request_status DEFAULT 'dead',
                                 operation text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n bigint;
BEGIN
    IF gofive_retry_all.status NOT IN ('failed', 'dead') THEN
        RAISE EXCEPTION 'gofive_retry_all: status must be failed or dead, not %', gofive_retry_all.status
            USING ERRCODE = 'GFVAL';
    END IF;
    UPDATE gofive.outbox o
       SET status = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL
     WHERE o.status = gofive_retry_all.status
       AND (gofive_retry_all.operation IS NULL OR o.operation = gofive_retry_all.operation);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        PERFORM gofive.wake();
    END IF;
    RETURN n;
END $$;
COMMENT ON FUNCTION gofive_retry_all(gofive.request_status, text) IS
    'Queue every failed or dead request (of one operation, if given) again; returns how many';

CREATE FUNCTION gofive.purge()
RETURNS bigint
AS 'MODULE_PATHNAME', 'gofive_purge'
LANGUAGE C VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION gofive.purge() IS
    'Delete succeeded requests older than gofive.retention now (the worker also does it every minute); returns how many';
REVOKE ALL ON FUNCTION gofive.purge() FROM PUBLIC;

-- ---- observing ----

CREATE VIEW gofive.queue AS
SELECT operation,
       count(*) FILTER (WHERE status = 'pending')   AS pending,
       count(*) FILTER (WHERE status = 'sending')   AS sending,
       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
       count(*) FILTER (WHERE status = 'failed')    AS failed,
       count(*) FILTER (WHERE status = 'dead')      AS dead,
       now() - min(enqueued_at) FILTER (WHERE status IN ('pending', 'sending')) AS oldest_pending_age,
       (array_agg(coalesce(messages, last_error) ORDER BY finished_at DESC)
            FILTER (WHERE status IN ('failed', 'dead')))[1] AS last_error
FROM gofive.outbox
GROUP BY operation;
COMMENT ON VIEW gofive.queue IS 'The outbox by operation: counts by status, oldest pending age, last error';

CREATE FUNCTION gofive.worker_stats(
    OUT pid integer, OUT database text, OUT state text, OUT started_at timestamptz,
    OUT in_flight integer, OUT sent bigint, OUT succeeded bigint, OUT failed bigint,
    OUT retried bigint, OUT dead bigint, OUT circuit text, OUT circuit_until timestamptz,
    OUT last_error text)
RETURNS record
AS 'MODULE_PATHNAME', 'gofive_worker_stats'
LANGUAGE C VOLATILE;

CREATE VIEW gofive.worker AS SELECT * FROM gofive.worker_stats();
COMMENT ON VIEW gofive.worker IS 'The outbox worker: state, requests in flight, counters since it started, circuit breaker';

GRANT SELECT ON gofive.queue, gofive.worker TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive.worker_stats() TO gofive_user;

REVOKE ALL ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_retry(bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive_retry_all(gofive.request_status, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive.wake() FROM PUBLIC;
REVOKE ALL ON FUNCTION gofive.enqueue_trigger() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive.enqueue_trigger() TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue(text, jsonb, text, jsonb) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_enqueue_request(text, text, jsonb, text) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_retry(bigint) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive_retry_all(gofive.request_status, text) TO gofive_user;
GRANT EXECUTE ON FUNCTION gofive.wake() TO gofive_user;

-- Generated by tools/gen_sql from src/catalog.c: one function per operation.

CREATE FUNCTION gofive_upsert_customer(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_customer(jsonb) IS 'Create or Update customer: POST /v3/customers';
REVOKE ALL ON FUNCTION gofive_upsert_customer(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_customer(jsonb) TO gofive_user;

CREATE FUNCTION gofive_create_customer_satisfaction(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_customer_satisfaction(jsonb) IS 'Create Customer Satisfaction: POST /v3/customers/satisfaction';
REVOKE ALL ON FUNCTION gofive_create_customer_satisfaction(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_customer_satisfaction(jsonb) TO gofive_user;

CREATE FUNCTION gofive_create_customer_event(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_customer_event(jsonb) IS 'Add Customer Event: POST /v1/customerEvent';
REVOKE ALL ON FUNCTION gofive_create_customer_event(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_customer_event(jsonb) TO gofive_user;

CREATE FUNCTION gofive_list_customer_events(customer_code text, event_type_ids integer DEFAULT NULL, filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_list_customer_events(text, integer, jsonb) IS 'Get Customer Events by Customer Code: GET /v1/customerEvent/filter';
REVOKE ALL ON FUNCTION gofive_list_customer_events(text, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_list_customer_events(text, integer, jsonb) TO gofive_user;

CREATE FUNCTION gofive_update_customer_event(event_id text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_customer_event(text, jsonb) IS 'Edit Customer Event: PUT /v1/customerEvent/{eventId}';
REVOKE ALL ON FUNCTION gofive_update_customer_event(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_customer_event(text, jsonb) TO gofive_user;

CREATE FUNCTION gofive_list_customer_event_types()
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_list_customer_event_types() IS 'Get Customer Event Types: GET /v1/customerEvent/event-types';
REVOKE ALL ON FUNCTION gofive_list_customer_event_types() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_list_customer_event_types() TO gofive_user;

CREATE FUNCTION gofive_create_case(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_case(jsonb) IS 'Add Case: POST /v1/case';
REVOKE ALL ON FUNCTION gofive_create_case(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_case(jsonb) TO gofive_user;

CREATE FUNCTION gofive_update_case(case_no text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_case(text, jsonb) IS 'Edit Case by CaseNo: PUT /v1/case/{caseNo}';
REVOKE ALL ON FUNCTION gofive_update_case(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_case(text, jsonb) TO gofive_user;

CREATE FUNCTION gofive_get_contract(contract_no text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_contract(text) IS 'Get Contract By No: GET /v1/contract/{no}';
REVOKE ALL ON FUNCTION gofive_get_contract(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_contract(text) TO gofive_user;

CREATE FUNCTION gofive_upsert_contract(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_contract(jsonb) IS 'Create or Update Contract: POST /v1/contract';
REVOKE ALL ON FUNCTION gofive_upsert_contract(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_contract(jsonb) TO gofive_user;

CREATE FUNCTION gofive_upsert_contract_service(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_contract_service(jsonb) IS 'Create or Update Contract Service Agreement: POST /v1/contract/service-agreement';
REVOKE ALL ON FUNCTION gofive_upsert_contract_service(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_contract_service(jsonb) TO gofive_user;

CREATE FUNCTION gofive_create_deal(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_deal(jsonb) IS 'Create Deal: POST /v1/deals';
REVOKE ALL ON FUNCTION gofive_create_deal(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_deal(jsonb) TO gofive_user;

CREATE FUNCTION gofive_update_deal(deal_id bigint, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_deal(bigint, jsonb) IS 'Update Deal: PUT /v1/deals/{id}';
REVOKE ALL ON FUNCTION gofive_update_deal(bigint, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_deal(bigint, jsonb) TO gofive_user;

CREATE FUNCTION gofive_create_expense(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_create_expense(jsonb) IS 'Create Expense: POST /v1/Expenses';
REVOKE ALL ON FUNCTION gofive_create_expense(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_create_expense(jsonb) TO gofive_user;

CREATE FUNCTION gofive_update_expense(expense_id text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_expense(text, jsonb) IS 'Update Expense: PUT /v1/Expenses/{id}';
REVOKE ALL ON FUNCTION gofive_update_expense(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_expense(text, jsonb) TO gofive_user;

CREATE FUNCTION gofive_enquire_expenses(filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_enquire_expenses(jsonb) IS 'Expense Enquiry: POST /v1/expenses/enquiry';
REVOKE ALL ON FUNCTION gofive_enquire_expenses(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_enquire_expenses(jsonb) TO gofive_user;

CREATE FUNCTION gofive_get_expense(expense_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_expense(text) IS 'Get a Expense: GET /v1/expenses/{id}';
REVOKE ALL ON FUNCTION gofive_get_expense(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_expense(text) TO gofive_user;

CREATE FUNCTION gofive_upsert_products(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_products(jsonb) IS 'Create Or Update Products: POST /v3/Products';
REVOKE ALL ON FUNCTION gofive_upsert_products(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_products(jsonb) TO gofive_user;

CREATE FUNCTION gofive_list_products(filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_list_products(jsonb) IS 'Get Products With Take & Status: POST /v2/Products/GetProduct';
REVOKE ALL ON FUNCTION gofive_list_products(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_list_products(jsonb) TO gofive_user;

CREATE FUNCTION gofive_get_product(product_code text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_product(text) IS 'Get a Product by ProductCode: GET /v2/products/{productCode}';
REVOKE ALL ON FUNCTION gofive_get_product(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_product(text) TO gofive_user;

CREATE FUNCTION gofive_enquire_products(filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_enquire_products(jsonb) IS 'Get Products By Filter: POST /v1/products/getProduct';
REVOKE ALL ON FUNCTION gofive_enquire_products(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_enquire_products(jsonb) TO gofive_user;

CREATE FUNCTION gofive_verify_serial(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_verify_serial(jsonb) IS 'Verify Serial Number: POST /v3/products/serials/verification';
REVOKE ALL ON FUNCTION gofive_verify_serial(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_verify_serial(jsonb) TO gofive_user;

CREATE FUNCTION gofive_get_serial_status(params jsonb DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_serial_status(jsonb) IS '/v3/Products/serials/status: GET /v3/Products/serials/status';
REVOKE ALL ON FUNCTION gofive_get_serial_status(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_serial_status(jsonb) TO gofive_user;

CREATE FUNCTION gofive_upsert_serial(running_number text, product_code text DEFAULT NULL, serial_number text DEFAULT NULL, status boolean DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_serial(text, text, text, boolean) IS 'Create or Update Codeguard Products: POST /v3/products/serials';
REVOKE ALL ON FUNCTION gofive_upsert_serial(text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_serial(text, text, text, boolean) TO gofive_user;

CREATE FUNCTION gofive_update_product_stock(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_product_stock(jsonb) IS 'Update Product Stock: PUT /v1/products/stock';
REVOKE ALL ON FUNCTION gofive_update_product_stock(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_product_stock(jsonb) TO gofive_user;

CREATE FUNCTION gofive_list_product_units()
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_list_product_units() IS '/v1/products/units: GET /v1/products/units';
REVOKE ALL ON FUNCTION gofive_list_product_units() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_list_product_units() TO gofive_user;

CREATE FUNCTION gofive_upsert_quotation(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_upsert_quotation(jsonb) IS 'Create Update Quotation: POST /v2/quotation';
REVOKE ALL ON FUNCTION gofive_upsert_quotation(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_upsert_quotation(jsonb) TO gofive_user;

CREATE FUNCTION gofive_convert_quotation(quotation_no text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_convert_quotation(text) IS 'Convert Quotation To SalesOrder: POST /v1/quotation/{quotationNo}/convert-to-salesorder';
REVOKE ALL ON FUNCTION gofive_convert_quotation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_convert_quotation(text) TO gofive_user;

CREATE FUNCTION gofive_enquire_quotations(filter jsonb DEFAULT NULL)
RETURNS SETOF jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100;
COMMENT ON FUNCTION gofive_enquire_quotations(jsonb) IS 'Quotation Enquiry: POST /v1/quotation/enquiry';
REVOKE ALL ON FUNCTION gofive_enquire_quotations(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_enquire_quotations(jsonb) TO gofive_user;

CREATE FUNCTION gofive_get_quotation(quotation_no text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_quotation(text) IS 'Get a Quotation By QuotationNo: GET /v1/quotation/{quotationNo}';
REVOKE ALL ON FUNCTION gofive_get_quotation(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_quotation(text) TO gofive_user;

CREATE FUNCTION gofive_get_sales_order(sales_order_no text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_get_sales_order(text) IS 'Get a SalesOrder By SalesOrderNo: GET /v2/salesorder/{salesOrderNo}';
REVOKE ALL ON FUNCTION gofive_get_sales_order(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_get_sales_order(text) TO gofive_user;

CREATE FUNCTION gofive_update_sales_order_payment(sales_order_no text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_update_sales_order_payment(text, jsonb) IS 'Update SalesOrder Payment: PUT /v2/salesorder/{salesOrderNo}/payment';
REVOKE ALL ON FUNCTION gofive_update_sales_order_payment(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_update_sales_order_payment(text, jsonb) TO gofive_user;

CREATE FUNCTION gofive_reject_sales_orders(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_reject_sales_orders(jsonb) IS 'Reject SaleOrder: DELETE /v1/salesorders/reject';
REVOKE ALL ON FUNCTION gofive_reject_sales_orders(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_reject_sales_orders(jsonb) TO gofive_user;

CREATE FUNCTION gofive_send_chat_message(payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'gofive_call'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_send_chat_message(jsonb) IS 'Post Send message: POST /v1/chat/message';
REVOKE ALL ON FUNCTION gofive_send_chat_message(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_send_chat_message(jsonb) TO gofive_user;

CREATE VIEW gofive.operations (name, title, method, path, sql_function, returns, documented, doc) AS
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
    ('upsert_serial', 'Create or Update Codeguard Products', 'POST', '/v3/products/serials', 'gofive_upsert_serial(text, text, text, boolean)', 'data', 'yes', 'https://developer.gofive.co.th (Product > Create or Update Codeguard Products)'),
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
