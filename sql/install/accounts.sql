-- Venio accounts beside the default one (the gofive.* settings): foreign
-- servers of this wrapper, credentials in user mappings (src/client/account.c).
-- Only superusers may create servers unless granted USAGE on the wrapper.
CREATE FUNCTION gofive_fdw_validator(options text[], catalog oid)
RETURNS void
AS 'MODULE_PATHNAME', 'gofive_fdw_validator'
LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION gofive_fdw_validator(text[], oid) FROM PUBLIC;
-- the handler makes the CRM's readable resources foreign tables (src/fdw/fdw.c)
CREATE FUNCTION gofive_fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME', 'gofive_fdw_handler'
LANGUAGE C STRICT;
REVOKE ALL ON FUNCTION gofive_fdw_handler() FROM PUBLIC;
CREATE FOREIGN DATA WRAPPER gofive HANDLER gofive_fdw_handler VALIDATOR gofive_fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER gofive IS
    'Venio accounts: CREATE SERVER ... FOREIGN DATA WRAPPER gofive OPTIONS (base_url ...), credentials in the user mapping, selected with gofive.server';
