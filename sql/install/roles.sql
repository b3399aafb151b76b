-- The roles (README, "Security").  Roles belong to the cluster, so a
-- second database finds them already there.
--   gofive_user:   may call the API and enqueue; sees and manages its own
--                  requests only (row-level security on gofive.outbox);
--   gofive_admin:  a gofive_user that sees and manages every request, and
--                  the worker's last error;
--   gofive_worker: the rights the outbox worker runs its SQL with (it may
--                  read and change the outbox, nothing else); never LOGIN,
--                  never granted to anybody.
-- Calls use the organisation's credentials and change CRM data, so nothing
-- is granted to PUBLIC.
DO $$
DECLARE
    r pg_catalog.text;
BEGIN
    FOREACH r IN ARRAY ARRAY['gofive_user', 'gofive_admin', 'gofive_worker'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
    -- a gofive_worker that someone could log in as, or act as, would hold
    -- the worker's rights on every request
    IF EXISTS (SELECT FROM pg_catalog.pg_roles
                WHERE rolname OPERATOR(pg_catalog.=) 'gofive_worker'
                  AND (rolcanlogin OR rolsuper OR rolbypassrls))
       OR EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                    JOIN pg_catalog.pg_roles g ON g.oid OPERATOR(pg_catalog.=) m.roleid
                   WHERE g.rolname OPERATOR(pg_catalog.=) 'gofive_worker') THEN
        RAISE EXCEPTION 'role gofive_worker must be NOLOGIN, not a superuser, and have no members'
            USING ERRCODE = 'VNCFG',
                  HINT = 'Someone created or changed this role; drop it or correct it, then create the extension again.';
    END IF;
    IF NOT pg_catalog.pg_has_role('gofive_admin', 'gofive_user', 'MEMBER') THEN
        GRANT gofive_user TO gofive_admin;
    END IF;
END
$$;
