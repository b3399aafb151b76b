-- Expense and chat operations: Create Expense, Update Expense, Expense
-- Enquiry, Get a Expense (envelope C), Post Send message (201 Created).
-- Each: a success (method, path, body as sent), a validation failure that
-- sends nothing, an API error with its message (the documented expense
-- rules: fuel needs milesStart below milesEnd, accommodation needs night,
-- training needs trainingTitle, hours and minutes).
SELECT mock.reset();

-- ---- create_expense: POST /v1/Expenses ----
\set expense '{"subject": "Site visit", "dateTransaction": "2025-02-01", "remark": "Chiang Mai", "ExpenseDetails": [{"expenseTypeId": 1003, "amount": 500, "milesStart": 1200, "milesEnd": 1350}, {"expenseTypeId": 1001, "amount": 1200, "night": 1}]}'
SELECT e->>'expenseId' AS id, e->>'expenseNo' ~ '^EX[0-9]{4}[0-9]{5}$' AS numbered, e->>'statusId' AS status,
       e->>'subject' AS subject, e->>'totalBaht' AS total, jsonb_array_length(e->'expenseDetails') AS details
FROM gofive_create_expense(:'expense') AS e;
SELECT method, path, body = :'expense'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_create_expense('{"subject": "s", "ExpenseDetails": [{"expenseTypeId": 999, "amount": 1}]}')$$);
SELECT mock.sends_nothing($$SELECT gofive_create_expense('{"subject": "s"}')$$);
SELECT mock.error_of($$SELECT gofive_create_expense('{"subject": "s", "ExpenseDetails": [{"expenseTypeId": 1003, "amount": 10, "milesStart": 500, "milesEnd": 400}]}')$$);
SELECT mock.error_of($$SELECT gofive_create_expense('{"subject": "s", "ExpenseDetails": [{"expenseTypeId": 1001, "amount": 10}, {"expenseTypeId": 1005, "amount": 10, "trainingTitle": "SQL"}]}')$$);

-- ---- update_expense: PUT /v1/Expenses/{id} ----
\set expense_update '{"subject": "Site visit (corrected)", "ExpenseDetails": [{"expenseTypeId": 1005, "amount": 3000, "trainingTitle": "PostgreSQL", "hours": 6, "minutes": 30}]}'
SELECT e->>'expenseId' AS id, e->>'subject' AS subject, e->'expenseDetails'->0->>'trainingTitle' AS training, e->>'totalBaht' AS total
FROM gofive_update_expense('1', :'expense_update') AS e;
SELECT method, path, body = :'expense_update'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_update_expense('1', '{"ExpenseDetails": [{"expenseTypeId": 1004, "amount": 1}]}')$$);
SELECT mock.sends_nothing($$SELECT gofive_update_expense('1', '{"subject": "s", "ExpenseDetails": [{"expenseTypeId": 0, "amount": 1}]}')$$);
SELECT mock.error_of($$SELECT gofive_update_expense('999', '{"subject": "s", "ExpenseDetails": [{"expenseTypeId": 1004, "amount": 1}]}')$$);
SELECT mock.error_of($$SELECT gofive_update_expense('1', '{"subject": "s", "ExpenseDetails": [{"expenseTypeId": 1005, "amount": 1, "hours": 1}]}')$$);

-- ---- get_expense: GET /v1/expenses/{id} (envelope C: data.value) ----
SELECT e->>'expenseId' AS id, e->>'subject' AS subject, jsonb_typeof(e) AS type FROM gofive_get_expense('1') AS e;
SELECT method, path, body, status FROM mock.last_call();
SELECT r.status, r.response->'data'->'value'->>'subject' AS value_subject, r.response->'statusCode' AS code
FROM gofive_request('GET', '/v1/expenses/1') AS r;
SELECT gofive_get_expense('999') IS NULL AS unknown_is_null;
SELECT mock.sends_nothing($$SELECT gofive_get_expense(NULL)$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/expenses/"}');
SELECT mock.error_of($$SELECT gofive_get_expense('1')$$);

-- ---- enquire_expenses: POST /v1/expenses/enquiry ----
SELECT gofive_create_expense('{"subject": "Dinner with client", "ExpenseDetails": [{"expenseTypeId": 1002, "amount": 800}]}')->>'expenseId' AS second;
SELECT e->>'expenseId' AS id, e->>'subject' AS subject FROM gofive_enquire_expenses('{"expenseTypeId": 1002}') AS e;
SELECT method, path, body FROM mock.last_call();
SELECT e->>'expenseId' AS id FROM gofive_enquire_expenses('{"expenseTypeId": 1005, "statusIds": ["302"], "searchText": "corrected"}') AS e;
SELECT count(*) AS none FROM gofive_enquire_expenses('{"expenseTypeId": 1008}');
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_expenses('{}')$$);
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_expenses()$$);
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_expenses('{"expenseTypeId": 1001, "statusIds": [302]}')$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/expenses/enquiry"}');
SELECT mock.error_of($$SELECT * FROM gofive_enquire_expenses('{"expenseTypeId": 1001}')$$);

-- ---- send_chat_message: POST /v1/chat/message (201 Created, envelope A) ----
\set chat '{"roomId": "3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7a8b9c", "content": "สวัสดีครับ", "type": "message", "platform": "line", "companyId": 507}'
SELECT m->>'messageId' AS id, m->>'content' AS content, m->>'platform' AS platform FROM gofive_send_chat_message(:'chat') AS m;
SELECT method, path, body = :'chat'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_send_chat_message('{"roomId": "r", "content": "c", "type": "message", "platform": "line"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_send_chat_message('{"roomId": "r", "content": "c", "type": "message", "platform": "line", "companyId": "507"}')$$);
SELECT mock.error_of($$SELECT gofive_send_chat_message('{"roomId": "not-a-uuid", "content": "c", "type": "message", "platform": "line", "companyId": 507}')$$);
