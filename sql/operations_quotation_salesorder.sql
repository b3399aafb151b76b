-- Quotation and sales order operations: Create Update Quotation, Convert
-- Quotation To SalesOrder, Quotation Enquiry (paged), Get a Quotation By
-- QuotationNo, Get a SalesOrder By SalesOrderNo, Update SalesOrder Payment,
-- Reject SaleOrder.  Each: a success (method, path, body as sent), a
-- validation failure that sends nothing, an API error with its message.
-- Numbers carry the current month (QT2511000001), so they are matched by
-- pattern and compared with each other, not printed.
SELECT mock.reset();

-- ---- upsert_quotation: POST /v2/quotation ----
\set quotation '{"quotationNo": null, "quotationSubject": "Printers", "quotationDate": "2025-11-01", "quotationValidUntil": "2025-11-30", "quotationStatus": 1, "customerCode": "C000349", "staffCode": "staff01", "vatCalculation": true, "quotationDetails": [{"productCode": "PD001", "qty": 2, "price": 1500}, {"productCode": "PD/001", "qty": 1, "price": 99.5, "discountType": true, "discountValue": 10}]}'
CREATE TEMP TABLE q AS SELECT gofive_upsert_quotation(:'quotation') AS q;
SELECT q->>'quotationNo' ~ '^QT[0-9]{4}[0-9]{6}$' AS number_like_QT2511000001, q->>'quotationSubject' AS subject,
       q->>'customerId' AS customer_id, q->>'subTotal' AS sub_total, jsonb_array_length(q->'quotationDetails') AS lines
FROM q;
SELECT method, path, body = :'quotation'::jsonb AS body_as_given, status FROM mock.last_call();
-- with its number it updates that quotation
SELECT u->>'quotationNo' = q->>'quotationNo' AS same_number, u->>'quotationStatus' AS status, u->>'quotationSubject' AS subject
FROM q, gofive_upsert_quotation(jsonb_set(:'quotation'::jsonb, '{quotationNo}', q->'quotationNo')
                                || '{"quotationStatus": 4, "quotationSubject": "Printers (sent)"}') AS u;
SELECT mock.sends_nothing($$SELECT gofive_upsert_quotation('{"quotationSubject": "s", "quotationDate": "d", "quotationValidUntil": "d", "quotationStatus": 8, "customerCode": "C000349", "staffCode": "s", "vatCalculation": true, "quotationDetails": [{"productCode": "PD001", "qty": 1}]}')$$);
SELECT mock.sends_nothing($$SELECT gofive_upsert_quotation('{"quotationSubject": "s", "quotationDate": "d", "quotationValidUntil": "d", "quotationStatus": 1, "customerCode": "C000349", "staffCode": "s", "vatCalculation": true, "quotationDetails": [{"qty": 1}]}')$$);
SELECT mock.error_of($$SELECT gofive_upsert_quotation('{"quotationSubject": "s", "quotationDate": "d", "quotationValidUntil": "d", "quotationStatus": 1, "customerCode": "NOBODY", "staffCode": "s", "vatCalculation": true, "quotationDetails": [{"productCode": "GONE-1", "qty": 1}]}')$$);
SELECT mock.error_of($$SELECT gofive_upsert_quotation('{"quotationNo": "QT0000000000", "quotationSubject": "s", "quotationDate": "d", "quotationValidUntil": "d", "quotationStatus": 1, "customerCode": "C000349", "staffCode": "s", "vatCalculation": true, "quotationDetails": [{"productCode": "PD001", "qty": 1}]}')$$);

-- ---- get_quotation: GET /v1/quotation/{quotationNo} ----
SELECT g->>'quotationNo' = q->>'quotationNo' AS same_number, g->>'quotationSubject' AS subject, g->>'quotationStatus' AS status
FROM q, gofive_get_quotation(q->>'quotationNo') AS g;
SELECT l.method, l.path = '/v1/quotation/' || (q->>'quotationNo') AS path_is_quotation, l.body, l.status
FROM q, mock.last_call() AS l;
SELECT gofive_get_quotation('QT0000000000') IS NULL AS unknown_is_null;
SELECT mock.sends_nothing($$SELECT gofive_get_quotation(NULL)$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/quotation/"}');
SELECT mock.error_of($$SELECT gofive_get_quotation('QT0000000000')$$);

-- ---- enquire_quotations: POST /v1/quotation/enquiry, paged ----
SELECT count(gofive_upsert_quotation(jsonb_set(:'quotation'::jsonb, '{quotationSubject}', to_jsonb('Batch ' || i))))
       AS created FROM generate_series(1, 4) AS i;
SELECT gofive_upsert_quotation(:'quotation'::jsonb || '{"customerCode": "C000055", "quotationSubject": "Other customer"}')->>'quotationSubject' AS other;
-- (the journal is read from a mark on: a reset would also drop the quotations)
SELECT max((e->>'seq')::int) AS mark FROM mock.journal() AS e \gset
SET gofive.page_size = 2;
SELECT r->>'quotationSubject' AS subject, r->>'customerCode' AS customer
FROM gofive_enquire_quotations('{"customerCode": "C000349", "quotationStatus": 1}') AS r;
SELECT e->'body'->>'take' AS take, e->'body'->>'skip' AS skip, (e->'body') - 'take'::text - 'skip'::text AS filter
FROM mock.journal() AS e WHERE e->>'path' = '/v1/quotation/enquiry' AND (e->>'seq')::int > :mark
ORDER BY (e->>'seq')::int;
SELECT max((e->>'seq')::int) AS mark FROM mock.journal() AS e \gset
SELECT gofive_enquire_quotations('{}')->>'quotationSubject' AS first LIMIT 1;
SELECT count(*) AS requests FROM mock.journal() AS e
WHERE e->>'path' = '/v1/quotation/enquiry' AND (e->>'seq')::int > :mark;
RESET gofive.page_size;
SELECT r->>'quotationSubject' AS subject FROM gofive_enquire_quotations('{"customerCode": "C000055"}') AS r;
SELECT method, path, body FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_quotations('{"quotationStatus": 9}')$$);
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_quotations('{"take": -1}')$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/quotation/enquiry"}');
SELECT mock.error_of($$SELECT * FROM gofive_enquire_quotations('{}')$$);

-- ---- convert_quotation: POST /v1/quotation/{quotationNo}/convert-to-salesorder ----
CREATE TEMP TABLE so AS SELECT gofive_convert_quotation(q->>'quotationNo') AS s FROM q;
SELECT s->>'quotationNo' = q->>'quotationNo' AS same_quotation, s->>'salesOrderNo' ~ '^SO[0-9]{4}[0-9]{6}$' AS number_like_SO,
       s->>'salesOrderId' AS sales_order_id FROM q, so;
SELECT l.method, l.path = '/v1/quotation/' || (q->>'quotationNo') || '/convert-to-salesorder' AS path_is_quotation,
       l.body = jsonb_build_object('QuotationNo', q->>'quotationNo') AS body_repeats_number, l.status
FROM q, mock.last_call() AS l;
-- the quotation is completed
SELECT gofive_get_quotation(q->>'quotationNo')->>'quotationStatus' AS status FROM q;
SELECT mock.sends_nothing($$SELECT gofive_convert_quotation(NULL)$$);
SELECT mock.error_of($$SELECT gofive_convert_quotation('QT0000000000')$$);
SELECT regexp_replace(mock.error_of(format('SELECT gofive_convert_quotation(%L)', q->>'quotationNo')), 'SO[0-9]+', 'SO...') AS twice FROM q;
-- the body must repeat the path's number (the function always does)
SELECT l.status, l.response FROM q, gofive_request('POST', '/v1/quotation/' || (q->>'quotationNo') || '/convert-to-salesorder',
                                           '{"QuotationNo": "QT-OTHER"}') AS l;

-- ---- get_sales_order: GET /v2/salesorder/{salesOrderNo} ----
SELECT g->>'salesOrderNo' = s->>'salesOrderNo' AS same_number, g->>'salesOrderSubject' AS subject, g->>'salesOrderStatus' AS status,
       g->>'quotationNo' = q->>'quotationNo' AS from_quotation, jsonb_array_length(g->'salesorderDetails') AS lines
FROM q, so, gofive_get_sales_order(s->>'salesOrderNo') AS g;
SELECT l.method, l.path = '/v2/salesorder/' || (s->>'salesOrderNo') AS path_is_order, l.body, l.status
FROM so, mock.last_call() AS l;
SELECT gofive_get_sales_order('SO0000000000') IS NULL AS unknown_is_null,
       gofive_get_sales_order('SO 1/2') IS NULL AS awkward_unknown_is_null;
SELECT path FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_get_sales_order('')$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v2/salesorder/"}');
SELECT mock.error_of($$SELECT gofive_get_sales_order('SO0000000000')$$);

-- ---- update_sales_order_payment: PUT /v2/salesorder/{salesOrderNo}/payment ----
\set payment '{"payments": [{"InstallmentNumber": 1, "status": 2}]}'
SELECT gofive_update_sales_order_payment(s->>'salesOrderNo', :'payment') AS data FROM so;
SELECT l.method, l.path = '/v2/salesorder/' || (s->>'salesOrderNo') || '/payment' AS path_is_payment,
       l.body = :'payment'::jsonb AS body_as_given, l.status
FROM so, mock.last_call() AS l;
-- envelope A with data true
SELECT r.status, r.response FROM so, gofive_request('PUT', '/v2/salesorder/' || (s->>'salesOrderNo') || '/payment', :'payment') AS r;
SELECT gofive_get_sales_order(s->>'salesOrderNo')->'payment'->'schedulePayments' AS schedule FROM so;
SELECT mock.sends_nothing($$SELECT gofive_update_sales_order_payment('SO1', '{"payments": [{"InstallmentNumber": 1, "status": 3}]}')$$);
SELECT mock.sends_nothing($$SELECT gofive_update_sales_order_payment('SO1', '{"payments": [{"periodNo": 1, "status": 1}]}')$$);
SELECT mock.error_of(format('SELECT gofive_update_sales_order_payment(%L, %L)', s->>'salesOrderNo', '{"payments": [{"InstallmentNumber": 3, "status": 1}]}')) FROM so;
SELECT mock.error_of($$SELECT gofive_update_sales_order_payment('SO0000000000', '{"payments": [{"InstallmentNumber": 1, "status": 1}]}')$$);

-- ---- reject_sales_orders: DELETE /v1/salesorders/reject (a JSON body, envelope B) ----
\set reject '{"salesOrderIds": [1], "reason": "customer cancelled"}'
SELECT r->>'salesOrderId' AS id, r->>'salesOrderNo' = s->>'salesOrderNo' AS same_number, r->>'salesOrderStatus' AS status
FROM so, jsonb_array_elements(gofive_reject_sales_orders(:'reject')) AS r;
SELECT method, path, body = :'reject'::jsonb AS body_as_given, status FROM mock.last_call();
SELECT gofive_get_sales_order(s->>'salesOrderNo')->>'rejectReason' AS reason FROM so;
SELECT mock.sends_nothing($$SELECT gofive_reject_sales_orders('{"salesOrderIds": [1]}')$$);
SELECT mock.sends_nothing($$SELECT gofive_reject_sales_orders('{"salesOrderIds": ["1"], "reason": "r"}')$$);
SELECT mock.error_of($$SELECT gofive_reject_sales_orders('{"salesOrderIds": [1, 999], "reason": "again"}')$$);
