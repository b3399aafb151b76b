-- The three seed operations and gofive_request against the local server:
-- each seed example succeeds, and the journal shows the exact method, path,
-- headers and body that went out.
SELECT mock.reset();

-- Create Deal: the seed page's example, unchanged
\set deal '{"customerCodes": ["string"], "boardId": 34628319, "dealName": "dealName", "probability": 20, "dealQuantity": 91493369, "dealQuantityUnit": "unit", "dealValue": 10, "dealInterests": [1001], "dealLabels": [1002], "dealDate": "2023-02-07T16:51:40+0700", "expectedCloseDate": "2023-02-08T16:51:40+0700", "note": "string", "assignTo": "staff01", "participantCodes": ["staff02"], "dateFollowUp": "2023-02-08T16:51:40+0700", "followUpNotes": "followUp"}'
SELECT jsonb_typeof(d) AS type, jsonb_array_length(d) AS deals,
       d->0->>'dealNo' AS deal_no, d->0->>'dealsName' AS name,
       d->0->>'dealsValue' AS value, d->0->>'boardId' AS board
FROM gofive_create_deal(:'deal') AS d;

-- Create or Update Contract: the seed example updates CONT250600006
\set contract '{"contractNo": "CONT250600006", "contractName": "test contract open api 3", "customerCode": "L000308", "contractType": "MA", "contractValue": 2000, "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 21:37:51", "description": null, "owner": "UAT007", "contractService": {"subject": "test frequency open api", "frequency": 260001, "numberOfTimes": 1, "agreementNote": null}}'
SELECT c->>'contractNo' AS contract_no, c->>'contractName' AS name,
       c->>'customerCode' AS customer, c->'contractServices'->-1->>'frequency' AS frequency
FROM gofive_upsert_contract(:'contract') AS c;

-- Create or Update Codeguard Products: the seed example
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true) AS serial;

-- what the server received, in order
SELECT e->>'method' AS method, e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;

-- the bodies are the seed examples, JSON-equal
SELECT (e->'body') = :'deal'::jsonb AS deal_body_is_seed
FROM mock.journal() AS e WHERE e->>'path' = '/v1/deals';
SELECT (e->'body') = :'contract'::jsonb AS contract_body_is_seed
FROM mock.journal() AS e WHERE e->>'path' = '/v1/contract';
SELECT e->'body' AS serial_body
FROM mock.journal() AS e WHERE e->>'path' = '/v3/products/serials';

-- every API call carries the bearer token, the subscription key and the
-- content type; the token request is a form post with the same key
SELECT e->>'path' AS path,
       e->'headers'->>'authorization' ~ '^Bearer .+' AS bearer,
       e->'headers'->>'ocp-apim-subscription-key' = 'gofive-test-key' AS subscription_key,
       e->'headers'->>'content-type' AS content_type
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;
SELECT e->>'body' LIKE 'grant_type=client_credentials&client_id=gofive-test-client&client_secret=%' AS token_form
FROM mock.journal() AS e WHERE e->>'path' = '/authorization/connect/token';

-- the User-Agent names the installed version (the Makefile passes gofive.control's)
SELECT count(*) AS requests,
       bool_and(e->'headers'->>'user-agent' =
                'gofive-postgresql/' || (SELECT extversion FROM pg_extension WHERE extname = 'gofive')) AS user_agent_is_version
FROM mock.journal() AS e;

-- Contract without contractNo creates one with a new number; with it, updates
SELECT mock.reset();
CREATE TEMP TABLE created AS
SELECT gofive_upsert_contract('{"contractName": "Maintenance 2026", "contractType": "MA", "customerCode": "C000349", "dateStart": "2026-01-01 00:00:00", "dateEnd": "2026-12-31 00:00:00", "owner": "UAT007"}') AS c;
SELECT c->>'contractNo' ~ '^CONT[0-9]{9}$' AS new_number, c->>'statusId' AS status FROM created;
SELECT u->>'contractNo' = (SELECT c->>'contractNo' FROM created) AS same_number,
       u->>'contractName' AS name, u->>'contractValue' AS value
FROM created, gofive_upsert_contract(jsonb_build_object(
    'contractNo', c->>'contractNo', 'contractName', 'Maintenance 2026 (renewed)',
    'contractType', 'MA', 'customerCode', 'C000349', 'contractValue', 5000,
    'dateStart', '2026-01-01 00:00:00', 'dateEnd', '2027-12-31 00:00:00', 'owner', 'UAT007')) AS u;

-- Serials: a new serial without a status defaults to true; an update with
-- status NULL keeps the stored status; false then NULL keeps false
SELECT gofive_upsert_serial('MN00002', 'PD002', 'SN-2', NULL) AS created;
SELECT gofive_upsert_serial('MN00002', 'PD002', 'SN-2b', NULL) AS kept_true;
SELECT gofive_upsert_serial('MN00002', NULL, NULL, false)->'status' AS switched_off;
SELECT gofive_upsert_serial('MN00002', 'PD003', NULL, NULL)->'status' AS kept_false;
-- SQL NULLs: status, whose null the page documents ("keep"), goes out as
-- JSON null; the others are left out (absent also means "keep")
SELECT e->'body' AS body FROM mock.journal() AS e
WHERE e->>'path' = '/v3/products/serials' ORDER BY (e->>'seq')::int;

-- gofive_request: any path; API errors come back as data, not errors
SELECT status, response->'data'->>'runningNumber' AS running_number
FROM gofive_request('POST', '/v3/products/serials',
                    '{"runningNumber": "MN00003", "productCode": "A001"}');
SELECT status, response FROM gofive_request('post', '/v3/products/serials', '{}');
SELECT status, response FROM gofive_request('GET', '/v9/nothing/here');
SELECT e->>'method' AS method, e->>'path' AS path, e->'body' AS body
FROM mock.journal() AS e WHERE e->>'path' <> '/v3/products/serials' OR e->'body' = '{}'
ORDER BY (e->>'seq')::int DESC LIMIT 2;
