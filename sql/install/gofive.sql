-- gofive install script, hand-written part.  The typed per-operation
-- functions are generated from src/catalog.c and appended at build time.

\echo Use "CREATE EXTENSION gofive" to load this file. \quit

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

-- Venio accounts beside the default one (the gofive.* settings): foreign
-- servers of this wrapper, credentials in user mappings (src/account.c).
-- Only superusers may create servers unless granted USAGE on the wrapper.
CREATE FUNCTION gofive_fdw_validator(options text[], catalog oid)
RETURNS void
AS 'MODULE_PATHNAME', 'gofive_fdw_validator'
LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION gofive_fdw_validator(text[], oid) FROM PUBLIC;
CREATE FOREIGN DATA WRAPPER gofive VALIDATOR gofive_fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER gofive IS
    'Venio accounts: CREATE SERVER ... FOREIGN DATA WRAPPER gofive OPTIONS (base_url ...), credentials in the user mapping, selected with gofive.server';

CREATE FUNCTION gofive_request(method text, path text, body jsonb DEFAULT NULL,
                               OUT status integer, OUT response jsonb)
RETURNS record
AS 'MODULE_PATHNAME', 'gofive_request'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION gofive_request(text, text, jsonb) IS
    'Call any API path (relative to gofive.base_url); returns the HTTP status and the response without raising on API errors';
REVOKE ALL ON FUNCTION gofive_request(text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gofive_request(text, text, jsonb) TO gofive_user;

CREATE FUNCTION gofive_url_encode(value text)
RETURNS text
AS 'MODULE_PATHNAME', 'gofive_url_encode_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION gofive_url_encode(text) IS
    'Percent-encode a value for use as one path segment or query value';
