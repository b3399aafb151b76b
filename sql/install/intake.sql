-- ---------------------------------------------------------------------
-- Requests that come in bulk (new in 1.1).  The upgrade from 1.0 includes
-- this piece as it is (Makefile), after its own part, which adds
-- gofive_origin().
--
-- A trigger's requests, when one statement makes GOFIVE_INTAKE_MIN (100)
-- or more (src/outbox/outbox.c), go here as one narrow row per batch,
-- without an index, written with the caller's transaction: an ERP
-- statement of many rows pays for it, for its requests' X-Request-Ids and
-- for the ids of those with an ordering key (taken from the outbox's
-- sequence when queued, so that they keep their place in their groups
-- among the requests queued before and after them) instead of for as many
-- indexed outbox rows.  The worker moves each committed batch into
-- gofive.outbox before its next claim (src/outbox/worker_db.c), as rows
-- with those ids and request ids; until then gofive.queue counts them as
-- pending.  The arrays are compressed with lz4, which costs the statement
-- less than it saves in writing them (bodies: 15 bytes of WAL a request
-- instead of 76; pglz is several times slower).
CREATE TABLE gofive.intake (
    operation   text NOT NULL,
    method      text NOT NULL,
    path        text NOT NULL,
    enqueued_by regrole NOT NULL,
    account     text,
    enqueued_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    origin      bigint NOT NULL DEFAULT gofive_origin(),
    n           integer NOT NULL,       -- requests in the batch
    ids         bigint[] COMPRESSION lz4,           -- the keyed ones' outbox ids; NULL: no key
    request_ids uuid[] COMPRESSION lz4 NOT NULL,    -- their X-Request-Ids
    bodies      jsonb[] COMPRESSION lz4 NOT NULL,
    keys        text[] COMPRESSION lz4              -- their ordering keys; NULL: none has one
);
COMMENT ON TABLE gofive.intake IS
    'Requests queued in bulk (a trigger''s, 100 or more from one statement), one row per batch, that the worker moves into gofive.outbox with their ids';
REVOKE ALL ON gofive.intake FROM PUBLIC;
GRANT SELECT ON gofive.intake TO gofive_user;
GRANT SELECT, DELETE ON gofive.intake TO gofive_worker;
ALTER TABLE gofive.intake ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_requests ON gofive.intake FOR SELECT TO PUBLIC
    USING (pg_catalog.pg_has_role(enqueued_by, 'USAGE'));
CREATE POLICY admin_all ON gofive.intake FOR SELECT TO gofive_admin
    USING (true);
CREATE POLICY worker_all ON gofive.intake FOR ALL TO gofive_worker
    USING (true) WITH CHECK (true);
-- pg_dump keeps the batches with the outbox (sql/install/backup.sql)
SELECT pg_catalog.pg_extension_config_dump('gofive.intake', '');
