-- ERP triggers: gofive_enqueue_trigger maps rows to requests; the demo ERP
-- schema (test/erp/schema.sql) keeps serial numbers and deals in step.
-- Privileges: the outbox is not PUBLIC; gofive_user may enqueue and read.
TRUNCATE gofive.outbox;
SELECT mock.reset();
\i test/erp/schema.sql

INSERT INTO erp.serial_numbers VALUES
    ('MN50001', 'PD001', 'SN-A1', true),
    ('MN50002', 'PD002', 'SN-B1', NULL);
UPDATE erp.serial_numbers SET active = false WHERE running_no = 'MN50001';
INSERT INTO erp.deals (customer_code, title, amount, close_by, sales_rep)
VALUES ('C000349', 'Pumps for the new plant', 120000, '2026-12-31', 'staff01');
SELECT operation, ordering_key, body FROM gofive.outbox ORDER BY id;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 4$$);
SELECT e->>'path' AS path, e->'body'->>'runningNumber' AS running_number,
       e->'body'->'status' AS status, e->'body'->>'dealName' AS deal
FROM mock.journal() AS e WHERE e->>'path' <> '/authorization/connect/token'
ORDER BY 1, 2, (e->>'seq')::int;  -- in order per ordering key

-- a row that cannot make a valid request fails its statement; nothing is
-- written, neither the row nor the request
INSERT INTO erp.deals (customer_code, title, amount, close_by, sales_rep, probability)
VALUES ('C000349', 'x', 1, '2026-12-31', 'staff01', 20), ('C000349', 'y', 1, '2026-12-31', 'staff01', 20);
ALTER TABLE erp.deals ALTER COLUMN amount TYPE numeric;
INSERT INTO erp.deals (customer_code, title, amount, close_by, sales_rep) VALUES ('C000349', 'z', 10.5, '2026-12-31', 'staff01');
SELECT count(*) AS deals, (SELECT count(*) FROM gofive.outbox WHERE operation = 'create_deal') AS deal_requests FROM erp.deals;

-- the arguments are checked at CREATE TRIGGER, each mistake named:
-- a missing column (also nested), an unknown operation, a mapping that is
-- not an object, a missing ordering key column, a BEFORE trigger
CREATE TABLE erp.bad (id int, code text);
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "running_no"}');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('create_deal', '{"dealName": "=x", "customerCodes": ["code", "customer"]}');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serials', '{"runningNumber": "code"}');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '["code"]');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code"}', 'key');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial');
CREATE TRIGGER bad_to_venio BEFORE INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code"}');
SELECT count(*) AS triggers_made FROM pg_trigger WHERE tgrelid = 'erp.bad'::regclass;
-- right arguments make a trigger; a column renamed since is caught when a
-- statement first fires it, even one that changes no row
CREATE TRIGGER bad_to_venio AFTER UPDATE ON erp.bad REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code", "productCode": "=PD001"}', 'id');
ALTER TABLE erp.bad RENAME COLUMN code TO running_no;
UPDATE erp.bad SET id = 2 WHERE false;
DROP TABLE erp.bad;

-- bulk loads: as a statement trigger with a transition table, the rows of
-- one statement are queued with one insert, in their order
TRUNCATE gofive.outbox;
CREATE TABLE erp.serial_imports (running_no text, product_code text, serial_no text, active boolean);
CREATE TRIGGER serial_imports_to_venio
    AFTER INSERT ON erp.serial_imports REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger(
        'upsert_serial', '{"runningNumber": "running_no", "productCode": "product_code", "status": "active"}',
        'product_code');
INSERT INTO erp.serial_imports
SELECT 'MN7' || lpad(i::text, 4, '0'), 'PD00' || (i % 3 + 1), NULL, i % 2 = 0 FROM generate_series(1, 6) AS i;
SELECT ordering_key, body->>'runningNumber' AS running_number, body->'status' AS status
FROM gofive.outbox ORDER BY id;
-- a row that cannot make a valid request fails the whole statement
INSERT INTO erp.serial_imports VALUES ('MN79001', 'PD001', NULL, true), (NULL, 'PD001', NULL, true);
SELECT count(*) AS imported, (SELECT count(*) FROM gofive.outbox) AS queued FROM erp.serial_imports;
-- a statement trigger without its transition table is refused
CREATE TRIGGER serial_imports_bad AFTER UPDATE ON erp.serial_imports
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "running_no"}');
UPDATE erp.serial_imports SET active = true WHERE false;
DROP TABLE erp.serial_imports;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 6$$);

-- ---- privileges ----
SELECT current_user AS superuser \gset
CREATE ROLE erp_clerk LOGIN;
CREATE ROLE erp_app LOGIN IN ROLE gofive_user;
GRANT USAGE ON SCHEMA erp TO erp_clerk, erp_app;
GRANT SELECT, INSERT ON erp.serial_numbers TO erp_clerk, erp_app;
\c - erp_clerk
SELECT count(*) FROM gofive.outbox;
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN50009", "productCode": "PD001"}');
-- the clerk needs no rights on the outbox: its insert is queued (as its own)
INSERT INTO erp.serial_numbers VALUES ('MN50003', 'PD003', 'SN-C1', true);
\c - erp_app
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN50004", "productCode": "PD001"}') > 0 AS queued;
SELECT count(*) > 0 AS can_read_outcomes FROM gofive.outbox;
SELECT operation FROM gofive.queue ORDER BY 1;
UPDATE gofive.outbox SET status = 'succeeded';
\c - :superuser
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);
DROP OWNED BY erp_clerk, erp_app;
DROP ROLE erp_clerk, erp_app;

-- a NULL column is left out of the body (absent means "keep"), unless the
-- documentation gives null a meaning for that field (status: null keeps it)
TRUNCATE gofive.outbox;
INSERT INTO erp.serial_numbers VALUES ('MN50010', 'PD001', NULL, NULL);
SELECT body FROM gofive.outbox;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);
