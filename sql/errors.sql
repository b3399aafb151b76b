-- Errors: local validation (nothing sent), API rejections with the API's
-- messages, server errors, transport failures; one SQLSTATE per class.
\set VERBOSITY default
SELECT mock.reset();

-- ---- local validation: VNVAL, names the field, sends nothing ----
SELECT gofive_create_deal('{"boardId": 1}');
SELECT gofive_create_deal('{"customerCodes": ["C1"], "boardId": "34628319", "dealName": "d", "probability": 20, "dealValue": 10, "expectedCloseDate": "2023-02-08T16:51:40+0700", "assignTo": "staff01"}');
SELECT gofive_create_deal('{"customerCodes": ["C1"], "boardId": 1, "dealName": "d", "probability": 20, "dealValue": 10.5, "expectedCloseDate": "2023-02-08T16:51:40+0700", "assignTo": "staff01"}');
SELECT gofive_create_deal('{"customerCodes": [1], "boardId": 1, "dealName": "d", "probability": 20, "dealValue": 10, "expectedCloseDate": "2023-02-08T16:51:40+0700", "assignTo": "staff01"}');
SELECT gofive_create_deal('[1, 2]');
SELECT gofive_create_deal(NULL);
SELECT gofive_upsert_contract('{"contractName": "c", "contractType": "MA", "customerCode": "L000308", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 00:00:00", "owner": "UAT007", "contractService": {"subject": "s", "frequency": 1, "numberOfTimes": 1}}');
SELECT gofive_upsert_contract('{"contractName": "c", "contractType": "MA", "customerCode": "L000308", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 00:00:00", "owner": "UAT007", "contractService": {"frequency": 260003, "numberOfTimes": 1}}');
SELECT gofive_upsert_contract('{"contractName": "c", "contractType": "MA", "customerCode": "L000308", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 00:00:00", "owner": null}');
SELECT gofive_upsert_serial(NULL, 'PD001', 'X', true);
SELECT gofive_upsert_serial('MN00001', NULL, 'X', NULL);
SELECT gofive_request('TRACE', '/v1/deals');
SELECT gofive_request('GET', 'https://elsewhere.example/v1/deals');
SELECT gofive_request('GET', '//elsewhere.example/v1/deals');
SELECT gofive_request('GET', '/v1/deals/a b');
-- every problem of a payload in one error, each by its path, in the
-- catalog's field order (a nested field right after its parent)
SELECT gofive_enquire_products('{}');
SELECT gofive_enquire_products('{"productType": 9, "status": ["1", 2, null], "typeFor": 3, "skip": 1.5}');
SELECT gofive_upsert_contract('{"contractName": 1, "contractType": "MA", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 00:00:00", "owner": "UAT007", "contractService": {"subject": "s", "frequency": 1, "numberOfTimes": "1"}}');
SELECT gofive_enqueue('update_product_stock', '[{"productCode": "P1"}, 7, {"qty": 1.5}]');
-- a long list is cut at 50 lines; the count covers all
SELECT gofive_enqueue('update_product_stock', (SELECT jsonb_agg('{}'::jsonb) FROM generate_series(1, 26)));
-- the SQLSTATE of the class
SELECT mock.error_of($$SELECT gofive_create_deal('{}')$$);
SELECT mock.error_of($$SELECT gofive_enquire_products('{}')$$);
-- nothing reached the server
SELECT count(*) AS requests_sent FROM mock.journal();

-- ---- API rejections: VNREJ with the API's own messages ----
SELECT gofive_upsert_serial('XX-1', 'PD001', 'S', true);          -- serial not found
SELECT gofive_upsert_serial('MN00010', 'NOPE', 'S', true);        -- product not found
SELECT gofive_upsert_serial('MN00011', NULL, 'S', true);          -- new codeguard
SELECT gofive_upsert_serial('MN00012', 'PD001', 'S', true);
SELECT gofive_upsert_serial('MN00012', NULL, 'S', NULL);          -- caught locally
SELECT status, response FROM gofive_request('POST', '/v3/products/serials', '{"runningNumber": "MN00012", "serialNumber": "S"}');
SELECT status, response FROM gofive_request('POST', '/v3/products/serials', '{"productCode": "PD001"}');
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00013', 'NOPE', NULL, NULL)$$);
SELECT gofive_upsert_contract('{"contractNo": "CONT000000000", "contractName": "c", "contractType": "MA", "customerCode": "L000308", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 00:00:00", "owner": "UAT007"}');
SELECT gofive_upsert_contract('{"contractName": "c", "contractType": "MA", "customerCode": "NOBODY", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 00:00:00", "owner": "UAT007"}');

-- ---- server errors: VNSRV; 429 carries Retry-After in the hint ----
SELECT mock.fault('{"mode": "status", "status": 500, "count": 1}');
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true);
SELECT mock.fault('{"mode": "status", "status": 429, "retry_after": 7, "count": 1}');
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true);
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)$$) AS after_faults;

-- ---- 401 against 403 (outcome.c) ----
-- a 403: the API knows the credentials and does not allow them this call;
-- VNAUT at once, and no new token is asked for (it would not help; a 401
-- renews the token and retries once, see auth.sql)
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 403, "count": 1}');
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true);
SELECT mock.fault('{"mode": "status", "status": 403, "count": 1}');
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)$$) AS forbidden;
SELECT e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;

-- ---- not found (outcome.c): "no record" for a get-by-key read only ----
-- a get-by-key answered 404 is NULL; any other call answered 404 is VNREJ
SELECT mock.fault('{"mode": "status", "status": 404, "count": 1, "path": "/v1/contract/"}');
SELECT gofive_get_contract('CONT000000001') IS NULL AS no_record;
SELECT mock.fault('{"mode": "status", "status": 404, "count": 1, "path": "/v3/products/serials"}');
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)$$) AS not_a_lookup;
-- and a get-by-key answered 403 is no "no record"
SELECT mock.fault('{"mode": "status", "status": 403, "count": 1, "path": "/v1/contract/"}');
SELECT mock.error_of($$SELECT gofive_get_contract('CONT000000001')$$) AS lookup_forbidden;

-- ---- transport failures: VNNET ----
-- (libcurl itself retries once on a fresh connection when a kept-alive one
-- is closed without an answer, so drop two)
SELECT mock.fault('{"mode": "drop", "count": 2}');
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true);
SELECT mock.fault('{"mode": "latency", "latency_ms": 3000, "count": 1}');
SET gofive.timeout = '300ms';
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true);
RESET gofive.timeout;
SET gofive.base_url = 'http://127.0.0.1:1';
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)$$);
RESET gofive.base_url;
SELECT mock.fault('{"mode": "none"}');
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)->>'runningNumber' AS healthy_again;

-- ---- libcurl refusing to set up a request: XX000, nothing sent ----
-- (an address over libcurl's 8 MB limit: CURLOPT_URL is refused; the
-- message names the call and libcurl's reason, the CONTEXT the option)
SELECT mock.sends_nothing($$SELECT gofive_request('GET', '/v1/' || repeat('a', 8000000))$$);
SELECT gofive_request('GET', '/v1/' || repeat('a', 8000000));
-- the backend's handles serve the next call
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)->>'runningNumber' AS healthy_after_refusal;
