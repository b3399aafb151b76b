-- What reaches the CRM is what the ERP meant: one conversion from SQL and
-- JSON values to each field's documented form (src/convert/convert.c,
-- src/convert/validate.c), on every path: the typed functions, gofive_enqueue,
-- gofive_enqueue_request for a path of the catalog, the trigger.  Each case
-- is checked in the local server's journal (what was sent) against the
-- form of the seed pages.
\set VERBOSITY default
SELECT mock.reset();
-- the session's TimeZone plays no part: gofive.time_zone (Asia/Bangkok) does
SET TimeZone = 'UTC';

-- what the last API request carried at a path of its body
CREATE FUNCTION mock.sent(keys text[]) RETURNS jsonb
LANGUAGE sql AS $$ SELECT body #> keys FROM mock.last_call() $$;

-- a statement's hint, or its error, for the messages that carry advice
CREATE FUNCTION mock.hint_of(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    hint text;
BEGIN
    EXECUTE stmt;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || E'\nHINT: ' || coalesce(hint, '(none)');
END $$;

-- ---- the seeds' own examples go out byte for byte ----
-- Create Deal (seed 000): its dates in the offset form, dateFollowUp too
-- (its schema says yyyy-MM-ddTHH:mm:ss, its example sends an offset: both
-- are the documentation's, both go unchanged)
\set seed_deal '{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "dealName", "probability": 20, "dealQuantity": 91493369, "dealQuantityUnit": "unit", "dealValue": 10, "dealInterests": [1001], "dealLabels": [1002], "dealDate": "2023-02-07T16:51:40+0700", "expectedCloseDate": "2023-02-08T16:51:40+0700", "note": "string", "assignTo": "staff01", "participantCodes": ["staff02"], "dateFollowUp": "2023-02-08T16:51:40+0700", "followUpNotes": "followUp"}'
SELECT gofive_create_deal(:'seed_deal') IS NOT NULL AS created;
SELECT body = :'seed_deal'::jsonb AS seed_deal_sent_as_written FROM mock.last_call();
-- Create or Update Contract (seed 003): the space form, null kept
\set seed_contract '{"contractNo": "CONT250600006", "contractName": "test contract open api 3", "customerCode": "L000308", "contractType": "MA", "contractValue": 2000, "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 21:37:51", "description": null, "owner": "UAT007", "contractService": {"subject": "test frequency open api", "frequency": 260001, "numberOfTimes": 1, "agreementNote": null}}'
SELECT gofive_upsert_contract(:'seed_contract')->>'contractNo' AS contract;
SELECT body = :'seed_contract'::jsonb AS seed_contract_sent_as_written FROM mock.last_call();
-- Create or Update Codeguard Products (seed 004)
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)->>'serialNumber' AS serial;
SELECT body = '{"runningNumber": "MN00001", "productCode": "PD001", "serialNumber": "IXX0010", "status": true}'::jsonb
       AS seed_serial_sent_as_written FROM mock.last_call();

-- ---- dates and times: a SQL timestamptz, timestamp and date into each form ----
-- Given through jsonb_build_object (the strings to_jsonb makes of them:
-- "2026-12-31T03:00:00+00:00", "2026-12-31T10:00:00", "2026-12-31"), each
-- is written in the field's documented form, in gofive.time_zone.
CREATE TEMP TABLE given (kind text, v jsonb);
INSERT INTO given VALUES
    ('timestamptz', to_jsonb(timestamptz '2026-12-31 10:00+07')),
    ('timestamp', to_jsonb(timestamp '2026-12-31 10:00')),
    ('date', to_jsonb(date '2026-12-31'));
SELECT kind, v AS given FROM given ORDER BY kind;
CREATE TEMP TABLE sent_dates (form text, field text, kind text, sent text);
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT * FROM given LOOP
        -- offset: Create Deal's expectedCloseDate (and local: its dateFollowUp)
        PERFORM gofive_create_deal(jsonb_build_object('customerCodes', jsonb_build_array('C000349'),
            'boardId', 34628319, 'dealName', 'dated', 'probability', 20, 'dealValue', 10,
            'assignTo', 'staff01', 'expectedCloseDate', g.v, 'dateFollowUp', g.v));
        INSERT INTO sent_dates SELECT 'offset', 'expectedCloseDate', g.kind, mock.sent('{expectedCloseDate}') #>> '{}';
        INSERT INTO sent_dates SELECT 'local', 'dateFollowUp', g.kind, mock.sent('{dateFollowUp}') #>> '{}';
        -- offset_ms: Add Case's dateCase
        PERFORM gofive_create_case(jsonb_build_object('caseType', 1, 'subject', 'dated', 'categoryId', 2140016585,
            'dateCase', g.v, 'dateDue', g.v, 'assignedToUserId', '6f1c2a8e-0d6b-4a43-9d7e-2f0c5d1b9a11'));
        INSERT INTO sent_dates SELECT 'offset_ms', 'dateCase', g.kind, mock.sent('{dateCase}') #>> '{}';
        -- local: Add Customer Event's eventDate (documented without an offset)
        PERFORM gofive_create_customer_event(jsonb_build_object('eventName', 'dated', 'eventType', 1,
            'eventDate', g.v, 'customerCode', 'C000349'));
        INSERT INTO sent_dates SELECT 'local', 'eventDate', g.kind, mock.sent('{eventDate}') #>> '{}';
        -- space: Create or Update Contract's dateStart
        PERFORM gofive_upsert_contract(jsonb_build_object('contractName', 'dated', 'contractType', 'MA',
            'customerCode', 'L000308', 'dateStart', g.v, 'dateEnd', g.v, 'owner', 'UAT007'));
        INSERT INTO sent_dates SELECT 'space', 'dateStart', g.kind, mock.sent('{dateStart}') #>> '{}';
        -- date: Verify Serial Number's PurchaseDate
        PERFORM gofive_upsert_serial('MN00002', 'PD001', 'SN-DATED', true);
        PERFORM gofive_verify_serial(jsonb_build_object('SerialNumber', 'SN-DATED', 'PurchaseDate', g.v,
            'CustomerCode', 'C000349'));
        INSERT INTO sent_dates SELECT 'date', 'PurchaseDate', g.kind, mock.sent('{PurchaseDate}') #>> '{}';
    END LOOP;
END $$;
SELECT form, field, kind, sent FROM sent_dates ORDER BY form, field, kind;

-- the issue's cases, one by one
SELECT gofive_create_deal(jsonb_build_object('customerCodes', jsonb_build_array('C000349'),
    'boardId', 34628319, 'dealName', 'Annual maintenance', 'probability', 20, 'dealValue', 150000,
    'assignTo', 'staff01', 'expectedCloseDate', timestamptz '2026-12-31 10:00+07',
    'dateFollowUp', '2026-12-15')) IS NOT NULL AS created;
SELECT body->'expectedCloseDate' AS expected_close, body->'dateFollowUp' AS follow_up FROM mock.last_call();
SELECT gofive_upsert_contract('{"contractName": "c", "contractType": "MA", "customerCode": "L000308",
    "dateStart": "2025-06-18", "dateEnd": "2026-06-18T21:37:51+07:00", "owner": "UAT007"}') IS NOT NULL AS upserted;
SELECT body->'dateStart' AS date_start, body->'dateEnd' AS date_end FROM mock.last_call();
-- an instant with an offset for a field documented without one: its
-- wall-clock time in gofive.time_zone, not 7 hours off
SELECT gofive_create_customer_event('{"eventName": "Kick-off", "eventType": 1, "customerCode": "C000349",
    "eventDate": "2024-02-01T03:00:00+00:00"}') IS NOT NULL AS created;
SELECT body->'eventDate' AS event_date FROM mock.last_call();
-- another zone for the session
SET gofive.time_zone = 'Asia/Tokyo';
SELECT gofive_create_customer_event(jsonb_build_object('eventName', 'Tokyo', 'eventType', 1,
    'customerCode', 'C000349', 'eventDate', timestamptz '2024-02-01 03:00+00')) IS NOT NULL AS created;
SELECT body->'eventDate' AS event_date_tokyo FROM mock.last_call();
RESET gofive.time_zone;
-- what is no date, or none the API can take: VNVAL naming the field, the
-- value and the form; nothing sent
SELECT mock.sends_nothing($$SELECT gofive_create_customer_event('{"eventName": "x", "eventType": 1, "customerCode": "C000349", "eventDate": "yesterday"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_customer_event('{"eventName": "x", "eventType": 1, "customerCode": "C000349", "eventDate": "2026-02-30T10:00:00"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_customer_event('{"eventName": "x", "eventType": 1, "customerCode": "C000349", "eventDate": "31/12/2026"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_customer_event(jsonb_build_object('eventName', 'x', 'eventType', 1, 'customerCode', 'C000349', 'eventDate', 'infinity'::timestamptz))$$);
SELECT gofive_create_customer_event('{"eventName": "x", "eventType": 1, "customerCode": "C000349", "eventDate": "yesterday"}');

-- ---- integers: integral numerics are integers, others are refused ----
SELECT gofive_create_deal(jsonb_build_object('customerCodes', jsonb_build_array('C000349'),
    'boardId', 34628319, 'dealName', 'money', 'probability', 20.0, 'dealValue', 150000.00::numeric(12,2),
    'expectedCloseDate', '2026-12-31T00:00:00+0700', 'assignTo', 'staff01',
    'dealInterests', jsonb_build_array(1001.0))) IS NOT NULL AS created;
SELECT body->'dealValue' AS deal_value, body->'probability' AS probability,
       body->'dealInterests' AS interests FROM mock.last_call();
SELECT gofive_create_deal(jsonb_build_object('customerCodes', jsonb_build_array('C000349'),
    'boardId', 34628319, 'dealName', 'money', 'probability', 20, 'dealValue', 150000.5,
    'expectedCloseDate', '2026-12-31T00:00:00+0700', 'assignTo', 'staff01'));
-- an integer out of range
SELECT mock.sends_nothing($$SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "big", "probability": 20, "dealValue": 99999999999999999999, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01"}')$$);
-- a string is no number, and a number is no string (the mapping is wrong)
SELECT mock.sends_nothing($$SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": "34628319", "dealName": 7, "probability": 20, "dealValue": 1, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01"}')$$);

-- ---- required strings and arrays must not be empty ----
SELECT mock.sends_nothing($$SELECT gofive_create_deal('{"customerCodes": [], "boardId": 34628319, "dealName": "", "probability": 20, "dealValue": 1, "expectedCloseDate": "", "assignTo": " "}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_deal('{"customerCodes": [""], "boardId": 34628319, "dealName": "d", "probability": 20, "dealValue": 1, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_upsert_serial('', 'PD001', NULL, true)$$);
-- an empty optional string is sent as it is
SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "d", "probability": 20, "dealValue": 1, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01", "note": ""}') IS NOT NULL AS created;
SELECT body->'note' AS note FROM mock.last_call();

-- ---- keys that are no documented field ----
-- a near name: "did you mean"; letter case counts on the wire
SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "d", "probability": 20, "dealValue": 1, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01", "cancelAllOrder": true}');
SELECT mock.sends_nothing($$SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 34628319, "dealname": "d", "probability": 20, "dealValue": 1, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01"}')$$);
-- none near; nested objects are checked too
SELECT mock.sends_nothing($$SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "d", "probability": 20, "dealValue": 1, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01", "colour": "red"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_upsert_contract('{"contractName": "c", "contractType": "MA", "customerCode": "L000308", "dateStart": "2025-06-18 00:00:00", "dateEnd": "2026-06-18 21:37:51", "owner": "UAT007", "contractService": {"subject": "s", "frequency": 260001, "numberOfTimes": 1, "agreementNotes": "x"}}')$$);
-- a page that could not be read whole (Create or Update customer): a key
-- far from every known field may be one of its unread fields and is sent;
-- a near one is a typo
SELECT gofive_upsert_customer('{"customerName": "Far Co", "customerState": 1, "customerFax": "02-000-0000"}')->>'customerName' AS customer;
SELECT body->'customerFax' AS sent_unread_field FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_upsert_customer('{"customerName": "Near Co", "customerState": 1, "customerPhon": "02"}')$$);
-- gofive.unknown_fields: warning sends it and warns, send sends it
SET gofive.unknown_fields = 'warning';
SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "d", "probability": 20, "dealValue": 1, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01", "dealSource": "web"}') IS NOT NULL AS created;
SELECT body->'dealSource' AS sent FROM mock.last_call();
SET gofive.unknown_fields = 'send';
SELECT gofive_create_deal('{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "d", "probability": 20, "dealValue": 1, "expectedCloseDate": "2026-12-31T00:00:00+0700", "assignTo": "staff01", "dealSource": "erp"}') IS NOT NULL AS created;
SELECT body->'dealSource' AS sent FROM mock.last_call();
RESET gofive.unknown_fields;
SELECT mock.error_of($$SET gofive.unknown_fields = 'ignore'$$);

-- ---- SQL NULL: one rule on every path ----
-- null is sent where the documentation allows it (the field is "| null"),
-- and the field is left out otherwise; a required field must be given.
-- The typed function: serialNumber is "string | null" (seed 004), so a NULL
-- serial number is sent as null; productCode is not nullable: left out.
SELECT gofive_upsert_serial('MN00003', 'PD001', NULL, NULL)->>'runningNumber' AS bound;
SELECT body FROM mock.last_call();
SELECT gofive_upsert_serial('MN00003', NULL, NULL, false)->>'runningNumber' AS updated;
SELECT body FROM mock.last_call();
-- a jsonb payload: the same rule for JSON null
SELECT gofive_create_deal(jsonb_build_object('customerCodes', jsonb_build_array('C000349'),
    'boardId', 34628319, 'dealName', 'nulls', 'probability', 20, 'dealValue', 1,
    'expectedCloseDate', '2026-12-31T00:00:00+0700', 'assignTo', 'staff01',
    'dealDate', NULL, 'note', NULL)) IS NOT NULL AS created;
SELECT body ? 'dealDate' AS has_deal_date, body ? 'note' AS has_note FROM mock.last_call();
SELECT gofive_upsert_contract(jsonb_build_object('contractNo', NULL, 'contractName', 'nulls',
    'contractType', 'MA', 'customerCode', 'L000308', 'dateStart', '2025-06-18 00:00:00',
    'dateEnd', '2026-06-18 21:37:51', 'owner', 'UAT007', 'description', NULL)) IS NOT NULL AS created;
SELECT body->'contractNo' AS contract_no, body->'description' AS description FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_create_deal(jsonb_build_object('customerCodes', jsonb_build_array('C000349'), 'boardId', 34628319, 'dealName', 'nulls', 'probability', 20, 'dealValue', 1, 'expectedCloseDate', '2026-12-31T00:00:00+0700', 'assignTo', NULL))$$);

-- ---- the queued paths: gofive_enqueue, and gofive_enqueue_request for a
-- path of the catalog, convert the same way; another path goes as given ----
TRUNCATE gofive.outbox;
SELECT gofive_enqueue('create_deal', jsonb_build_object('customerCodes', jsonb_build_array('C000349'),
    'boardId', 34628319, 'dealName', 'queued', 'probability', 20, 'dealValue', 150000.00,
    'expectedCloseDate', date '2026-12-31', 'assignTo', 'staff01', 'note', NULL)) > 0 AS queued;
SELECT gofive_enqueue_request('POST', '/v1/deals', jsonb_build_object('customerCodes', jsonb_build_array('C000349'),
    'boardId', 34628319, 'dealName', 'queued by path', 'probability', 20, 'dealValue', 150000.00,
    'expectedCloseDate', date '2026-12-31', 'assignTo', 'staff01')) > 0 AS queued;
SELECT gofive_enqueue_request('PUT', '/v1/deals/7', '{"dealName": "renamed", "probability": 50, "dealValue": 2.0,
    "expectedCloseDate": "2026-12-31", "assignTo": "staff01"}') > 0 AS queued;
SELECT gofive_enqueue_request('POST', '/v1/deals/enquiry', '{"dealValue": 2.0, "when": "2026-12-31"}') > 0 AS queued;
SELECT operation, path, body->'dealValue' AS deal_value, body->'expectedCloseDate' AS expected_close,
       body ? 'note' AS has_note, body->'when' AS other
FROM gofive.outbox ORDER BY id;
SELECT mock.error_of($$SELECT gofive_enqueue_request('POST', '/v1/deals', '{"dealName": "x", "cancelAllOrder": true}')$$);
SELECT mock.error_of($$SELECT gofive_enqueue('create_deal', '{"customerCodes": ["C000349"], "boardId": 34628319, "dealName": "d", "probability": 20, "dealValue": 1.5, "expectedCloseDate": "2026-12-31", "assignTo": "staff01"}')$$);
DELETE FROM gofive.outbox WHERE path IN ('/v1/deals/7', '/v1/deals/enquiry');
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 2$$);
SELECT e->'body'->>'dealName' AS deal, e->'body'->'dealValue' AS deal_value,
       e->'body'->'expectedCloseDate' AS expected_close
FROM mock.journal() AS e WHERE e->>'path' = '/v1/deals' AND e->'body'->>'dealName' LIKE 'queued%'
ORDER BY 1;

-- ---- hints ----
-- an unset secret: the configuration file, never ALTER DATABASE/ROLE
SET gofive.client_secret = '';
SELECT mock.hint_of($$SELECT gofive_get_product('PD001')$$);
RESET gofive.client_secret;
SET gofive.client_id = '';
SELECT mock.hint_of($$SELECT gofive_get_product('PD001')$$);
RESET gofive.client_id;
-- a transport error names the host and where its address comes from
SET gofive.base_url = 'http://127.0.0.1:1';
SELECT gofive_get_product('PD001');
RESET gofive.base_url;
-- a token endpoint that answers as no token endpoint does (a 404, a web
-- page, another resource's 401 at a base_url with a path too many) points
-- at the base URL, not at the credentials
SELECT mock.fault('{"mode": "status", "status": 404, "path": "/authorization/connect/token", "count": 1}');
SET gofive.client_id = 'gofive-test-client-404';   -- another account: a token of its own
SELECT gofive_get_product('PD001');
SELECT mock.fault('{"mode": "body", "body": "<html><body>Welcome</body></html>", "content_type": "text/html", "path": "/authorization/connect/token", "count": 1}');
SELECT gofive_get_product('PD001');
RESET gofive.client_id;
SELECT set_config('gofive.base_url', current_setting('gofive.base_url') || '/v1', false) IS NOT NULL AS base_url_with_a_path;
SELECT gofive_get_product('PD001');
RESET gofive.base_url;
-- refused credentials still point at the credentials
SET gofive.client_secret = 'wrong';
SELECT gofive_get_product('PD001');
RESET gofive.client_secret;
SELECT gofive_get_product('PD001')->>'productCode' AS healthy_again;
SELECT mock.fault('{"mode": "none"}');
RESET TimeZone;
