-- The synchronous escape hatch and a helper; the typed functions follow
-- (generated).
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
