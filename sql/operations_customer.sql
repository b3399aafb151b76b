-- Customer operations: Create or Update customer, Create Customer
-- Satisfaction, customer events (add, list by customer code with the GET
-- body's dates, edit, event types); and the catalog view.
-- Each: a success (method, path, body as sent), a validation failure that
-- sends nothing, an API error with its message.
SELECT mock.reset();

-- ---- the catalog: 34 operations ----
SELECT count(*) AS operations FROM gofive.operations;
SELECT name, method, path FROM gofive.operations ORDER BY name;
-- the fields of each operation, from the catalog: nested paths dotted,
-- elements of an array as "[]"; required (unless a sibling is given),
-- null accepted, allowed values or ranges
SELECT count(*) AS fields, count(DISTINCT operation) AS operations_with_body FROM gofive.operation_fields;
SELECT operation, position, field, json_type, item_type, required, required_unless, nullable, allowed, date_format
FROM gofive.operation_fields
WHERE operation IN ('enquire_products', 'upsert_contract', 'update_product_stock', 'create_customer_satisfaction')
ORDER BY operation, position;
-- each field belongs to an operation, once, with a known type
SELECT count(*) FILTER (WHERE o.name IS NULL) AS unknown_operations,
       count(*) - count(DISTINCT (f.operation, f.field)) AS duplicates,
       count(*) FILTER (WHERE f.json_type NOT IN ('any', 'string', 'integer', 'number', 'boolean', 'array', 'object')) AS unknown_types
FROM gofive.operation_fields f LEFT JOIN gofive.operations o ON o.name = f.operation;
-- a plain gofive_user reads it
CREATE ROLE regress_fields_reader IN ROLE gofive_user;
SET ROLE regress_fields_reader;
SELECT field, required FROM gofive.operation_fields WHERE operation = 'upsert_serial' ORDER BY position;
RESET ROLE;
DROP ROLE regress_fields_reader;

-- ---- upsert_customer: POST /v3/customers ----
\set customer '{"customerCode": null, "customerName": "New Customer Co", "customerState": 1, "customerType": 11300, "customerTaxNo": "0105551234567", "customerAliases": ["NCC"], "customerEmail": "info@example.com"}'
SELECT c->>'customerCode' AS code, c->>'customerName' AS name, c->>'customerType' AS type
FROM gofive_upsert_customer(:'customer') AS c;
SELECT method, path, body = :'customer'::jsonb AS body_as_given, status FROM mock.last_call();
-- with a code it updates that customer
SELECT c->>'customerCode' AS code, c->>'customerName' AS name, c->>'customerEmail' AS email
FROM gofive_upsert_customer('{"customerCode": "CU000005", "customerName": "Renamed Co", "customerState": 2}') AS c;
SELECT mock.sends_nothing($$SELECT gofive_upsert_customer('{"customerName": "x"}')$$);
-- customerType is an integer or null: the page lists no values, so any
-- integer is sent (and the local server keeps it)
SELECT c->>'customerCode' AS code, c->>'customerType' AS type
FROM gofive_upsert_customer('{"customerName": "Other Type Co", "customerState": 1, "customerType": 12345}') AS c;
SELECT body->'customerType' AS type_sent, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_upsert_customer('{"customerName": "x", "customerState": 1, "customerType": "lead"}')$$);
SELECT mock.error_of($$SELECT gofive_upsert_customer('{"customerCode": "NOBODY", "customerName": "x", "customerState": 1}')$$);

-- ---- create_customer_satisfaction: POST /v3/customers/satisfaction ----
\set satisfaction '{"SourceName": "NPS [Venio]", "SourceType": 2, "Point": 9, "CustomerCode": "C000349", "DateCreated": "2025-01-29T15:38:43+0700", "AnswerBy": "Bob Name", "Comment": "good"}'
SELECT s->>'satisfactionId' AS id, s->>'SourceName' AS source, s->>'Point' AS point
FROM gofive_create_customer_satisfaction(:'satisfaction') AS s;
SELECT method, path, body = :'satisfaction'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_create_customer_satisfaction('{"SourceName": "x", "SourceType": 2, "Point": 11, "CustomerCode": "C000349", "DateCreated": "2025-01-29"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_customer_satisfaction('{"SourceName": "x", "SourceType": 3, "Point": 1, "CustomerCode": "C000349", "DateCreated": "2025-01-29"}')$$);
-- the range of Point follows SourceType: CSAT (1) 1-5, NPS (2) 1-10
SELECT s->>'SourceType' AS source_type, s->>'Point' AS point
FROM gofive_create_customer_satisfaction('{"SourceName": "CSAT", "SourceType": 1, "Point": 5, "CustomerCode": "C000349", "DateCreated": "2025-01-29"}') AS s;
SELECT body->'SourceType' AS source_type_sent, body->'Point' AS point_sent, status FROM mock.last_call();
SELECT s->>'SourceType' AS source_type, s->>'Point' AS point
FROM gofive_create_customer_satisfaction('{"SourceName": "NPS", "SourceType": 2, "Point": 10, "CustomerCode": "C000349", "DateCreated": "2025-01-29"}') AS s;
SELECT body->'SourceType' AS source_type_sent, body->'Point' AS point_sent, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_create_customer_satisfaction('{"SourceName": "CSAT", "SourceType": 1, "Point": 7, "CustomerCode": "C000349", "DateCreated": "2025-01-29"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_customer_satisfaction('{"SourceName": "CSAT", "SourceType": 1, "Point": 0, "CustomerCode": "C000349", "DateCreated": "2025-01-29"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_enqueue('create_customer_satisfaction', '{"SourceName": "CSAT", "SourceType": 1, "Point": 6, "CustomerCode": "C000349", "DateCreated": "2025-01-29"}')$$);
-- the local server applies the same rule (from the same catalog)
SELECT status, response FROM gofive_request('POST', '/v3/customers/satisfaction',
    '{"SourceName": "CSAT", "SourceType": 1, "Point": 7, "CustomerCode": "C000349", "DateCreated": "2025-01-29"}');
SELECT mock.error_of($$SELECT gofive_create_customer_satisfaction('{"SourceName": "CSAT", "SourceType": 1, "Point": 4, "CustomerCode": "NOBODY", "DateCreated": "2025-01-29"}')$$);

-- ---- create_customer_event: POST /v1/customerEvent ----
SELECT mock.reset();
\set event '{"eventName": "Meeting with Client", "eventType": 1, "eventDate": "2024-02-01T10:00:00", "customerCode": "C000349", "description": "Kick-off"}'
SELECT e->>'eventId' AS id, e->>'eventName' AS name, e->>'customerId' AS customer_id
FROM gofive_create_customer_event(:'event') AS e;
SELECT method, path, body = :'event'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT gofive_create_customer_event('{"eventName": "Call", "eventType": 2, "eventDate": "2024-03-05T09:00:00", "customerCode": "C000349"}')->>'eventId' AS second,
       gofive_create_customer_event('{"eventName": "Visit", "eventType": 3, "eventDate": "2024-04-10T14:00:00", "customerCode": "C000349"}')->>'eventId' AS third,
       gofive_create_customer_event('{"eventName": "Other customer", "eventType": 1, "eventDate": "2024-03-01T09:00:00", "customerCode": "C000055"}')->>'eventId' AS fourth;
SELECT mock.sends_nothing($$SELECT gofive_create_customer_event('{"eventName": "x", "eventType": 1, "customerCode": "C000349"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_customer_event('{"eventName": "x", "eventType": "1", "eventDate": "2024-02-01", "customerCode": "C000349"}')$$);
SELECT mock.error_of($$SELECT gofive_create_customer_event('{"eventName": "x", "eventType": 9, "eventDate": "2024-02-01", "customerCode": "C000349"}')$$);
SELECT mock.error_of($$SELECT gofive_create_customer_event('{"eventName": "x", "eventType": 1, "eventDate": "2024-02-01", "customerCode": "NOBODY"}')$$);

-- ---- list_customer_events: GET /v1/customerEvent/filter?customerCode=... ----
SELECT e->>'eventId' AS id, e->>'eventName' AS name, e->>'eventDate' AS date
FROM gofive_list_customer_events('C000349') AS e;
SELECT method, path, query, body FROM mock.last_call();
-- the event type as a query parameter, the dates in the GET's body
SELECT e->>'eventId' AS id, e->>'eventName' AS name
FROM gofive_list_customer_events('C000349', 2, '{"dateFrom": "2024-03-01", "dateTo": "2024-03-31"}') AS e;
SELECT method, path, query, body FROM mock.last_call();
SELECT e->>'eventName' AS name
FROM gofive_list_customer_events('C000349', filter => '{"dateFrom": "2024-03-01"}') AS e;
SELECT mock.sends_nothing($$SELECT * FROM gofive_list_customer_events('C000349', NULL, '{"dateFrom": 20240301}')$$);
SELECT mock.sends_nothing($$SELECT * FROM gofive_list_customer_events('C000349', NULL, '[]')$$);
SELECT mock.error_of($$SELECT * FROM gofive_list_customer_events('NOBODY')$$);
SELECT mock.error_of($$SELECT * FROM gofive_list_customer_events(NULL)$$);

-- ---- update_customer_event: PUT /v1/customerEvent/{eventId} ----
\set edit '{"eventName": "Meeting moved", "eventDate": "2024-02-02T10:00:00", "description": "moved a day"}'
SELECT e->>'eventId' AS id, e->>'eventName' AS name, e->>'eventDate' AS date, e->>'eventType' AS type
FROM gofive_update_customer_event('1', :'edit') AS e;
SELECT method, path, body = :'edit'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT e->>'eventName' AS listed FROM gofive_list_customer_events('C000349', 1) AS e;
SELECT mock.sends_nothing($$SELECT gofive_update_customer_event(NULL, '{"eventName": "x"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_update_customer_event('1', '{"eventType": "meeting"}')$$);
SELECT mock.error_of($$SELECT gofive_update_customer_event('999', '{"eventName": "x"}')$$);
SELECT mock.error_of($$SELECT gofive_update_customer_event('1', '{"eventType": 9}')$$);

-- ---- list_customer_event_types: GET /v1/customerEvent/event-types ----
SELECT t->>'eventTypeId' AS id, t->>'eventTypeName' AS name FROM gofive_list_customer_event_types() AS t;
SELECT method, path, query, body FROM mock.last_call();
-- (no arguments: nothing to validate locally)
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/customerEvent/event-types"}');
SELECT mock.error_of($$SELECT * FROM gofive_list_customer_event_types()$$);
