-- A small ERP schema for the demo and the tests: products, their serial
-- numbers and deals, kept in step with Venio by gofive_enqueue_trigger.
-- Needs CREATE EXTENSION gofive first.
CREATE SCHEMA erp;

CREATE TABLE erp.products (
    product_code text PRIMARY KEY,
    name         text NOT NULL,
    unit         text NOT NULL DEFAULT 'piece',
    price        numeric(12,2) NOT NULL,
    stock        integer NOT NULL DEFAULT 0,
    active       boolean NOT NULL DEFAULT true
);

CREATE TABLE erp.serial_numbers (
    running_no   text PRIMARY KEY,        -- the Venio Codeguard running number
    product_code text NOT NULL REFERENCES erp.products,
    serial_no    text,
    active       boolean
);

CREATE TABLE erp.deals (
    deal_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_code text NOT NULL,
    title         text NOT NULL,
    amount        integer NOT NULL,
    close_by      date NOT NULL,
    sales_rep     text NOT NULL,
    board_id      integer NOT NULL DEFAULT 34628319,
    probability   integer NOT NULL DEFAULT 20
);

-- every new or changed serial number is bound in Venio, in order per
-- running number; statement triggers with transition tables queue a whole
-- statement's rows with one insert (one trigger per event)
CREATE TRIGGER serial_numbers_inserted_to_venio
    AFTER INSERT ON erp.serial_numbers REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger(
        'upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code",
          "serialNumber": "serial_no", "status": "active"}',
        'running_no');
CREATE TRIGGER serial_numbers_updated_to_venio
    AFTER UPDATE ON erp.serial_numbers REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger(
        'upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code",
          "serialNumber": "serial_no", "status": "active"}',
        'running_no');

-- every new deal is created in Venio, in order per customer (a row
-- trigger: the simplest form)
CREATE TRIGGER deals_to_venio
    AFTER INSERT ON erp.deals
    FOR EACH ROW EXECUTE FUNCTION gofive_enqueue_trigger(
        'create_deal',
        '{"customerCodes": ["customer_code"], "boardId": "board_id", "dealName": "title",
          "probability": "probability", "dealValue": "amount",
          "expectedCloseDate": "close_by", "assignTo": "sales_rep", "note": "=from the ERP"}',
        'customer_code');

INSERT INTO erp.products (product_code, name, price, stock) VALUES
    ('PD001', 'Water pump 1 HP', 4500.00, 12),
    ('PD002', 'Water pump 2 HP', 7900.00, 5),
    ('PD003', 'Pressure tank 100 L', 3200.00, 20);
