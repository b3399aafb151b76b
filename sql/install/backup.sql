-- ---------------------------------------------------------------------
-- Backups keep the queue.  New in 1.0: the upgrade from 0.1 includes this
-- piece as it is (Makefile), so it runs once per database, after the
-- outbox exists.
--
-- pg_dump dumps every row of the outbox (an extension member, whose data
-- pg_dump would otherwise skip) and the value of its identity sequence, so
-- that new ids continue after the restored ones.
-- ---------------------------------------------------------------------
SELECT pg_catalog.pg_extension_config_dump('gofive.outbox', '');
SELECT pg_catalog.pg_extension_config_dump('gofive.outbox_id_seq', '');

-- A row is only ever inserted 'sending' by a restore (gofive inserts rows
-- 'pending', the worker claims them by UPDATE).  Whether it was sent before
-- the backup is not known, so it is queued again, as after a crash
-- (src/outbox/worker_db.c): the worker of the restored database may have started,
-- and recovered its rows left sending, before the data was loaded.
CREATE FUNCTION gofive_requeue_restored()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog
AS $$
BEGIN
    NEW.status := 'pending'::gofive.request_status;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION gofive_requeue_restored() IS
    'Trigger: a row restored as sending is queued again, as after a crash';
REVOKE ALL ON FUNCTION gofive_requeue_restored() FROM PUBLIC;
CREATE TRIGGER requeue_restored BEFORE INSERT ON gofive.outbox
    FOR EACH ROW WHEN (NEW.status OPERATOR(pg_catalog.=) 'sending'::gofive.request_status)
    EXECUTE FUNCTION gofive_requeue_restored();
