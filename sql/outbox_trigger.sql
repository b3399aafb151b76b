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

-- a NULL column is sent as null where the field is nullable (serialNumber
-- is "string | null", status "boolean | null": null keeps the stored
-- value), and left out otherwise (productCode, when NULL, is not sent)
TRUNCATE gofive.outbox;
INSERT INTO erp.serial_numbers VALUES ('MN50010', 'PD001', NULL, NULL);
SELECT body FROM gofive.outbox;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);

-- ---- a row's errors name the trigger, the table, the column and the row ----
TRUNCATE gofive.outbox RESTART IDENTITY;  -- request ids in messages below
SELECT mock.reset();
CREATE TABLE erp.opportunities (
    id integer PRIMARY KEY, customer text, title text, amount numeric(12,2), close_on date, rep text);
CREATE TRIGGER opportunities_to_venio AFTER INSERT OR UPDATE ON erp.opportunities FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('create_deal',
        '{"customerCodes": ["customer"], "boardId": 34628319, "dealName": "title", "probability": 20,
          "dealValue": "amount", "expectedCloseDate": "close_on", "assignTo": "rep"}', 'customer');
-- a money column holding whole baht is an integer on the wire
INSERT INTO erp.opportunities VALUES (1, 'C000349', 'Pumps', 150000.00, '2026-12-31', 'staff01');
SELECT body->'dealValue' AS deal_value, body->'expectedCloseDate' AS expected_close FROM gofive.outbox;
-- a NULL rep, a fraction of a baht: the problems name their columns, the
-- CONTEXT the trigger, the table and the row's key
INSERT INTO erp.opportunities VALUES (2, 'C000349', 'Tanks', 150000.50, '2026-12-31', NULL);
INSERT INTO erp.opportunities VALUES (3, 'C000349', 'Valves', 99.5, '2026-12-31', 'staff01');
-- in PL/pgSQL, PG_EXCEPTION_CONTEXT and PG_EXCEPTION_DETAIL carry them
DO $$
DECLARE
    context text;
BEGIN
    INSERT INTO erp.opportunities VALUES (4, NULL, '', 1, NULL, 'staff01');
EXCEPTION WHEN SQLSTATE 'VNVAL' THEN
    GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
    RAISE NOTICE 'caught: %', SQLERRM;
    RAISE NOTICE 'context: %', split_part(context, E'\n', 2);
END $$;
-- a role that may not read the key is told the row's place, not its key
CREATE ROLE erp_writer IN ROLE gofive_user;
GRANT USAGE ON SCHEMA erp TO erp_writer;
GRANT INSERT ON erp.opportunities TO erp_writer;
SET ROLE erp_writer;
INSERT INTO erp.opportunities VALUES (5, 'C000349', 'Secret', 1.5, '2026-12-31', 'staff01');
RESET ROLE;
REVOKE ALL ON erp.opportunities FROM erp_writer;
REVOKE ALL ON SCHEMA erp FROM erp_writer;
DROP ROLE erp_writer;
SELECT count(*) AS rows_written, (SELECT count(*) FROM gofive.outbox) AS queued FROM erp.opportunities;

-- ---- an invalid row recorded as a failed request ("on_invalid": "record") ----
-- the ERP's write succeeds; the request is queued failed with why, never
-- sent, and shows in gofive.queue; correcting the row (an UPDATE, which
-- fires the trigger) queues it again
DROP TRIGGER opportunities_to_venio ON erp.opportunities;
CREATE TRIGGER opportunities_to_venio AFTER INSERT OR UPDATE ON erp.opportunities FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('create_deal',
        '{"customerCodes": ["customer"], "boardId": 34628319, "dealName": "title", "probability": 20,
          "dealValue": "amount", "expectedCloseDate": "close_on", "assignTo": "rep"}', 'customer',
        '{"on_invalid": "record"}');
INSERT INTO erp.opportunities VALUES (2, 'C000349', 'Tanks', 150000.50, '2026-12-31', NULL);
SELECT count(*) AS rows_written FROM erp.opportunities WHERE id = 2;
SELECT status, body->'dealValue' AS mapped_value, body ? 'assignTo' AS has_assign_to,
       attempts, finished_at IS NOT NULL AS finished, last_error
FROM gofive.outbox WHERE status = 'failed';
SELECT operation, failed, last_error FROM gofive.queue WHERE operation = 'create_deal';
-- the statement trigger form records too, in its place among the rows
CREATE TABLE erp.opportunity_imports (LIKE erp.opportunities);
CREATE TRIGGER opportunity_imports_to_venio AFTER INSERT ON erp.opportunity_imports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION gofive_enqueue_trigger('create_deal',
        '{"customerCodes": ["customer"], "boardId": 34628319, "dealName": "title", "probability": 20,
          "dealValue": "amount", "expectedCloseDate": "close_on", "assignTo": "rep"}',
        '{"on_invalid": "record"}');
INSERT INTO erp.opportunity_imports VALUES
    (10, 'C000349', 'Good', 10, '2026-12-31', 'staff01'),
    (11, 'C000349', 'Bad', 10, 'infinity', 'staff01'),
    (12, 'C000349', 'Good too', 12, '2026-12-31', 'staff01');
SELECT body->>'dealName' AS deal, status = 'failed' AS failed, split_part(last_error, E'\n', 1) AS why
FROM gofive.outbox WHERE body->>'dealName' IN ('Good', 'Bad', 'Good too') ORDER BY id;
-- a failed row that was never sent is not retried: it would send the row as it was
SELECT gofive_retry(id) AS retried FROM gofive.outbox WHERE body->>'dealName' = 'Tanks';
SELECT gofive_retry_all('failed') AS retried_all;
-- the correction queues the corrected row; delivered, as the journal shows
UPDATE erp.opportunities SET amount = 150000, rep = 'staff02' WHERE id = 2;
SELECT status = 'failed' AS failed, body->'dealValue' AS deal_value, body->'assignTo' AS assign_to
FROM gofive.outbox WHERE body->>'dealName' = 'Tanks' ORDER BY id;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);
SELECT e->'body'->>'dealName' AS deal, e->'body'->'dealValue' AS deal_value, e->'body'->'assignTo' AS assign_to
FROM mock.journal() AS e WHERE e->>'path' = '/v1/deals' ORDER BY 1;
DROP TABLE erp.opportunities, erp.opportunity_imports;

-- the options are checked like the other arguments
CREATE TABLE erp.bad (id int, code text);
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code"}', '{"on_invalid": "ignore"}');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code"}', 'id', '{"timestamp_zone": "Mars/Olympus"}');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code"}', '{"colour": "red"}');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('update_deal', '{"dealName": "code"}');
-- a key of the mapping that is no field would fail every row: it fails here
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code", "serialnumber": "code"}');
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_contract',
        '{"contractName": "code", "contractService": {"frequency": 260001, "subjct": "code"}}');
SELECT count(*) AS triggers_made FROM pg_trigger WHERE tgrelid = 'erp.bad'::regclass;
-- unless unknown fields are let through
SET gofive.unknown_fields = 'send';
CREATE TRIGGER bad_to_venio AFTER INSERT ON erp.bad FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "code", "serialnumber": "code"}');
RESET gofive.unknown_fields;
SELECT count(*) AS triggers_made FROM pg_trigger WHERE tgrelid = 'erp.bad'::regclass;
DROP TABLE erp.bad;

-- ---- an ERP that keeps UTC in timestamp columns (Odoo's sale_order) ----
-- Odoo's server runs in UTC and stores every datetime as a timestamp
-- holding UTC; money is numeric; dates are dates.  "timestamp_zone": "UTC"
-- says so: date_order is an instant, sent in Bangkok time.  Without it the
-- same column is a Bangkok wall-clock time, 7 hours off.
TRUNCATE gofive.outbox;
SELECT mock.reset();
CREATE SCHEMA odoo;
CREATE TABLE odoo.sale_order (
    id serial PRIMARY KEY,
    name varchar NOT NULL,
    partner_id integer NOT NULL,
    client_order_ref varchar,
    date_order timestamp without time zone NOT NULL,
    validity_date date,
    amount_total numeric,
    user_login varchar,
    state varchar DEFAULT 'draft'
);
CREATE TRIGGER sale_order_to_venio AFTER INSERT ON odoo.sale_order FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('create_deal',
        '{"customerCodes": ["client_order_ref"], "boardId": 34628319, "dealName": "name", "probability": 50,
          "dealValue": "amount_total", "dealDate": "date_order", "expectedCloseDate": "validity_date",
          "assignTo": "user_login"}',
        'partner_id', '{"timestamp_zone": "UTC", "on_invalid": "record"}');
INSERT INTO odoo.sale_order (name, partner_id, client_order_ref, date_order, validity_date, amount_total, user_login)
VALUES ('S00042', 7, 'C000349', '2026-03-01 03:00:00', '2026-03-31', 150000.00, 'staff01'),
       ('S00043', 7, 'C000349', '2026-03-01 18:30:00', '2026-03-31', 1234.56, 'staff01');
SELECT body->>'dealName' AS deal, ordering_key, status = 'failed' AS failed, body->'dealDate' AS deal_date,
       body->'expectedCloseDate' AS expected_close, body->'dealValue' AS deal_value
FROM gofive.outbox ORDER BY id;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);
SELECT e->'body'->>'dealName' AS deal, e->'body'->'dealDate' AS deal_date,
       e->'body'->'expectedCloseDate' AS expected_close, e->'body'->'dealValue' AS deal_value
FROM mock.journal() AS e WHERE e->>'path' = '/v1/deals';
-- the same row without the option: the time as if it were Bangkok's
DROP TRIGGER sale_order_to_venio ON odoo.sale_order;
CREATE TRIGGER sale_order_to_venio AFTER INSERT ON odoo.sale_order FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('create_deal',
        '{"customerCodes": ["client_order_ref"], "boardId": 34628319, "dealName": "name", "probability": 50,
          "dealValue": "amount_total", "dealDate": "date_order", "expectedCloseDate": "validity_date",
          "assignTo": "user_login"}', 'partner_id');
INSERT INTO odoo.sale_order (name, partner_id, client_order_ref, date_order, validity_date, amount_total, user_login)
VALUES ('S00044', 7, 'C000349', '2026-03-01 03:00:00', '2026-03-31', 150000.00, 'staff01');
SELECT body->'dealDate' AS wall_clock_in_bangkok FROM gofive.outbox WHERE body->>'dealName' = 'S00044';
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);
DROP SCHEMA odoo CASCADE;

-- ---- a row trigger's requests go in a statement at a time, in order ----
-- they are in the outbox when the statement ends, in the order the rows
-- came, also between the rows of another trigger and other enqueues
TRUNCATE gofive.outbox;
CREATE TABLE erp.stock_moves (running_no text, product_code text, note text);
CREATE TRIGGER stock_moves_to_venio AFTER INSERT ON erp.stock_moves FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code"}', 'product_code');
CREATE FUNCTION erp.enqueue_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.note IS NOT NULL THEN
        PERFORM gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', NEW.note, 'productCode', NEW.product_code),
                               NEW.product_code);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stock_moves_note AFTER INSERT ON erp.stock_moves FOR EACH ROW
    EXECUTE FUNCTION erp.enqueue_note();
BEGIN;
INSERT INTO erp.stock_moves VALUES ('MN61001', 'PD001', NULL), ('MN61002', 'PD001', 'MN61902'), ('MN61003', 'PD001', NULL);
SELECT string_agg(body->>'runningNumber', ' ' ORDER BY id) AS in_id_order FROM gofive.outbox;
-- a savepoint rolled back drops its rows' requests, not the others'
SAVEPOINT s;
INSERT INTO erp.stock_moves VALUES ('MN61004', 'PD002', NULL);
ROLLBACK TO SAVEPOINT s;
INSERT INTO erp.stock_moves VALUES ('MN61005', 'PD002', NULL);
SELECT string_agg(body->>'runningNumber', ' ' ORDER BY id) AS in_id_order FROM gofive.outbox;
-- an exception block: a failed inner statement's requests go with it
DO $$
BEGIN
    INSERT INTO erp.stock_moves VALUES ('MN61006', 'PD003', NULL);
    BEGIN
        INSERT INTO erp.stock_moves VALUES ('MN61007', 'PD003', NULL), ('MN61008', NULL, NULL), (NULL, 'PD003', NULL);
    EXCEPTION WHEN SQLSTATE 'VNVAL' THEN
        RAISE NOTICE 'inner insert refused: %', SQLERRM;
    END;
    INSERT INTO erp.stock_moves VALUES ('MN61009', 'PD003', NULL);
END $$;
SELECT string_agg(body->>'runningNumber', ' ' ORDER BY id) AS in_id_order FROM gofive.outbox;
-- COPY fires row triggers without an executor of its own: its rows' requests are in when it ends
COPY erp.stock_moves FROM STDIN;
MN61010	PD001	\N
MN61011	PD001	\N
\.
SELECT count(*) AS queued FROM gofive.outbox;
COMMIT;
-- requests made at a deeper level than others waiting (an AFTER trigger's
-- exception block inserting into another table) keep their place, and a
-- rollback of that block leaves the outer ones queued
TRUNCATE gofive.outbox;
CREATE TABLE erp.stock_audit (running_no text, product_code text);
CREATE TRIGGER stock_audit_to_venio AFTER INSERT ON erp.stock_audit FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code"}', 'product_code');
CREATE OR REPLACE FUNCTION erp.enqueue_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        INSERT INTO erp.stock_audit VALUES (NEW.note, NEW.product_code);
        IF NEW.note LIKE '%9' THEN
            RAISE EXCEPTION 'audit rolled back';
        END IF;
    EXCEPTION WHEN raise_exception THEN
        NULL;
    END;
    RETURN NULL;
END $$;
INSERT INTO erp.stock_moves VALUES ('MN62001', 'PD001', 'MN62801'), ('MN62002', 'PD001', 'MN62809'),
                                   ('MN62003', 'PD001', 'MN62803');
SELECT string_agg(body->>'runningNumber', ' ' ORDER BY id) AS in_id_order FROM gofive.outbox;
-- a deferred constraint trigger's requests go in at commit
TRUNCATE gofive.outbox;
DROP TRIGGER stock_moves_note ON erp.stock_moves;
DROP TRIGGER stock_moves_to_venio ON erp.stock_moves;
CREATE CONSTRAINT TRIGGER stock_moves_to_venio AFTER INSERT ON erp.stock_moves
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code"}');
BEGIN;
INSERT INTO erp.stock_moves VALUES ('MN63001', 'PD001', NULL), ('MN63002', 'PD002', NULL);
SELECT count(*) AS queued_before_commit FROM gofive.outbox;
COMMIT;
SELECT string_agg(body->>'runningNumber', ' ' ORDER BY id) AS queued_at_commit FROM gofive.outbox;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);
DROP TABLE erp.stock_moves, erp.stock_audit;
DROP FUNCTION erp.enqueue_note();

-- ---- a statement of 100 rows or more: one batch in gofive.intake ----
-- The statement writes one row of gofive.intake, with the ids its requests
-- take now; after commit the worker moves them into the outbox with those
-- ids.  So a one-row statement's request (straight into the outbox) stays
-- before them, and a gofive_enqueue made after them in the same
-- transaction, with the same key, stays after them, on the wire too.
SELECT mock.reset();
TRUNCATE gofive.outbox;
CREATE TABLE erp.serial_bulk (running_no text, product_code text);
CREATE TRIGGER serial_bulk_to_venio AFTER INSERT ON erp.serial_bulk REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code"}', 'product_code');
BEGIN;
INSERT INTO erp.serial_bulk VALUES ('MN64000', 'PD001');
INSERT INTO erp.serial_bulk
SELECT 'MN64' || lpad(i::text, 3, '0'), 'PD00' || (1 + i % 2) FROM generate_series(1, 150) i;
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN64999", "productCode": "PD001"}', 'PD001') > 0 AS enqueued;
SELECT count(*) AS batches, sum(n) AS in_batches, sum(cardinality(ids)) AS ids_taken,
       sum(cardinality(keys)) AS keys FROM gofive.intake;
CREATE TEMP TABLE batch_ids AS SELECT unnest(ids) AS id, unnest(request_ids) AS request_id FROM gofive.intake;
SELECT string_agg(body->>'runningNumber', ' ' ORDER BY id) AS in_outbox FROM gofive.outbox;
SELECT pending FROM gofive.queue WHERE operation = 'upsert_serial';
COMMIT;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 152$$);
SELECT count(*) AS left_in_intake FROM gofive.intake;
-- each moved with the id and the request id it was given when queued
SELECT count(*) AS kept_ids FROM batch_ids JOIN gofive.outbox USING (id, request_id);
SELECT string_agg(body->>'runningNumber', ' ' ORDER BY id)
       FILTER (WHERE body->>'runningNumber' IN ('MN64000', 'MN64001', 'MN64002', 'MN64150', 'MN64999'))
       AS in_id_order,
       count(DISTINCT enqueued_at) AS enqueued_at_values, count(DISTINCT request_id) AS request_ids
FROM gofive.outbox;
WITH sent AS (
    SELECT o.ordering_key, o.id, (e->>'seq')::int AS seq
    FROM mock.journal() AS e
    JOIN gofive.outbox o ON o.request_id = (e->'headers'->>'x-request-id')::uuid)
SELECT ordering_key, count(*) AS requests,
       array_agg(id ORDER BY seq) = array_agg(id ORDER BY id) AS in_enqueue_order
FROM sent GROUP BY 1 ORDER BY 1;
-- a row trigger's requests of one statement make one batch as well
CREATE TABLE erp.serial_rows (running_no text, product_code text);
CREATE TRIGGER serial_rows_to_venio AFTER INSERT ON erp.serial_rows FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code"}');
BEGIN;
INSERT INTO erp.serial_rows SELECT 'MN66' || i, 'PD003' FROM generate_series(1, 110) i;
-- without keys: no id is taken, the worker gives them theirs
SELECT count(*) AS batches, sum(n) AS in_batches, count(keys) AS with_keys, count(ids) AS with_ids
FROM gofive.intake;
CREATE TEMP TABLE batch_request_ids AS SELECT unnest(request_ids) AS request_id FROM gofive.intake;
COMMIT;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 262$$);
SELECT count(*) AS kept_request_ids FROM batch_request_ids JOIN gofive.outbox USING (request_id);
DROP TABLE erp.serial_rows;
-- a batch of keyed and keyless requests: the keyed ones keep the ids taken
-- when queued, the others get theirs when moved
CREATE TABLE erp.serial_mixed (running_no text, product_code text, grp text);
CREATE TRIGGER serial_mixed_to_venio AFTER INSERT ON erp.serial_mixed REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code"}', 'grp');
BEGIN;
INSERT INTO erp.serial_mixed
SELECT 'MN67' || i, 'PD001', CASE WHEN i % 2 = 0 THEN 'G' || (i % 3) END FROM generate_series(1, 120) i;
SELECT cardinality(ids) AS ids, (SELECT count(*) FROM unnest(ids) AS u(id) WHERE id IS NOT NULL) AS taken
FROM gofive.intake;
CREATE TEMP TABLE mixed_ids AS SELECT unnest(ids) AS id, unnest(keys) AS key FROM gofive.intake;
COMMIT;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 382$$);
SELECT count(*) FILTER (WHERE o.ordering_key IS NULL) AS keyless,
       count(*) FILTER (WHERE o.ordering_key IS NOT NULL) AS keyed,
       count(m.id) AS keyed_with_their_ids
FROM gofive.outbox o LEFT JOIN mixed_ids m ON m.id = o.id AND m.key = o.ordering_key
WHERE o.body->>'runningNumber' LIKE 'MN67%';
DROP TABLE erp.serial_mixed;
-- a role sees its own batches only, and cannot change any
CREATE ROLE erp_bulk IN ROLE gofive_user;
CREATE ROLE erp_other IN ROLE gofive_user;
GRANT USAGE ON SCHEMA erp TO erp_bulk;
GRANT INSERT ON erp.serial_bulk TO erp_bulk;
BEGIN;
SET LOCAL ROLE erp_bulk;
INSERT INTO erp.serial_bulk SELECT 'MN68' || i, 'PD001' FROM generate_series(1, 100) i;
SELECT count(*) AS own_batches, sum(n) AS own_requests FROM gofive.intake;
SET LOCAL ROLE erp_other;
SELECT count(*) AS others_batches FROM gofive.intake;
SAVEPOINT s;
DELETE FROM gofive.intake;
ROLLBACK TO SAVEPOINT s;
UPDATE gofive.intake SET n = 0;
ROLLBACK;
DROP OWNED BY erp_bulk, erp_other;
DROP ROLE erp_bulk, erp_other;
-- gofive_cancel_all cancels the pending requests of batches not moved yet
-- too: moved into the outbox as cancelled rows, never sent
SELECT mock.reset();
BEGIN;
INSERT INTO erp.serial_bulk SELECT 'MN69' || i, 'PD00' || (1 + i % 2) FROM generate_series(1, 100) i;
SELECT gofive_cancel_all('pending', 'create_deal') AS other_operation,
       (SELECT sum(n) FROM gofive.intake) AS still_in_batches;
SELECT gofive_cancel_all('pending') AS cancelled;
SELECT count(*) AS batches_left FROM gofive.intake;
SELECT status, count(*), count(DISTINCT request_id) AS request_ids, min(last_error) AS why
FROM gofive.outbox WHERE body->>'runningNumber' LIKE 'MN69%' GROUP BY status;
COMMIT;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);
SELECT count(*) AS sent FROM mock.journal() AS e WHERE e->'body'->>'runningNumber' LIKE 'MN69%';
-- a rolled-back statement leaves no batch
BEGIN;
INSERT INTO erp.serial_bulk SELECT 'MN65' || i, 'PD001' FROM generate_series(1, 120) i;
SELECT count(*) AS batches_before_rollback FROM gofive.intake;
ROLLBACK;
SELECT count(*) AS batches_after_rollback FROM gofive.intake;
DROP TABLE erp.serial_bulk;
