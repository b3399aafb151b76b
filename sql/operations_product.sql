-- Product operations: Create Or Update Products, Get Products With Take &
-- Status, Get a Product by ProductCode, Get Products By Filter (paged), Verify
-- Serial Number, serial status, Codeguard serials, Update Product Stock, units.
-- Each: a success (method, path, body as sent), a validation failure that
-- sends nothing, an API error with its message.
SELECT mock.reset();

-- ---- upsert_products: POST /v3/Products ----
\set products '{"products": [{"productCode": "NEW-1", "productName": "New one", "category": "Tools", "cost": 12.5, "prices": [{"priceTierName": "Retail", "regularPrice": 20}], "productUnitName": "pcs", "trackInventory": true, "useWarranty": false, "visibility": true, "active": true, "qty": 3}, {"productCode": "PD002", "productName": "Renamed PD002", "category": "Tools", "cost": 1, "prices": [{"priceTierName": "Retail", "regularPrice": 2}], "productUnitName": "box", "trackInventory": false, "useWarranty": false, "visibility": true, "active": false}]}'
SELECT p->>'productCode' AS code, p->>'productName' AS name, p->>'status' AS status
FROM jsonb_array_elements(gofive_upsert_products(:'products')) AS p;
SELECT method, path, body = :'products'::jsonb AS body_as_given, status FROM mock.last_call();
-- created and updated products are there
SELECT gofive_get_product('NEW-1')->>'productName' AS new_one,
       gofive_get_product('PD002')->>'productName' AS renamed;
SELECT mock.sends_nothing($$SELECT gofive_upsert_products('{"products": [{"productCode": "X"}]}')$$);
SELECT mock.sends_nothing($$SELECT gofive_upsert_products('{"products": [{"productCode": "X", "productName": "x", "category": "c", "cost": 1, "prices": [{"priceTierName": "Retail", "regularPrice": 1}], "productUnitName": "u", "trackInventory": true, "useWarranty": true, "visibility": true, "active": true, "timeWarrantyUnit": "w"}]}')$$);
-- productCode is required only when there is no SKU: a product whose SKUs
-- are its productVariant items (each with its own code) may leave it out
\set variants '{"products": [{"productName": "Shirt", "category": "Clothes", "cost": 100, "prices": [{"priceTierName": "Retail", "regularPrice": 250}], "productUnitName": "pcs", "trackInventory": true, "useWarranty": false, "visibility": true, "active": true, "productVariant": [{"productCode": "SHIRT-S", "productName": "Shirt S", "active": true, "prices": [{"priceTierName": "Retail", "regularPrice": 250}], "attribute": [{"attributeName": "Size", "attributeValueName": "S"}]}]}]}'
SELECT p->>'productCode' AS code, p->>'productName' AS name, p->'productVariant'->0->>'productCode' AS sku
FROM jsonb_array_elements(gofive_upsert_products(:'variants')) AS p;
SELECT body = :'variants'::jsonb AS body_as_given, body->'products'->0 ? 'productCode' AS code_sent, status
FROM mock.last_call();
SELECT mock.sends_nothing(format('SELECT gofive_upsert_products(%L)',
    jsonb_set(:'variants', '{products,0,productVariant}', '[]')));
SELECT mock.sends_nothing(format('SELECT gofive_upsert_products(%L)',
    :'variants'::jsonb #- '{products,0,productVariant}'));
SELECT mock.sends_nothing(format('SELECT gofive_enqueue(''upsert_products'', %L)',
    :'variants'::jsonb #- '{products,0,productVariant,0,productCode}'));
-- the local server applies the same rule
SELECT status, response FROM gofive_request('POST', '/v3/Products',
    jsonb_set(:'variants', '{products,0,productVariant}', '[]'));
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v3/Products"}');
SELECT gofive_upsert_products(:'products');

-- ---- list_products: POST /v2/Products/GetProduct ----
SELECT p->>'productCode' AS code FROM gofive_list_products('{"take": 3, "status": [0]}') AS p;
SELECT method, path, body FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT * FROM gofive_list_products('{"take": 3}')$$);
SELECT mock.sends_nothing($$SELECT * FROM gofive_list_products('{"take": 3, "status": ["1"]}')$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v2/Products/GetProduct"}');
SELECT mock.error_of($$SELECT * FROM gofive_list_products('{"take": 3, "status": [1]}')$$);

-- ---- get_product: GET /v2/products/{productCode}; awkward codes ----
SELECT mock.reset();
SELECT k AS asked, gofive_get_product(k)->>'productCode' = k AS same_code,
       gofive_get_product(k)->>'productName' AS name
FROM unnest(ARRAY['PD001', 'PD/001', 'PD?002', 'PD 003', 'สินค้า01']) AS k;
-- the paths went out percent-encoded, one segment each
SELECT DISTINCT e->>'method' AS method, e->>'path' AS path, e->'body' AS body, e->>'status' AS status
FROM mock.journal() AS e WHERE e->>'path' LIKE '/v2/products/%' ORDER BY 2;
-- unknown codes (also awkward ones) give NULL
SELECT gofive_get_product('NOPE') IS NULL AS unknown_is_null,
       gofive_get_product('NO/PE?') IS NULL AS awkward_unknown_is_null;
SELECT mock.sends_nothing($$SELECT gofive_get_product(NULL)$$);
SELECT mock.sends_nothing($$SELECT gofive_get_product('')$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v2/products/"}');
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$);

-- ---- enquire_products: POST /v1/products/getProduct, paged ----
SELECT mock.reset();
SET gofive.page_size = 2;
SELECT p->>'productCode' AS code
FROM gofive_enquire_products('{"productType": 1301, "status": [1], "smartSearch": "P000"}') AS p;
-- three pages of two: take/skip per request, the filter unchanged
SELECT e->'body'->>'take' AS take, e->'body'->>'skip' AS skip,
       (e->'body') - 'take'::text - 'skip'::text AS filter
FROM mock.journal() AS e WHERE e->>'path' = '/v1/products/getProduct' ORDER BY (e->>'seq')::int;
-- LIMIT 1 makes exactly one request (called in the select list, where the
-- executor asks for rows one at a time)
SELECT mock.reset();
SELECT gofive_enquire_products('{"productType": 1301, "status": [1]}')->>'productCode' AS code LIMIT 1;
SELECT count(*) AS requests, min(e->'body'->>'take') AS take, min(e->'body'->>'skip') AS skip
FROM mock.journal() AS e WHERE e->>'path' = '/v1/products/getProduct';
-- (in FROM, PostgreSQL's function scan reads the whole set before LIMIT
-- applies: 13 active products in pages of 2 are 7 requests)
SELECT mock.reset();
SELECT p->>'productCode' AS code FROM gofive_enquire_products('{"productType": 1301, "status": [1]}') AS p LIMIT 1;
SELECT count(*) AS requests FROM mock.journal() AS e WHERE e->>'path' = '/v1/products/getProduct';
-- the filter's own take and skip win over gofive.page_size
SELECT mock.reset();
SELECT p->>'productCode' AS code
FROM gofive_enquire_products('{"productType": 1302, "status": [1], "take": 5, "skip": 1}') AS p;
SELECT method, path, body FROM mock.last_call();
RESET gofive.page_size;
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_products('{"productType": 1031, "status": [1]}')$$);
SELECT mock.sends_nothing($$SELECT * FROM gofive_enquire_products('{"productType": 1301, "status": [1], "take": 0}')$$);
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/products/getProduct"}');
SELECT mock.error_of($$SELECT * FROM gofive_enquire_products('{"productType": 1301, "status": [1]}')$$);

-- ---- upsert_serial: POST /v3/products/serials ----
SELECT mock.reset();
SELECT gofive_upsert_serial('MN00100', 'PD003', 'SN-100', true) AS serial;
SELECT method, path, body FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_upsert_serial(NULL, 'PD001')$$);
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00101', 'NOPE', 'SN-101', true)$$);
-- a NULL serial_number is left out of the body, and absent keeps the stored
-- one; a NULL status is sent as null, which the page documents as "keep"
SELECT gofive_upsert_serial('MN00102', 'PD001', 'SN-102', true)->>'serialNumber' AS created;
SELECT gofive_upsert_serial('MN00102', 'PD001', NULL, false) AS serial_kept;
SELECT body FROM mock.last_call();
SELECT gofive_upsert_serial('MN00102', 'PD001', 'SN-102b', NULL) AS status_kept;
SELECT body FROM mock.last_call();
-- Codeguard's page documents its own 401 message, "user not found"; other
-- operations answer Venio's usual one (the token held is revoked, and new
-- ones expire at once, so the retry with a fresh token gets a 401 too)
SELECT mock.config('{"token_ttl": 0}');
SELECT mock.expire_tokens();
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00102', 'PD001')$$) AS codeguard;
SELECT mock.error_of($$SELECT gofive_get_product('PD001')$$) AS other;
SELECT mock.config('{"token_ttl": 3600}');
SELECT e->>'method' AS method, e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e WHERE (e->>'status')::int = 401 ORDER BY (e->>'seq')::int;
SELECT gofive_upsert_serial('MN00102', 'PD001')->>'runningNumber' AS works_again;

-- ---- verify_serial: POST /v3/products/serials/verification ----
\set verify '{"SerialNumber": "SN-100", "PurchaseDate": "2023-08-04", "CustomerCode": "C000349", "Latitude": 13.7563, "Longtitude": 100.5018}'
SELECT v->>'runningNumber' AS running_number, v->>'productCode' AS product, v->'isVerified' AS verified
FROM gofive_verify_serial(:'verify') AS v;
SELECT method, path, body = :'verify'::jsonb AS body_as_given, status FROM mock.last_call();
-- CustomerName instead of CustomerCode is enough
SELECT gofive_verify_serial('{"SerialNumber": "SN-100", "PurchaseDate": "2023-08-04", "CustomerName": "Walk-in"}')->>'CustomerName' AS by_name;
SELECT mock.sends_nothing($$SELECT gofive_verify_serial('{"SerialNumber": "SN-100", "PurchaseDate": "2023-08-04"}')$$);
SELECT mock.sends_nothing($$SELECT gofive_verify_serial('{"SerialNumber": "SN-100", "PurchaseDate": "2023-08-04", "CustomerCode": "C000349", "Latitude": "13.7"}')$$);
SELECT mock.error_of($$SELECT gofive_verify_serial('{"SerialNumber": "SN-999", "PurchaseDate": "2023-08-04", "CustomerCode": "C000349"}')$$);
-- a date in no form of the documentation is refused before sending; the
-- API's own answer to it, through gofive_request, which sends what it is given
SELECT mock.sends_nothing($$SELECT gofive_verify_serial('{"SerialNumber": "SN-100", "PurchaseDate": "04/08/2023", "CustomerCode": "C000349"}')$$);
SELECT status, response FROM gofive_request('POST', '/v3/products/serials/verification',
    '{"SerialNumber": "SN-100", "PurchaseDate": "04/08/2023", "CustomerCode": "C000349"}');
-- the documented rule, as the API states it (the function catches it first)
SELECT status, response FROM gofive_request('POST', '/v3/products/serials/verification',
    '{"SerialNumber": "SN-100", "PurchaseDate": "2023-08-04"}');

-- ---- get_serial_status: GET /v3/Products/serials/status?... ----
SELECT gofive_get_serial_status('{"runningNumber": "MN00100"}') AS by_running_number;
SELECT method, path, query, body FROM mock.last_call();
SELECT mock.sends_nothing($$SELECT gofive_get_serial_status('[1]')$$);
SELECT mock.error_of($$SELECT gofive_get_serial_status('{"serialNumber": "SN 100/x"}')$$);
SELECT query FROM mock.last_call();
SELECT mock.error_of($$SELECT gofive_get_serial_status()$$);

-- ---- update_product_stock: PUT /v1/products/stock ----
SELECT mock.reset();
\set stock '[{"productCode": "PD001", "qty": 20}, {"productCode": "PD 003", "qty": 7}]'
SELECT s->>'productCode' AS code, s->>'qty' AS qty, s->'isSuccess' AS ok, s->'error' AS error
FROM jsonb_array_elements(gofive_update_product_stock(:'stock')) AS s;
SELECT method, path, body = :'stock'::jsonb AS body_as_given, status FROM mock.last_call();
-- an unknown code fails on its own: VNREJ names it; the other item was applied
SELECT gofive_update_product_stock('[{"productCode": "PD002", "qty": 11}, {"productCode": "GONE-9", "qty": 5}]');
SELECT gofive_get_product('PD002')->>'qty' AS pd002_qty_applied;
SELECT mock.sends_nothing($$SELECT gofive_update_product_stock('{"productCode": "PD001", "qty": 1}')$$);
SELECT mock.sends_nothing($$SELECT gofive_update_product_stock('[{"productCode": "PD001", "qty": 1.5}]')$$);

-- ---- list_product_units: GET /v1/products/units ----
SELECT u->>'unitId' AS id, u->>'unitName' AS name FROM gofive_list_product_units() AS u;
SELECT method, path, query, body FROM mock.last_call();
-- (no arguments: nothing to validate locally)
SELECT mock.fault('{"mode": "status", "status": 400, "count": 1, "path": "/v1/products/units"}');
SELECT mock.error_of($$SELECT * FROM gofive_list_product_units()$$);
