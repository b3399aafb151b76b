-- DROP EXTENSION gofive (or any statement that drops it) while requests
-- are undelivered: refused with a hint, unless gofive.drop_undelivered is
-- on for a superuser or the extension's owner, then a warning with their
-- count.  Each case runs in a transaction
-- that is rolled back: the extension stays for the suites that follow.
\set VERBOSITY default
SET client_min_messages = warning;  -- not the objects the drop cascades to
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status IN ('pending', 'sending')) = 0$$);
TRUNCATE gofive.outbox;
-- nothing undelivered: the drop goes through
BEGIN;
DROP EXTENSION gofive CASCADE;
SELECT count(*) AS gofive_installed FROM pg_extension WHERE extname = 'gofive';
ROLLBACK;
-- a trigger's batch not moved into the outbox yet (gofive.intake) counts:
-- refused, naming its 120 requests
BEGIN;
CREATE TABLE public.bulk_serials (running_no text, product_code text);
CREATE TRIGGER bulk_serials_to_venio AFTER INSERT ON public.bulk_serials REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
        '{"runningNumber": "running_no", "productCode": "product_code"}');
INSERT INTO public.bulk_serials SELECT 'MN92' || i, 'PD001' FROM generate_series(1, 120) AS i;
SELECT count(*) AS in_outbox, (SELECT sum(n) FROM gofive.intake) AS in_intake FROM gofive.outbox;
DROP EXTENSION gofive CASCADE;
ROLLBACK;
-- two requests queued: refused, they stay
BEGIN;
SELECT count(gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'MN9100' || i, 'productCode', 'PD001')))
FROM generate_series(1, 2) AS i;
SAVEPOINT before_drop;
DROP EXTENSION gofive CASCADE;
ROLLBACK TO before_drop;
-- whatever statement drops them: DROP SCHEMA public CASCADE, where the
-- functions live, drops the extension too
DROP SCHEMA public CASCADE;
ROLLBACK TO before_drop;
SELECT count(*) AS pending FROM gofive.outbox WHERE status = 'pending';
-- the setting counts only for a superuser or the extension's owner: the
-- owner of the database who is neither is refused, with it on or off, and
-- whoever set it (the superuser here, as ALTER DATABASE ... SET would for
-- every session); the requests stay
CREATE ROLE regress_db_owner;
ALTER DATABASE contrib_regression OWNER TO regress_db_owner;
SAVEPOINT as_db_owner;
SET LOCAL ROLE regress_db_owner;
DROP SCHEMA public CASCADE;
ROLLBACK TO as_db_owner;
SET LOCAL gofive.drop_undelivered = on;
SET LOCAL ROLE regress_db_owner;
DROP SCHEMA public CASCADE;
ROLLBACK TO as_db_owner;
SET LOCAL ROLE regress_db_owner;
SET LOCAL gofive.drop_undelivered = on;
DROP SCHEMA public CASCADE;
ROLLBACK TO as_db_owner;
SELECT count(*) AS pending FROM gofive.outbox WHERE status = 'pending';
-- the extension's owner may, superuser or not (made its owner in this transaction)
UPDATE pg_extension SET extowner = 'regress_db_owner'::regrole WHERE extname = 'gofive';
SET LOCAL ROLE regress_db_owner;
SET LOCAL gofive.drop_undelivered = on;
DROP SCHEMA public CASCADE;
SELECT count(*) AS gofive_installed FROM pg_extension WHERE extname = 'gofive';
ROLLBACK TO as_db_owner;
-- with the setting on, it drops them and says how many
SET LOCAL gofive.drop_undelivered = on;
DROP EXTENSION gofive CASCADE;
SELECT count(*) AS gofive_installed FROM pg_extension WHERE extname = 'gofive';
ROLLBACK;
-- failed and dead requests are done with (nothing more is sent): no refusal
BEGIN;
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN91009", "productCode": "PD001"}') > 0 AS queued;
UPDATE gofive.outbox SET status = 'failed';
DROP EXTENSION gofive CASCADE;
ROLLBACK;
SHOW gofive.drop_undelivered;
SELECT count(*) AS gofive_installed FROM pg_extension WHERE extname = 'gofive';
