-- Requests that cannot mean what they say are refused with VNVAL, naming the
-- argument, before anything is written or sent: dot segments in a path or a
-- path parameter (libcurl would resolve them and send the request
-- elsewhere), nested arrays and objects in a query parameter object (they
-- have no query-string form), and params of gofive_enqueue that are not the
-- operation's path and query arguments.  The synchronous functions,
-- gofive_request, gofive_enqueue and gofive_enqueue_request share the checks.
\set VERBOSITY default
SELECT mock.reset();

-- a statement refused before anything is written or sent: its error, whether
-- the local server's journal stayed as it was, and whether the outbox's id
-- sequence stayed as it was (a rolled-back insert would still have moved it)
CREATE FUNCTION mock.refused(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    seq regclass := pg_get_serial_sequence('gofive.outbox', 'id')::regclass;
    before bigint;
    after bigint;
    result text;
BEGIN
    before := pg_sequence_last_value(seq);
    result := mock.sends_nothing(stmt);
    after := pg_sequence_last_value(seq);
    RETURN result || CASE WHEN after IS NOT DISTINCT FROM before THEN ' [nothing queued]'
                          ELSE ' [QUEUED]' END;
END $$;

-- ---- dot segments in a path: gofive_request, gofive_enqueue_request ----
SELECT gofive_request('GET', '/../../x');
SELECT mock.refused($$SELECT gofive_request('GET', '/../../x')$$);
SELECT mock.refused($$SELECT gofive_request('GET', '/v2/products/..')$$);
SELECT mock.refused($$SELECT gofive_request('GET', '/v2/./products/PD001')$$);
SELECT mock.refused($$SELECT gofive_request('GET', '/v2/products/../../v1/deals?x=1')$$);
-- percent-encoded dots are dots to libcurl too
SELECT mock.refused($$SELECT gofive_request('GET', '/v2/products/%2e%2e/x')$$);
SELECT mock.refused($$SELECT gofive_request('GET', '/v2/products/.%2E')$$);
SELECT mock.refused($$SELECT gofive_request('DELETE', '/v2/products/%2E')$$);
SELECT mock.refused($$SELECT gofive_enqueue_request('POST', '/v1/deals/../x', '{}')$$);
SELECT mock.refused($$SELECT gofive_enqueue_request('GET', '/%2e%2e/v1/deals')$$);
-- dots that are not a whole segment, and dots in the query, are sent as written
SELECT status FROM gofive_request('GET', '/v2/products/...');
SELECT method, path, query FROM mock.last_call();
SELECT status FROM gofive_request('GET', '/v2/products/PD.001');
SELECT method, path, query FROM mock.last_call();
SELECT status FROM gofive_request('GET', '/v3/Products/serials/status?runningNumber=../MN1');
SELECT method, path, query FROM mock.last_call();

-- ---- a path parameter of "." or "..": functions and gofive_enqueue ----
SELECT gofive_get_product('..');
SELECT mock.refused($$SELECT gofive_get_product('..')$$);
SELECT mock.refused($$SELECT gofive_get_product('.')$$);
SELECT mock.refused($$SELECT gofive_get_contract('..')$$);
SELECT mock.refused($$SELECT gofive_update_expense('..', '{"ExpenseDetails": [], "subject": "s"}')$$);
SELECT mock.refused($$SELECT gofive_enqueue('get_product', NULL, params => '{"product_code": ".."}')$$);
SELECT mock.refused($$SELECT gofive_enqueue('update_case', '{"subject": "s", "categoryId": 1, "dateCase": "2025-02-05", "dateDue": "2025-02-06", "assignedToUserId": "u"}', params => '{"case_no": "."}')$$);
-- a value with dots and more is one percent-encoded segment, as before
SELECT gofive_get_product('...') AS three_dots, gofive_get_product('../x') AS dots_and_slash;
SELECT e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e WHERE e->>'path' LIKE '/v2/products/%' ORDER BY (e->>'seq')::int DESC LIMIT 2;

-- ---- query parameter objects: scalars, and arrays of scalars only ----
SELECT mock.reset();
SELECT gofive_get_serial_status('{"runningNumber": ["a", ["b", {"c": "d"}]]}');
SELECT mock.refused($$SELECT gofive_get_serial_status('{"runningNumber": ["a", ["b", {"c": "d"}]]}')$$);
SELECT mock.refused($$SELECT gofive_get_serial_status('{"runningNumber": {"c": "d"}}')$$);
SELECT mock.refused($$SELECT gofive_get_serial_status('{"runningNumber": [{"c": "d"}]}')$$);
SELECT mock.refused($$SELECT gofive_get_serial_status('"MN00100"')$$);
SELECT mock.refused($$SELECT gofive_enqueue('get_serial_status', NULL, params => '{"params": {"runningNumber": [["MN00100"]]}}')$$);
-- an array of scalars is repeated keys; nulls are left out
SELECT mock.error_of($$SELECT gofive_get_serial_status('{"runningNumber": ["MN00100", "MN00101", null], "serialNumber": null}')$$);
SELECT method, path, query FROM mock.last_call();

-- ---- params of gofive_enqueue ----
SELECT mock.reset();
SELECT gofive_enqueue('get_serial_status', NULL, params => '{"params": "notobject"}');
SELECT mock.refused($$SELECT gofive_enqueue('get_serial_status', NULL, params => '{"params": "notobject"}')$$);
SELECT mock.refused($$SELECT gofive_enqueue('get_serial_status', NULL, params => '{"params": ["runningNumber", "MN00100"]}')$$);
SELECT mock.refused($$SELECT gofive_enqueue('get_product', NULL, params => '"PD001"')$$);
SELECT mock.refused($$SELECT gofive_enqueue('get_product', NULL, params => '[{"product_code": "PD001"}]')$$);
-- a key that is not an argument of the operation is named, with the valid ones
SELECT gofive_enqueue('update_deal', '{"dealName": "d", "probability": 1, "dealValue": 1, "expectedCloseDate": "2026-01-01", "assignTo": "staff01"}', params => '{"id": 42}');
SELECT mock.refused($$SELECT gofive_enqueue('update_deal', '{"dealName": "d", "probability": 1, "dealValue": 1, "expectedCloseDate": "2026-01-01", "assignTo": "staff01"}', params => '{"id": 42}')$$);
SELECT gofive_enqueue('list_customer_events', NULL, params => '{"customer_code": "C000349", "customerCode": "C000349"}');
SELECT mock.refused($$SELECT gofive_enqueue('list_customer_events', NULL, params => '{"customer_code": "C000349", "customerCode": "C000349"}')$$);
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00100", "productCode": "PD001"}', params => '{"running_number": "MN00100"}');
-- a path or query argument must be a scalar
SELECT mock.refused($$SELECT gofive_enqueue('get_product', NULL, params => '{"product_code": {"code": "PD001"}}')$$);
SELECT mock.refused($$SELECT gofive_enqueue('list_customer_events', NULL, params => '{"customer_code": ["C000349"]}')$$);

-- what is accepted is queued with the path it will be sent to (rolled back
-- here, so the worker sends none of it)
BEGIN;
CREATE TEMP TABLE queued AS
SELECT gofive_enqueue('get_serial_status', NULL, params => '{"params": {"runningNumber": ["MN00100", "MN00101"]}}') AS id
UNION ALL SELECT gofive_enqueue('get_product', NULL, params => '{"product_code": "..."}')
UNION ALL SELECT gofive_enqueue('list_customer_events', NULL, params => '{"customer_code": "C000349", "event_type_ids": 2}')
UNION ALL SELECT gofive_enqueue('get_serial_status', NULL, params => '{"params": null}')
UNION ALL SELECT gofive_enqueue('get_product', NULL, params => '{"product_code": "PD001"}');
SELECT operation, method, path FROM gofive.outbox JOIN queued USING (id) ORDER BY id;
ROLLBACK;
SELECT count(*) AS requests_sent FROM mock.journal();

-- ---- the trigger builds its requests through the same checks ----
-- (a row whose request the catalog refuses fails its statement)
CREATE TABLE mock.csat (customer text, source_type int, point int);
CREATE TRIGGER csat_to_venio AFTER INSERT ON mock.csat
    FOR EACH ROW EXECUTE FUNCTION gofive_enqueue_trigger('create_customer_satisfaction',
        '{"SourceName": "=CSAT", "SourceType": "source_type", "Point": "point",
          "CustomerCode": "customer", "DateCreated": "=2025-01-29"}');
SELECT mock.refused($$INSERT INTO mock.csat VALUES ('C000349', 1, 7)$$);
BEGIN;
INSERT INTO mock.csat VALUES ('C000349', 1, 5), ('C000349', 2, 7);
SELECT body->'SourceType' AS source_type, body->'Point' AS point
FROM gofive.outbox WHERE operation = 'create_customer_satisfaction' AND enqueued_at = now() ORDER BY id;
ROLLBACK;
DROP TABLE mock.csat;
