-- The CRM as foreign tables (src/fdw/): IMPORT FOREIGN SCHEMA, what is
-- pushed into the request (shown by EXPLAIN VERBOSE and checked in the
-- local server's journal), paging, key lookups and joins on the key,
-- required filters, each row checked against the question (planted
-- answers), several accounts' scans under one Append at once (async),
-- reading pages ahead, read-only tables, privileges, statistics without
-- records, and no secret shown.
-- Quotation numbers carry the current month, so they are not printed.
SELECT mock.reset();
SELECT mock.post('/_mock/client', '{"client_id": "venio-f", "client_secret": "secret-f-1234", "subscription_key": "key-f-1234"}');
DO $$ BEGIN
    EXECUTE format('CREATE SERVER venio_t FOREIGN DATA WRAPPER gofive OPTIONS (base_url %L)',
                   current_setting('gofive.base_url'));
END $$;
CREATE USER MAPPING FOR PUBLIC SERVER venio_t
    OPTIONS (client_id 'venio-f', client_secret 'secret-f-1234', subscription_key 'key-f-1234');

-- the API requests (not the token's) after a mark in the journal
CREATE FUNCTION mock.requests_since(mark int, OUT method text, OUT path text, OUT query text, OUT body jsonb)
RETURNS SETOF record LANGUAGE sql AS $$
    SELECT e->>'method', e->>'path', e->>'query', e->'body'
    FROM mock.journal() AS e
    WHERE (e->>'seq')::int > mark AND e->>'path' <> '/authorization/connect/token'
    ORDER BY (e->>'seq')::int $$;
CREATE FUNCTION mock.mark() RETURNS int LANGUAGE sql AS $$
    SELECT coalesce(max((e->>'seq')::int), 0) FROM mock.journal() AS e $$;
-- the lines of EXPLAIN (VERBOSE, COSTS OFF) of a query
CREATE FUNCTION mock.explain(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        RETURN NEXT line;
    END LOOP;
END $$;

-- ---- IMPORT FOREIGN SCHEMA: one table per readable resource ----
CREATE SCHEMA crm;
IMPORT FOREIGN SCHEMA venio FROM SERVER venio_t INTO crm;
SELECT c.relname, ft.ftoptions
FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid
WHERE c.relnamespace = 'crm'::regnamespace ORDER BY 1;
SELECT attrelid::regclass AS tab, string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) AS columns
FROM pg_attribute WHERE attrelid IN ('crm.quotations'::regclass, 'crm.customer_events'::regclass, 'crm.products'::regclass)
  AND attnum > 0 GROUP BY 1 ORDER BY 1;
CREATE SCHEMA crm_some;
IMPORT FOREIGN SCHEMA venio LIMIT TO (quotations, contracts) FROM SERVER venio_t INTO crm_some;
SELECT relname FROM pg_class WHERE relnamespace = 'crm_some'::regnamespace ORDER BY 1;
DROP SCHEMA crm_some CASCADE;
CREATE SCHEMA crm_some;
IMPORT FOREIGN SCHEMA venio EXCEPT (quotations, contracts, expenses) FROM SERVER venio_t INTO crm_some;
SELECT relname FROM pg_class WHERE relnamespace = 'crm_some'::regnamespace ORDER BY 1;
DROP SCHEMA crm_some CASCADE;
IMPORT FOREIGN SCHEMA crm FROM SERVER venio_t INTO public;
-- by hand, with the resource option (checked)
CREATE FOREIGN TABLE q_by_hand (quotation_no text, customer_code text, quotation_subject text, data jsonb)
    SERVER venio_t OPTIONS (resource 'quotations');
-- a record field its column's type refuses: the error names the column
CREATE FOREIGN TABLE units_typed (unit_id int, unit_name int) SERVER venio_t OPTIONS (resource 'product_units');
SELECT * FROM units_typed;
DROP FOREIGN TABLE units_typed;
CREATE FOREIGN TABLE bad_table (x text) SERVER venio_t OPTIONS (resource 'invoices');
CREATE FOREIGN TABLE bad_table (x text) SERVER venio_t;
ALTER SERVER venio_t OPTIONS (ADD request_cost 'cheap');
ALTER SERVER venio_t OPTIONS (ADD request_cost '-1');

-- ---- rows to page through: 25 quotations, every fifth of another customer ----
\set quotation '{"quotationNo": null, "quotationSubject": "Printers", "quotationDate": "2025-11-01", "quotationValidUntil": "2025-11-30", "quotationStatus": 1, "customerCode": "C000349", "staffCode": "staff01", "vatCalculation": true, "quotationDetails": [{"productCode": "PD001", "qty": 2, "price": 1500}]}'
SELECT count(gofive_upsert_quotation(:'quotation'::jsonb
         || jsonb_build_object('quotationSubject', 'Row ' || i)
         || CASE WHEN i % 5 = 0 THEN '{"customerCode": "C000055"}'::jsonb ELSE '{}' END)) AS created
FROM generate_series(1, 25) AS i;
SELECT count(*) AS quotations FROM gofive_enquire_quotations('{}');

-- ---- a full scan pages: the next page only when more rows are wanted ----
SET gofive.page_size = 10;
SELECT mock.explain('SELECT quotation_subject FROM crm.quotations');
SELECT mock.mark() AS mark \gset
SELECT count(*) AS rows, count(DISTINCT quotation_no) AS numbers, count(*) FILTER (WHERE data->>'quotationNo' = quotation_no) AS data_matches
FROM crm.quotations;
SELECT method, path, body FROM mock.requests_since(:mark);

-- ---- LIMIT without local conditions: one request for no more rows than needed ----
SELECT mock.explain('SELECT quotation_subject FROM crm.quotations LIMIT 3');
SELECT mock.mark() AS mark \gset
SELECT quotation_subject FROM crm.quotations LIMIT 3;
SELECT method, path, body FROM mock.requests_since(:mark);
-- OFFSET becomes skip: the rows before it are not asked for
SELECT mock.explain('SELECT quotation_subject FROM crm.quotations LIMIT 2 OFFSET 2');
SELECT mock.mark() AS mark \gset
SELECT quotation_subject FROM crm.quotations LIMIT 2 OFFSET 2;
SELECT method, path, body FROM mock.requests_since(:mark);
-- a LIMIT beyond a page: pages until LIMIT rows, the last one only as large as needed
SELECT mock.mark() AS mark \gset
SELECT count(*) AS rows, min(quotation_subject) AS first, max(quotation_subject) AS last
FROM (SELECT quotation_subject FROM crm.quotations LIMIT 13 OFFSET 5) AS q;
SELECT method, path, body FROM mock.requests_since(:mark);
-- an OFFSET past the end: one request, no row
SELECT mock.mark() AS mark \gset
SELECT count(*) AS rows FROM (SELECT 1 FROM crm.quotations LIMIT 5 OFFSET 100) AS q;
SELECT method, path, body FROM mock.requests_since(:mark);
-- with pushed filters, expressions of the columns, the record and a request parameter
SELECT mock.explain($$SELECT upper(quotation_subject), data->>'quotationNo' = quotation_no FROM crm.quotations WHERE customer_code = 'C000055' LIMIT 2 OFFSET 1$$);
SELECT mock.mark() AS mark \gset
SELECT upper(quotation_subject) AS subject, data->>'quotationNo' = quotation_no AS data_matches, customer_code
FROM crm.quotations WHERE customer_code = 'C000055' LIMIT 2 OFFSET 1;
SELECT method, path, body FROM mock.requests_since(:mark);
-- an API that answers more rows than asked for: the LIMIT still holds
SELECT jsonb_build_object('mode', 'body', 'count', 1, 'path', '/v1/quotation/enquiry',
         'body', jsonb_build_object('status', jsonb_build_object('code', '1000', 'description', 'Success'),
                                    'data', (SELECT jsonb_agg(data) FROM crm.quotations))::text) AS too_many \gset
SELECT mock.fault(:'too_many');
SELECT mock.mark() AS mark \gset
SELECT count(*) AS rows FROM (SELECT quotation_no FROM crm.quotations LIMIT 2) AS q;
SELECT method, path, body FROM mock.requests_since(:mark);
-- an API that ignores the filter: rows that do not satisfy what was sent
-- are left out (the API is not trusted to filter)
SELECT mock.fault(:'too_many');
SELECT customer_code, count(*) FROM crm.quotations WHERE customer_code = 'C000055' GROUP BY 1;
-- a get-by-key answered with another record: no row
SELECT quotation_no AS other_no FROM crm.quotations WHERE customer_code = 'C000349' LIMIT 1 \gset
SELECT quotation_no AS asked_no FROM crm.quotations WHERE customer_code = 'C000055' LIMIT 1 \gset
SELECT jsonb_build_object('mode', 'body', 'count', 1, 'path', '/v1/quotation/' || :'asked_no',
         'body', jsonb_build_object('status', jsonb_build_object('code', '1000', 'description', 'Success'),
                                    'data', (SELECT data FROM crm.quotations WHERE quotation_no = :'other_no'))::text) AS wrong_record \gset
SELECT mock.fault(:'wrong_record');
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = :'asked_no';
-- (the fault answered once: now the record asked for)
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = :'asked_no';

-- ---- every answer checked against the question (planted answers) ----
-- a helper: a successful answer of the enquiry (or of path) with these data, once
CREATE FUNCTION mock.plant(data jsonb, path text DEFAULT '/v1/quotation/enquiry') RETURNS void
LANGUAGE sql AS $$
    SELECT mock.fault(jsonb_build_object('mode', 'body', 'count', 1, 'path', path,
        'body', jsonb_build_object('status', jsonb_build_object('code', '1000', 'description', 'Success'),
                                   'data', data)::text))
$$;
CREATE VIEW c55_quotations AS
    SELECT quotation_no, quotation_subject, customer_code FROM crm.quotations WHERE customer_code = 'C000055';
-- a record that lacks the field the request filtered on: NULL, so not a row of the view
SELECT mock.plant('[{"quotationNo": "QT-NOCUST", "quotationSubject": "planted"}]');
SELECT * FROM c55_quotations;
-- the field as JSON null: the same
SELECT mock.plant('[{"quotationNo": "QT-NULLCUST", "quotationSubject": "planted", "customerCode": null}]');
SELECT * FROM c55_quotations;
-- another customer's record, and one of the customer asked for: only that one
SELECT mock.plant('[{"quotationNo": "QT-C349", "customerCode": "C000349"}, {"quotationNo": "QT-C55", "customerCode": "C000055"}]');
SELECT * FROM c55_quotations;
-- without a filter, a missing field and JSON null are NULL like any value
SELECT mock.plant('[{"quotationNo": "QT-NOCUST"}, {"quotationNo": "QT-NULLCUST", "customerCode": null, "quotationStatus": null}]');
SELECT quotation_no, customer_code IS NULL AS no_customer, quotation_status IS NULL AS no_status, data
FROM crm.quotations ORDER BY 1;
-- NULL passes a local check for it, and an IN list's recheck like any other value
SELECT mock.plant('[{"quotationNo": "QT-NOCUST"}, {"quotationNo": "QT-C55", "customerCode": "C000055"}]');
SELECT quotation_no FROM crm.quotations WHERE customer_code IS NULL;
SELECT mock.plant('[{"quotationNo": "QT-NOCUST"}, {"quotationNo": "QT-C55", "customerCode": "C000055"}]');
SELECT mock.plant('[{"quotationNo": "QT-C349", "customerCode": "C000349"}]');
SELECT quotation_no, customer_code FROM crm.quotations WHERE customer_code IN ('C000055', 'C000349') ORDER BY 1;
-- a get-by-key answer that is not a record with that key is not a row
SELECT mock.plant('{"ok": true}', '/v1/quotation/' || :'asked_no');
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = :'asked_no';
SELECT mock.plant('{"quotationSubject": "no key"}', '/v1/quotation/' || :'asked_no');
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = :'asked_no';
SELECT mock.plant(jsonb_build_object('quotationNo', NULL, 'customerCode', 'C000055'), '/v1/quotation/' || :'asked_no');
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = :'asked_no';
SELECT mock.plant(jsonb_build_array(jsonb_build_object('quotationNo', :'asked_no')), '/v1/quotation/' || :'asked_no');
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = :'asked_no';
SELECT mock.plant('"a string"', '/v1/quotation/' || :'asked_no');
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = :'asked_no';
-- (and in a join on the key, one lookup per outer row, the same)
SELECT mock.plant('{"ok": true}', '/v1/quotation/' || :'asked_no');
SELECT count(q.*) AS rows FROM (VALUES (:'asked_no')) AS o(no) JOIN crm.quotations q ON q.quotation_no = o.no;
-- the record asked for is a row
SELECT mock.plant(jsonb_build_object('quotationNo', :'asked_no', 'quotationSubject', 'planted'), '/v1/quotation/' || :'asked_no');
SELECT quotation_subject, customer_code FROM crm.quotations WHERE quotation_no = :'asked_no';
-- outcome.c's "no record": a lookup answered 404 is no row; a page answered
-- 404 is an error (VNREJ); a lookup answered 403 is VNAUT, with no new token
SELECT mock.fault(jsonb_build_object('mode', 'status', 'status', 404, 'count', 1, 'path', '/v1/quotation/' || :'asked_no'));
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = :'asked_no';
SELECT mock.fault('{"mode": "status", "status": 404, "count": 1, "path": "/v1/quotation/enquiry"}');
SELECT mock.error_of($$SELECT count(*) FROM crm.quotations WHERE customer_code = 'C000055'$$) AS page_not_found;
SELECT mock.fault(jsonb_build_object('mode', 'status', 'status', 403, 'count', 1, 'path', '/v1/quotation/' || :'asked_no'));
SELECT mock.mark() AS mark \gset
SELECT mock.error_of(format($$SELECT count(*) FROM crm.quotations WHERE quotation_no = %L$$, :'asked_no')) AS lookup_forbidden;
SELECT count(*) FILTER (WHERE e->>'path' = '/authorization/connect/token') AS token_requests,
       count(*) AS requests
FROM mock.journal() AS e WHERE (e->>'seq')::int > :mark;
SELECT mock.fault('{"mode": "none"}');
DROP VIEW c55_quotations;
-- not pushed: a LIMIT that is a parameter, an ORDER BY, the whole row
PREPARE limited(bigint) AS SELECT quotation_subject FROM crm.quotations LIMIT $1;
SET plan_cache_mode = force_generic_plan;
SELECT mock.explain('EXECUTE limited(2)');
RESET plan_cache_mode;
DEALLOCATE limited;
SELECT mock.explain('SELECT quotation_subject FROM crm.quotations ORDER BY 1 LIMIT 2 OFFSET 1');
SELECT mock.explain('SELECT q FROM crm.quotations q LIMIT 1');
SELECT count(*) AS rows FROM (SELECT q FROM crm.quotations q LIMIT 2 OFFSET 1) AS s;
-- in a subquery run again for each outer row: each run starts at the OFFSET
SELECT mock.mark() AS mark \gset
SELECT c.code, (SELECT count(*) FROM (SELECT 1 FROM crm.quotations q WHERE q.customer_code = c.code LIMIT 3 OFFSET 3) AS s) AS rows
FROM (VALUES ('C000055'), ('C000349')) AS c(code) ORDER BY 1;
SELECT method, path, body FROM mock.requests_since(:mark);
-- with a local condition the LIMIT is not pushed: pages as needed
SELECT mock.explain($$SELECT quotation_subject FROM crm.quotations WHERE quotation_subject LIKE 'Row 2%' LIMIT 2$$);
SELECT mock.mark() AS mark \gset
SELECT quotation_subject FROM crm.quotations WHERE quotation_subject LIKE 'Row 2%' LIMIT 2;
SELECT method, path, body FROM mock.requests_since(:mark);

-- ---- WHERE: filters go into the body, the rest is checked locally ----
SELECT mock.explain($$SELECT quotation_subject FROM crm.quotations WHERE customer_code = 'C000055' AND quotation_status = 1 AND quotation_subject <> 'Row 10'$$);
SELECT mock.mark() AS mark \gset
SELECT quotation_subject FROM crm.quotations
WHERE customer_code = 'C000055' AND quotation_status = 1 AND quotation_subject <> 'Row 10' ORDER BY 1;
SELECT method, path, body FROM mock.requests_since(:mark);
-- a bad filter value is refused before anything is sent
SELECT mock.sends_nothing($$SELECT * FROM crm.quotations WHERE quotation_status = 9$$);
-- a value known only when the scan starts (a parameter)
PREPARE by_customer(text) AS SELECT count(*) FROM crm.quotations WHERE customer_code = $1;
SELECT mock.mark() AS mark \gset
EXECUTE by_customer('C000055');
SELECT method, path, body FROM mock.requests_since(:mark);
-- "= NULL" holds for no row: nothing is asked
SELECT mock.mark() AS mark \gset
EXECUTE by_customer(NULL);
SELECT count(*) AS requests FROM mock.requests_since(:mark);
DEALLOCATE by_customer;

-- ---- equality on the key: one get-by-key request ----
SELECT mock.explain($$SELECT quotation_subject FROM crm.quotations WHERE quotation_no = 'QT0000000000' AND customer_code = 'C000349'$$);
SELECT quotation_no AS some_no FROM crm.quotations WHERE customer_code = 'C000055' LIMIT 1 \gset
SELECT mock.mark() AS mark \gset
SELECT quotation_subject, customer_code, quotation_no = :'some_no' AS same FROM crm.quotations WHERE quotation_no = :'some_no';
SELECT method, path = '/v1/quotation/' || :'some_no' AS path_is_key, body FROM mock.requests_since(:mark);
-- an unknown key: no row, one request
SELECT mock.mark() AS mark \gset
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = 'QT0000000000';
SELECT method, path FROM mock.requests_since(:mark);

-- ---- IN lists: the requests once per distinct value ----
-- on the key: one get-by-key request per distinct value, NULL left out
SELECT quotation_no AS no1 FROM crm.quotations WHERE customer_code = 'C000055' LIMIT 1 \gset
SELECT quotation_no AS no2 FROM crm.quotations WHERE customer_code = 'C000349' LIMIT 1 \gset
SELECT mock.explain($$SELECT quotation_subject FROM crm.quotations WHERE quotation_no IN ('QT0000000001', 'QT0000000002') AND customer_code = 'C000349'$$);
SELECT mock.mark() AS mark \gset
SELECT quotation_subject, customer_code FROM crm.quotations
WHERE quotation_no IN (:'no1', :'no2', :'no1', NULL, 'QT0000000000') ORDER BY 2;
SELECT method, count(*) AS requests, count(DISTINCT path) AS paths FROM mock.requests_since(:mark) GROUP BY 1;
-- on a filter: one enquiry (paged) per value, the rows of each
SELECT mock.explain($$SELECT quotation_subject FROM crm.quotations WHERE customer_code IN ('C000055', 'C000349') AND quotation_status = 1$$);
SELECT mock.mark() AS mark \gset
SELECT customer_code, count(*) FROM crm.quotations
WHERE customer_code IN ('C000055', 'C000349', 'C000055', 'C999999') AND quotation_status = 1 GROUP BY 1 ORDER BY 1;
SELECT method, path, body FROM mock.requests_since(:mark);
-- = ANY of a parameter; an empty list, only NULLs or NULL ask nothing
PREPARE by_customers(text[]) AS SELECT count(*) FROM crm.quotations WHERE customer_code = ANY ($1);
SET plan_cache_mode = force_generic_plan;
SELECT mock.explain($$EXECUTE by_customers(ARRAY['C000055'])$$);
SELECT mock.mark() AS mark \gset
EXECUTE by_customers(ARRAY['C000055']);
EXECUTE by_customers(ARRAY[]::text[]);
EXECUTE by_customers(ARRAY[NULL]::text[]);
EXECUTE by_customers(NULL);
SELECT method, path, body FROM mock.requests_since(:mark);
RESET plan_cache_mode;
DEALLOCATE by_customers;
-- the next value's requests only when more rows are wanted
SELECT mock.mark() AS mark \gset
SELECT customer_code FROM crm.quotations WHERE customer_code IN ('C000055', 'C000349') LIMIT 2;
SELECT method, path, body FROM mock.requests_since(:mark);
-- a second IN list and NOT IN are checked locally; an IN list keeps the LIMIT local
SELECT mock.explain($$SELECT 1 FROM crm.quotations WHERE customer_code IN ('C000055', 'C000349') AND quotation_status IN (1, 2) AND staff_code NOT IN ('x') LIMIT 1$$);
-- a bad value in the list is refused before anything is sent
SELECT mock.sends_nothing($$SELECT * FROM crm.quotations WHERE quotation_status IN (1, 9)$$);
-- a list so long that reading everything costs fewer requests: checked locally
SELECT array_agg(quotation_no) || array_agg('QT9' || lpad(i::text, 9, '0')) AS many_numbers
FROM (SELECT quotation_no, row_number() OVER () AS i FROM crm.quotations) AS q,
     generate_series(1, 6) AS g \gset
SELECT regexp_replace(line, '\{[^}]*\}''', '{...}''') AS plan
FROM mock.explain(format('SELECT count(*) FROM crm.quotations WHERE quotation_no = ANY (%L::text[])', :'many_numbers')) AS line;
SELECT mock.mark() AS mark \gset
SELECT count(*) AS rows FROM crm.quotations WHERE quotation_no = ANY (:'many_numbers'::text[]);
SELECT count(*) AS requests FROM mock.requests_since(:mark);

-- ---- a join from a local table: one key lookup per outer row ----
CREATE TABLE erp_orders (order_id int, quotation_no text);
INSERT INTO erp_orders
SELECT row_number() OVER (), quotation_no FROM crm.quotations WHERE customer_code = 'C000055';
INSERT INTO erp_orders VALUES (100, 'QT0000000000');
ANALYZE erp_orders;
SELECT regexp_replace(line, 'QT[0-9]+', 'QT...', 'g') AS plan
FROM mock.explain($$SELECT o.order_id, q.quotation_subject FROM erp_orders o JOIN crm.quotations q ON q.quotation_no = o.quotation_no$$) AS line;
SELECT mock.mark() AS mark \gset
SELECT o.order_id, q.quotation_subject FROM erp_orders o JOIN crm.quotations q ON q.quotation_no = o.quotation_no ORDER BY 1;
SELECT method, count(*) AS requests, bool_and(path LIKE '/v1/quotation/QT%') AS all_key_lookups
FROM mock.requests_since(:mark) GROUP BY 1;

-- ---- resources with a required filter ----
SELECT mock.sends_nothing($$SELECT * FROM crm.customer_events$$);
SELECT mock.sends_nothing($$SELECT * FROM crm.contracts WHERE contract_name = 'x'$$);
SELECT mock.explain($$SELECT event_name FROM crm.customer_events WHERE customer_code = 'C000349' AND event_type_ids = 2$$);
SELECT mock.mark() AS mark \gset
SELECT count(*) >= 0 AS answered FROM crm.customer_events WHERE customer_code = 'C000349';
SELECT method, path, query FROM mock.requests_since(:mark);
-- a column that is a request parameter, not a record field, shows the value given
-- (events carry customerId, not customerCode: the API alone applies that filter)
SELECT mock.plant('[{"eventId": 1, "eventName": "planted", "customerId": 99}]', '/v1/customerEvent/filter');
SELECT event_id, event_name, customer_code, event_type_ids FROM crm.customer_events
WHERE customer_code = 'C000349' AND event_type_ids = 4;
SELECT min(event_type_id) AS type_id FROM crm.customer_event_types \gset
SELECT gofive_create_customer_event(jsonb_build_object('eventName', 'Visit', 'eventType', :type_id,
         'eventDate', '2025-02-01T10:00:00', 'customerCode', 'C000349')) IS NOT NULL AS created;
SELECT mock.mark() AS mark \gset
SELECT customer_code, event_type_ids = :type_id AS type_given, date_from, event_name, event_type = :type_id AS same_type
FROM crm.customer_events
WHERE customer_code = 'C000349' AND event_type_ids = :type_id AND date_from = '2000-01-01';
SELECT method, path, query = 'customerCode=C000349&eventTypeIds=' || :type_id AS query_as_given, body
FROM mock.requests_since(:mark);
-- the required filter from a join: one request per outer row
CREATE TABLE erp_customers (code text);
INSERT INTO erp_customers VALUES ('C000349'), ('C000055');
ANALYZE erp_customers;
SELECT mock.explain($$SELECT c.code, e.event_name FROM erp_customers c JOIN crm.customer_events e ON e.customer_code = c.code$$);
SELECT mock.mark() AS mark \gset
SELECT c.code, e.event_name FROM erp_customers c JOIN crm.customer_events e ON e.customer_code = c.code ORDER BY 1;
SELECT method, path, query FROM mock.requests_since(:mark);
DROP TABLE erp_customers;
-- resources without filters
SELECT unit_id, unit_name FROM crm.product_units ORDER BY 1;
SELECT count(*) > 0 AS has_types FROM crm.customer_event_types;

-- the other resources: filters, keys (whatever the path parameter's name), joins
SELECT mock.explain($$SELECT product_name FROM crm.products WHERE product_type = 1301$$);
SELECT mock.mark() AS mark \gset
SELECT product_code, product_name, qty IS NOT NULL AS has_qty FROM crm.products
WHERE product_type = 1301 AND product_code LIKE 'PD0%' ORDER BY 1;
SELECT product_name FROM crm.products WHERE product_code = 'PD/001';
SELECT contract_no, contract_name, customer_code FROM crm.contracts WHERE contract_no = 'CONT250600006';
SELECT count(*) AS sales_orders FROM crm.sales_orders WHERE sales_order_no = 'SO0000000000';
SELECT count(*) >= 0 AS answered FROM crm.expenses WHERE expense_type_id = 1001;
SELECT count(*) AS expenses FROM crm.expenses WHERE expense_id = '999999';
SELECT method, path, body FROM mock.requests_since(:mark);
CREATE TABLE erp_contracts (contract_no text);
INSERT INTO erp_contracts VALUES ('CONT250600006'), ('CONT000000000');
ANALYZE erp_contracts;
SELECT mock.explain($$SELECT e.contract_no, c.date_end FROM erp_contracts e JOIN crm.contracts c USING (contract_no)$$);
SELECT e.contract_no, c.contract_name FROM erp_contracts e JOIN crm.contracts c USING (contract_no);
-- a condition of the wrong type is checked locally (not pushed), as is any other operator
SELECT mock.explain($$SELECT quotation_no FROM crm.quotations WHERE quotation_status::bigint = 1 AND customer_code > 'C'$$);

-- ---- a scan waiting on a slow API stops promptly on statement_timeout ----
SELECT mock.fault('{"mode": "latency", "latency_ms": 20000, "count": 1, "path": "/v1/quotation/enquiry"}');
CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS t;
SET statement_timeout = '500ms';
SELECT count(*) FROM crm.quotations;
RESET statement_timeout;
SELECT clock_timestamp() - t < interval '5 seconds' AS stopped_promptly FROM t0;
SELECT count(*) AS healthy FROM crm.quotations;
DROP TABLE t0;

-- ---- several accounts: their scans under one Append wait on the API together ----
SELECT mock.post('/_mock/client', '{"client_id": "venio-g", "client_secret": "secret-g-1234", "subscription_key": "key-g-1234"}');
DO $$ BEGIN
    EXECUTE format('CREATE SERVER venio_u FOREIGN DATA WRAPPER gofive OPTIONS (base_url %L)',
                   current_setting('gofive.base_url'));
END $$;
CREATE USER MAPPING FOR PUBLIC SERVER venio_u
    OPTIONS (client_id 'venio-g', client_secret 'secret-g-1234', subscription_key 'key-g-1234');
CREATE SCHEMA crm_u;
IMPORT FOREIGN SCHEMA venio LIMIT TO (quotations) FROM SERVER venio_u INTO crm_u;
CREATE VIEW all_quotations AS
    SELECT 't' AS account, quotation_no, customer_code FROM crm.quotations
    UNION ALL
    SELECT 'u', quotation_no, customer_code FROM crm_u.quotations;
SELECT mock.explain('SELECT * FROM all_quotations');
-- each account's requests go with its own credentials, and both are on their
-- way before either is answered (each waits a second on the server)
SELECT mock.fault('{"mode": "latency", "latency_ms": 1000, "count": 2, "path": "/v1/quotation/enquiry"}');
SELECT mock.mark() AS mark \gset
SELECT account, count(*), count(DISTINCT quotation_no) AS numbers FROM all_quotations GROUP BY 1 ORDER BY 1;
SELECT e->>'client' AS client, count(*) AS requests FROM mock.journal() AS e
WHERE (e->>'seq')::int > :mark AND e->>'path' = '/v1/quotation/enquiry' GROUP BY 1 ORDER BY 1;
SELECT max(t) - min(t) < 0.5 AS together
FROM (SELECT (e->>'received_at')::float8 AS t FROM mock.journal() AS e
      WHERE (e->>'seq')::int > :mark AND e->>'path' = '/v1/quotation/enquiry'
      ORDER BY (e->>'seq')::int LIMIT 2) AS firsts;
-- filters, a LIMIT above the Append, and a rescan per outer row (a subquery)
SELECT account, quotation_no IS NOT NULL AS has_no, customer_code FROM all_quotations
WHERE customer_code = 'C000055' ORDER BY 1 LIMIT 2;
SELECT count(*) AS rows FROM (SELECT * FROM all_quotations LIMIT 3) AS q;
SELECT c.code, (SELECT count(*) FROM all_quotations q WHERE q.customer_code = c.code) AS rows
FROM (VALUES ('C000055'), ('C000349'), ('C999999')) AS c(code) ORDER BY 1;
-- one account failing fails the query; the next query is fine
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/quotation/enquiry"}');
SELECT mock.error_of('SELECT count(*) FROM all_quotations') AS error;
SELECT count(*) AS rows FROM all_quotations;
-- statement_timeout and a cancel request end the wait promptly
SELECT mock.fault('{"mode": "latency", "latency_ms": 20000, "count": 2, "path": "/v1/quotation/enquiry"}');
CREATE TEMP TABLE t0 AS SELECT clock_timestamp() AS t;
SET statement_timeout = '500ms';
SELECT count(*) FROM all_quotations;
RESET statement_timeout;
SELECT clock_timestamp() - t < interval '5 seconds' AS stopped_promptly FROM t0;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
RESET client_min_messages;
SELECT dblink_connect('other', mock.conn());
SELECT pid AS other_pid FROM dblink('other', 'SELECT pg_backend_pid()') AS t(pid int) \gset
SELECT mock.fault('{"mode": "latency", "latency_ms": 20000, "count": 2, "path": "/v1/quotation/enquiry"}');
TRUNCATE t0; INSERT INTO t0 VALUES (clock_timestamp());
SELECT dblink_send_query('other', 'SELECT count(*) FROM all_quotations');
SELECT pg_sleep(0.5);
SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = :other_pid;
SELECT pg_cancel_backend(:other_pid);
SELECT * FROM dblink_get_result('other') AS t(n bigint);
SELECT * FROM dblink_get_result('other') AS t(n bigint);  -- the end of that query's results
SELECT clock_timestamp() - t < interval '5 seconds' AS stopped_promptly FROM t0;
SELECT * FROM dblink('other', 'SELECT count(*) FROM all_quotations') AS t(n bigint);
SELECT dblink_disconnect('other');
DROP TABLE t0;
SELECT mock.fault('{"mode": "none"}');
-- a cursor paused longer than the accounts' timeout while requests are on
-- their way (here two pages read ahead, each answered in 0.3 s): those are
-- asked again, and the cursor goes on (one or both: which account's scan the
-- Append reads first, and so which requests are out at the pause, varies)
ALTER SERVER venio_t OPTIONS (ADD timeout '1s', ADD read_ahead '2');
ALTER SERVER venio_u OPTIONS (ADD timeout '1s');
CREATE FUNCTION mock.paused_cursor() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    c refcursor;
    r record;
    before int := 0;
    after int := 0;
BEGIN
    OPEN c FOR SELECT account, quotation_no FROM all_quotations;
    FOR i IN 1 .. 3 LOOP
        FETCH c INTO r;
        before := before + 1;
    END LOOP;
    PERFORM pg_sleep(1.5);
    LOOP
        FETCH c INTO r;
        EXIT WHEN NOT FOUND;
        after := after + 1;
    END LOOP;
    CLOSE c;
    RETURN before || ' rows, a pause, then ' || after;
END $$;
SELECT mock.fault('{"mode": "latency", "latency_ms": 300, "path": "/v1/quotation/enquiry"}');
SELECT mock.mark() AS mark \gset
SELECT mock.paused_cursor();
SELECT mock.fault('{"mode": "none"}');
SELECT count(DISTINCT e->'body') AS pages, count(*) - count(DISTINCT e->'body') BETWEEN 1 AND 2 AS asked_again
FROM mock.journal() AS e
WHERE (e->>'seq')::int > :mark AND e->>'client' = 'venio-f' AND e->>'path' = '/v1/quotation/enquiry'
  AND (e->'body'->>'skip')::int < 25;  -- (a page past the end may have been asked for, and dropped)
ALTER SERVER venio_t OPTIONS (DROP timeout, DROP read_ahead);
ALTER SERVER venio_u OPTIONS (DROP timeout);
-- the option async_capable (on by default): off, the scans run one after the other
ALTER SERVER venio_u OPTIONS (ADD async_capable 'false');
SELECT mock.explain('SELECT * FROM all_quotations');
SELECT count(*) AS rows FROM all_quotations;
ALTER SERVER venio_u OPTIONS (SET async_capable 'maybe');
ALTER SERVER venio_u OPTIONS (DROP async_capable);

-- ---- read_ahead: pages asked for while a page is read ----
-- off by default: the next page only when more rows are wanted
ALTER SERVER venio_t OPTIONS (ADD read_ahead '1');
SELECT mock.mark() AS mark \gset
SELECT count(*) AS rows, count(DISTINCT quotation_no) AS numbers FROM crm.quotations;
SELECT method, path, body FROM mock.requests_since(:mark);
-- its cost: a query that stops after a page has had the next one asked for too
SELECT mock.explain($$SELECT quotation_subject FROM crm.quotations WHERE quotation_subject LIKE 'Row%' LIMIT 3$$);
SELECT mock.mark() AS mark \gset
SELECT quotation_subject FROM crm.quotations WHERE quotation_subject LIKE 'Row%' LIMIT 3;
SELECT pg_sleep(0.2);  -- the journal records a request once answered
SELECT method, path, body FROM mock.requests_since(:mark);
-- several pages ahead: the same rows, in order; the scan's own LIMIT bounds them
ALTER SERVER venio_t OPTIONS (SET read_ahead '3');
SELECT count(*) AS rows, count(DISTINCT quotation_no) AS numbers,
       (SELECT array_agg(quotation_subject) FROM crm.quotations) = (SELECT array_agg(s) FROM gofive_enquire_quotations('{}') AS q, LATERAL (SELECT q->>'quotationSubject') AS x(s)) AS same_order
FROM crm.quotations;
SELECT mock.mark() AS mark \gset
SELECT count(*) AS rows FROM (SELECT quotation_subject FROM crm.quotations LIMIT 20) AS q;
SELECT method, path, body FROM mock.requests_since(:mark);
ALTER SERVER venio_t OPTIONS (SET read_ahead '9');
ALTER SERVER venio_t OPTIONS (SET read_ahead 'on');
ALTER SERVER venio_t OPTIONS (DROP read_ahead);

-- ---- read-only ----
INSERT INTO crm.quotations (quotation_no) VALUES ('QT1');
UPDATE crm.quotations SET quotation_subject = 'x' WHERE quotation_no = 'QT1';
DELETE FROM crm.quotations WHERE quotation_no = 'QT1';

-- ---- privileges: SELECT on the table, USAGE on the server ----
CREATE ROLE regress_fdw_reader;
GRANT USAGE ON SCHEMA crm, mock TO regress_fdw_reader;
SET ROLE regress_fdw_reader;
SELECT mock.error_of($$SELECT count(*) FROM crm.product_units$$);
RESET ROLE;
GRANT SELECT ON crm.product_units TO regress_fdw_reader;
SET ROLE regress_fdw_reader;
SELECT mock.error_of($$SELECT count(*) FROM crm.product_units$$);
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER venio_t TO regress_fdw_reader;
SET ROLE regress_fdw_reader;
SELECT count(*) AS units FROM crm.product_units;
-- a scan that does the LIMIT checks SELECT on its table all the same
SELECT mock.error_of($$SELECT quotation_subject FROM crm.quotations LIMIT 1 OFFSET 1$$);
RESET ROLE;

-- ---- no secret in EXPLAIN or in errors ----
SELECT bool_or(strpos(line, 'secret-f-1234') > 0 OR strpos(line, 'key-f-1234') > 0) AS secret_in_explain
FROM mock.explain($$SELECT * FROM crm.quotations WHERE customer_code = 'C000349' LIMIT 1$$) AS line;
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/quotation/enquiry"}');
SELECT mock.error_of($$SELECT * FROM crm.quotations LIMIT 1$$) AS error;
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/quotation/enquiry"}');
SELECT strpos(e, 'secret-f-1234') = 0 AND strpos(e, 'key-f-1234') = 0 AS no_secret_in_error
FROM mock.error_of($$SELECT * FROM crm.quotations LIMIT 1$$) AS e;

-- ---- ANALYZE: the resource's size and its columns' statistics ----
CREATE FUNCTION mock.estimated_rows(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN plan->0->'Plan'->>'Plan Rows';
END $$;
-- before: guesses (a resource of 1,000 records, a twentieth per filter)
SELECT mock.estimated_rows('SELECT * FROM crm.quotations') AS whole,
       mock.estimated_rows($$SELECT * FROM crm.quotations WHERE customer_code = 'C000055'$$) AS one_customer;
SELECT mock.mark() AS mark \gset
ANALYZE VERBOSE crm.quotations;
SELECT method, path, body FROM mock.requests_since(:mark);
SELECT reltuples FROM pg_class WHERE oid = 'crm.quotations'::regclass;
SELECT attname, n_distinct FROM pg_stats
WHERE schemaname = 'crm' AND tablename = 'quotations' AND attname IN ('customer_code', 'quotation_status') ORDER BY 1;
-- no record in pg_stats: the whole record (data) keeps its null fraction, width
-- and number of distinct values, but no value; keys and filters keep theirs
SELECT attname, null_frac, avg_width > 0 AS has_width, n_distinct,
       most_common_vals IS NOT NULL AS has_common_values, histogram_bounds IS NOT NULL AS has_histogram
FROM pg_stats WHERE schemaname = 'crm' AND tablename = 'quotations'
  AND attname IN ('data', 'customer_code', 'quotation_no', 'quotation_status') ORDER BY 1;
-- any json or jsonb column (a nested part of the record), also in a table made by hand
ALTER FOREIGN TABLE q_by_hand ADD COLUMN quotation_details json;
ANALYZE q_by_hand;
SELECT attname, most_common_vals IS NOT NULL AS has_common_values, histogram_bounds IS NOT NULL AS has_histogram,
       avg_width > 0 AS has_width
FROM pg_stats WHERE tablename = 'q_by_hand' ORDER BY 1;
-- already within ANALYZE's transaction
BEGIN;
ANALYZE crm.quotations;
SELECT count(*) AS data_values FROM pg_stats
WHERE schemaname = 'crm' AND tablename = 'quotations' AND attname = 'data'
  AND (most_common_vals IS NOT NULL OR histogram_bounds IS NOT NULL);
COMMIT;
-- a role with SELECT on the table but no USAGE on its server: refused by the
-- table, and pg_stats shows it no record (the statistics of the other columns,
-- customer codes among them, it does see: grant SELECT only with USAGE)
GRANT SELECT ON crm.quotations TO regress_fdw_reader;
REVOKE USAGE ON FOREIGN SERVER venio_t FROM regress_fdw_reader;
SET ROLE regress_fdw_reader;
SELECT mock.error_of($$SELECT count(*) FROM crm.quotations$$);
SELECT attname, most_common_vals, histogram_bounds FROM pg_stats
WHERE schemaname = 'crm' AND tablename = 'quotations' AND attname IN ('data', 'customer_code') ORDER BY 1;
RESET ROLE;
-- after: from them
SELECT mock.estimated_rows('SELECT * FROM crm.quotations') AS whole,
       mock.estimated_rows($$SELECT * FROM crm.quotations WHERE customer_code = 'C000055'$$) AS one_customer,
       mock.estimated_rows($$SELECT * FROM crm.quotations WHERE customer_code IN ('C000055', 'C000349')$$) AS two_customers;
-- a resource that cannot be read whole is skipped: nothing is sent
SELECT mock.mark() AS mark \gset
ANALYZE crm.customer_events;
SELECT count(*) AS requests FROM mock.requests_since(:mark);
DROP FUNCTION mock.estimated_rows(text);

-- ---- costs: the server's request_cost ----
ALTER SERVER venio_t OPTIONS (ADD request_cost '250');
EXPLAIN (COSTS ON) SELECT * FROM crm.quotations WHERE quotation_no = 'QT0000000000';
ALTER SERVER venio_t OPTIONS (DROP request_cost);

RESET gofive.page_size;
DROP VIEW all_quotations;
DROP TABLE erp_orders, erp_contracts;
DROP SCHEMA crm CASCADE;
DROP FOREIGN TABLE q_by_hand;
DROP OWNED BY regress_fdw_reader;
DROP ROLE regress_fdw_reader;
DROP SCHEMA crm_u CASCADE;
DROP SERVER venio_t CASCADE;
DROP SERVER venio_u CASCADE;
DROP FUNCTION mock.requests_since(int), mock.mark(), mock.explain(text), mock.plant(jsonb, text),
    mock.paused_cursor();
