-- Deal, case and contract operations: Create Deal, Update Deal (and queued by
-- name with a path parameter), Add Case, Edit Case by CaseNo, Get Contract By
-- No, Create or Update Contract, Create or Update Contract Service Agreement.
-- Each: a success (method, path, body as sent), a validation failure that
-- sends nothing, an API error with its message.
SELECT mock.reset();

-- ---- create_deal: POST /v1/deals ----
\set deal '{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "Annual maintenance", "probability": 20, "dealValue": 150000, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01", "dealDate": "2026-01-05T09:00:00+0700"}'
SELECT d->0->>'dealsId' AS id, d->0->>'dealNo' AS deal_no, d->0->>'dealsName' AS name, d->0->>'customerId' AS customer_id
FROM gofive_create_deal(:'deal') AS d;
SELECT method, path, body = :'deal'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 1, "dealName": "d", "probability": 20, "dealValue": 10}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_deal('{"customerCodes": "C000349", "boardId": 1, "dealName": "d", "probability": 20, "dealValue": 10, "expectedCloseDate": "2026-12-31", "assignTo": "s"}')$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/deals"}');
SELECT mock.error_of($$SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 1, "dealName": "d", "probability": 20, "dealValue": 10, "expectedCloseDate": "2026-12-31", "assignTo": "s"}')$$);

-- ---- update_deal: PUT /v1/deals/{id}, envelope C ----
\set deal_update '{"dealName": "Annual maintenance (won)", "probability": 100, "dealValue": 180000, "expectedCloseDate": "2026-06-30T00:00:00+0700", "assignTo": "staff02", "note": "signed"}'
SELECT d->>'dealsId' AS id, d->>'dealsName' AS name, d->>'dealsValue' AS value, d->>'probability' AS probability,
       d->>'notes' AS notes, d->'userId' AS users, jsonb_typeof(d) AS type
FROM gofive_update_deal(1, :'deal_update') AS d;
SELECT method, path, body = :'deal_update'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_update_deal(NULL, '{"dealName": "x", "probability": 1, "dealValue": 1, "expectedCloseDate": "2023-02-08T16:51:40+0700", "assignTo": "a"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_update_deal(1, '{"dealName": "x", "probability": 1, "dealValue": 1.5, "expectedCloseDate": "2023-02-08T16:51:40+0700", "assignTo": "a"}')$$);
SELECT mock.error_of($$SELECT gofive_update_deal(999, '{"dealName": "x", "probability": 1, "dealValue": 1, "expectedCloseDate": "2023-02-08T16:51:40+0700", "assignTo": "a"}')$$);
SELECT status, response FROM gofive_request('PUT', '/v1/deals/abc',
    '{"dealName": "x", "probability": 1, "dealValue": 1, "expectedCloseDate": "2023-02-08T16:51:40+0700", "assignTo": "a"}');

-- ---- update_deal queued by name, the path parameter in params ----
SELECT gofive_enqueue('update_deal', '{"dealName": "Queued rename", "probability": 50, "dealValue": 1, "expectedCloseDate": "2026-06-30", "assignTo": "staff01"}',
                      params => '{"deal_id": 1}') AS id \gset
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id));
SELECT status, http_status, response->>'dealsName' AS name FROM gofive.outbox WHERE id = :id;
SELECT method, path, body->>'dealName' AS sent_name, status FROM mock.last_call();
-- the queued path parameter is checked before anything is written
SELECT mock.error_of($$SELECT gofive_enqueue('update_deal', '{"dealName": "x", "probability": 1, "dealValue": 1, "expectedCloseDate": "2023-02-08T16:51:40+0700", "assignTo": "a"}')$$);

-- ---- create_case: POST /v1/case, numbered like T250200010 ----
SELECT mock.reset();
\set case '{"caseType": 1, "subject": "Printer broken", "categoryId": 2140016585, "dateCase": "2025-02-01T09:00:00.000+0700", "dateDue": "2025-02-03T17:00:00.000+0700", "assignedToUserId": "6f1c2a8e-0d6b-4a43-9d7e-2f0c5d1b9a11", "customerCode": "C000349", "activityNos": ["A20250200028"], "dealNos": ["D241200044"], "note": "urgent"}'
CREATE TEMP TABLE created_case AS SELECT gofive_create_case(:'case') AS c;
SELECT c->>'caseNo' ~ '^T[0-9]{4}[0-9]{5}$' AS case_no_like_T250200010, c->>'subject' AS subject,
       c->'dealNos' AS deals FROM created_case;
SELECT method, path, body = :'case'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_create_case('{"caseType": 3, "subject": "s", "categoryId": 1, "dateCase": "2025-02-05T17:35:53.693+0700", "dateDue": "2025-02-05T17:35:53.693+0700", "assignedToUserId": "u"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_case('{"caseType": 1, "categoryId": 1, "dateCase": "2025-02-05T17:35:53.693+0700", "dateDue": "2025-02-05T17:35:53.693+0700", "assignedToUserId": "u"}')$$);
SELECT mock.error_of($$SELECT gofive_create_case('{"caseType": 1, "subject": "s", "categoryId": 1, "dateCase": "2025-02-05T17:35:53.693+0700", "dateDue": "2025-02-05T17:35:53.693+0700", "assignedToUserId": "u", "customerCode": "NOBODY"}')$$);

-- ---- update_case: PUT /v1/case/{caseNo} ----
\set case_edit '{"subject": "Printer replaced", "categoryId": 2140016585, "dateCase": "2025-02-01T09:00:00.000+0700", "dateDue": "2025-02-05T17:00:00.000+0700", "assignedToUserId": "6f1c2a8e-0d6b-4a43-9d7e-2f0c5d1b9a11", "customerCode": "C000349", "note": "done"}'
SELECT u->>'caseNo' = c->>'caseNo' AS same_case, u->>'subject' AS subject, u->>'dateDue' AS due, u->>'caseType' AS case_type
FROM created_case, gofive_update_case(c->>'caseNo', :'case_edit') AS u;
SELECT l.method, l.path = '/v1/case/' || (c->>'caseNo') AS path_is_case, l.body = :'case_edit'::jsonb AS body_as_given, l.status
FROM created_case, mock.last_call() AS l;
SELECT mock.sends_nothing($$SELECT gofive_update_case('', '{"subject": "s", "categoryId": 1, "dateCase": "2025-02-05T17:35:53.693+0700", "dateDue": "2025-02-05T17:35:53.693+0700", "assignedToUserId": "u"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_update_case('T250200010', '{"subject": "s", "categoryId": "1", "dateCase": "2025-02-05T17:35:53.693+0700", "dateDue": "2025-02-05T17:35:53.693+0700", "assignedToUserId": "u"}')$$);
SELECT mock.error_of($$SELECT gofive_update_case('T000000000', '{"subject": "s", "categoryId": 1, "dateCase": "2025-02-05T17:35:53.693+0700", "dateDue": "2025-02-05T17:35:53.693+0700", "assignedToUserId": "u"}')$$);

-- ---- upsert_contract: POST /v1/contract (envelope B) ----
\set contract '{"contractNo": null, "contractName": "Maintenance 2026", "contractType": "MA", "customerCode": "C000349", "contractValue": 5000, "dateStart": "2026-01-01 00:00:00", "dateEnd": "2026-12-31 00:00:00", "owner": "UAT007", "contractService": {"subject": "quarterly check", "frequency": 260002, "numberOfTimes": 4}}'
CREATE TEMP TABLE created_contract AS SELECT gofive_upsert_contract(:'contract') AS c;
SELECT c->>'contractNo' ~ '^CONT[0-9]{9}$' AS new_number, c->>'statusId' AS status,
       c->'contractServices'->0->>'subject' AS service FROM created_contract;
SELECT method, path, body = :'contract'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_upsert_contract('{"contractName": "c", "contractType": "MA", "customerCode": "C000349", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 21:37:51"}')$$);
SELECT mock.error_of($$SELECT gofive_upsert_contract('{"contractName": "c", "contractType": "MA", "customerCode": "NOBODY", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 21:37:51", "owner": "o"}')$$);

-- ---- get_contract: GET /v1/contract/{no}; NULL when unknown ----
SELECT g = c AS same_as_created, g->>'contractName' AS name, g->>'customerName' AS customer
FROM created_contract, gofive_get_contract(c->>'contractNo') AS g;
SELECT l.method, l.path = '/v1/contract/' || (c->>'contractNo') AS path_is_contract, l.body, l.status
FROM created_contract, mock.last_call() AS l;
SELECT gofive_get_contract('CONT250600006')->>'contractName' AS seed_contract;
SELECT gofive_get_contract('CONT000000000') IS NULL AS unknown_is_null,
       gofive_get_contract('CONT/000?') IS NULL AS awkward_unknown_is_null;
SELECT method, path, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_get_contract(NULL)$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/contract/"}');
SELECT mock.error_of($$SELECT gofive_get_contract('CONT250600006')$$);

-- ---- upsert_contract_service: POST /v1/contract/service-agreement ----
\set service '{"contractNo": "CONT250600006", "frequency": 260003, "subject": "monthly visit", "numberOfTimes": 12, "contractServiceId": null, "agreementNote": "first Monday"}'
SELECT s->>'contractServiceId' AS id, s->>'subject' AS subject, s->>'frequency' AS frequency
FROM gofive_upsert_contract_service(:'service') AS s;
SELECT method, path, body = :'service'::jsonb AS body_as_given, status FROM mock.last_call();
-- with its id it updates that service; the contract shows it
SELECT gofive_upsert_contract_service('{"contractNo": "CONT250600006", "frequency": 260004, "subject": "weekly visit", "numberOfTimes": 52, "contractServiceId": 2}')->>'subject' AS updated;
SELECT s->>'contractServiceId' AS id, s->>'subject' AS subject, s->>'numberOfTimes' AS times
FROM jsonb_array_elements(gofive_get_contract('CONT250600006')->'contractServices') AS s;
SELECT mock.sends_nothing($$SELECT gofive_upsert_contract_service('{"contractNo": "CONT250600006", "frequency": 1, "subject": "s", "numberOfTimes": 1}')$$);
SELECT mock.sends_nothing($$SELECT gofive_upsert_contract_service('{"frequency": 260001, "subject": "s", "numberOfTimes": 1}')$$);
SELECT mock.error_of($$SELECT gofive_upsert_contract_service('{"contractNo": "CONT000000000", "frequency": 260001, "subject": "s", "numberOfTimes": 1}')$$);
SELECT mock.error_of($$SELECT gofive_upsert_contract_service('{"contractNo": "CONT250600006", "frequency": 260001, "subject": "s", "numberOfTimes": 1, "contractServiceId": 99}')$$);
