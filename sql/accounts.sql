-- Venio accounts: foreign servers of the gofive wrapper, credentials in user
-- mappings, chosen with gofive.server; each call and each queued request
-- carries its own account's credentials (the local server records whose
-- token each request carried: the journal's "client"); USAGE is needed;
-- secrets stay hidden; one token per account for the whole cluster.
SELECT mock.reset();
TRUNCATE gofive.outbox;
-- the local server accepts two more clients, as if two more Venio accounts
SELECT mock.post('/_mock/client', '{"client_id": "venio-b", "client_secret": "secret-b-1234", "subscription_key": "key-b-1234"}');
SELECT mock.post('/_mock/client', '{"client_id": "venio-c", "client_secret": "secret-c-1234", "subscription_key": "key-c-1234"}');

-- API requests (not token requests) since the last reset: whose token, whose key
CREATE FUNCTION pg_temp.api_calls(OUT running_number text, OUT client text, OUT key text, OUT status int)
RETURNS SETOF record LANGUAGE sql AS $$
    SELECT coalesce(e->'body'->>'runningNumber', e->>'path'), e->>'client',
           e->'headers'->>'ocp-apim-subscription-key', (e->>'status')::int
    FROM mock.journal() AS e WHERE e->>'path' <> '/authorization/connect/token'
    ORDER BY (e->>'seq')::int $$;
CREATE FUNCTION pg_temp.token_requests(OUT client text, OUT status int, OUT n bigint)
RETURNS SETOF record LANGUAGE sql AS $$
    SELECT e->>'client', (e->>'status')::int, count(*)
    FROM mock.journal() AS e WHERE e->>'path' = '/authorization/connect/token'
    GROUP BY 1, 2 ORDER BY 1, 2 $$;

-- the wrapper comes with the extension
SELECT fdwname, fdwvalidator::regproc AS validator, fdwhandler::regproc AS handler
FROM pg_foreign_data_wrapper WHERE fdwname = 'gofive';

-- ---- creating accounts; the validator ----
DO $$ BEGIN
    -- a trailing slash is dropped, as with gofive.base_url
    EXECUTE format('CREATE SERVER venio_b FOREIGN DATA WRAPPER gofive OPTIONS (base_url %L, timeout %L)',
                   current_setting('gofive.base_url') || '/', '20s');
    EXECUTE format('CREATE SERVER venio_c FOREIGN DATA WRAPPER gofive OPTIONS (base_url %L)',
                   current_setting('gofive.base_url'));
END $$;
CREATE USER MAPPING FOR PUBLIC SERVER venio_b
    OPTIONS (client_id 'venio-b', client_secret 'secret-b-1234', subscription_key 'key-b-1234');

CREATE SERVER regress_bad FOREIGN DATA WRAPPER gofive OPTIONS (baseurl 'http://127.0.0.1');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER gofive OPTIONS (base_url 'ftp://127.0.0.1');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER gofive OPTIONS (base_url 'http://127.0.0.1/v1?x=1');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER gofive OPTIONS (base_url '');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER gofive OPTIONS (timeout 'soon');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER gofive OPTIONS (connect_timeout '2h');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER gofive OPTIONS (ssl_verify 'maybe');
CREATE SERVER regress_bad FOREIGN DATA WRAPPER gofive OPTIONS (client_id 'x');
CREATE USER MAPPING FOR CURRENT_USER SERVER venio_c OPTIONS (base_url 'http://127.0.0.1');
CREATE USER MAPPING FOR CURRENT_USER SERVER venio_c OPTIONS (client_id '');
CREATE USER MAPPING FOR CURRENT_USER SERVER venio_c OPTIONS (password 'x');
ALTER FOREIGN DATA WRAPPER gofive OPTIONS (base_url 'http://127.0.0.1');
-- a value is never quoted: it may be a secret
CREATE USER MAPPING FOR CURRENT_USER SERVER venio_c OPTIONS (client_secret E'not\ta-secret');
SELECT count(*) AS bad_servers FROM pg_foreign_server WHERE srvname = 'regress_bad';

-- the TLS options are a superuser's; the others are the server owner's
CREATE ROLE regress_acct_owner;
GRANT USAGE ON FOREIGN DATA WRAPPER gofive TO regress_acct_owner;
SET ROLE regress_acct_owner;
CREATE SERVER regress_owned FOREIGN DATA WRAPPER gofive OPTIONS (timeout '5s', connect_timeout '1s');
CREATE SERVER regress_owned_tls FOREIGN DATA WRAPPER gofive OPTIONS (ssl_verify 'off');
CREATE SERVER regress_owned_tls FOREIGN DATA WRAPPER gofive OPTIONS (ca_file '/etc/passwd');
ALTER SERVER regress_owned OPTIONS (ADD ssl_verify 'off');
RESET ROLE;
ALTER SERVER regress_owned OPTIONS (ADD ssl_verify 'on', ca_file '/nonexistent.pem');
DROP SERVER regress_owned;
REVOKE USAGE ON FOREIGN DATA WRAPPER gofive FROM regress_acct_owner;
DROP ROLE regress_acct_owner;

-- ---- synchronous calls: each with its own account's credentials ----
SELECT mock.reset();
SET gofive.server = 'venio_b';
SELECT gofive_upsert_serial('MN00501', 'PD001', 'SB1', true)->>'runningNumber' AS via_b;
SELECT status AS request_via_b FROM gofive_request('GET', '/v2/products/PD001');
RESET gofive.server;
SELECT gofive_upsert_serial('MN00502', 'PD001', 'SD1', true)->>'runningNumber' AS via_default;
-- for one transaction only
BEGIN;
SET LOCAL gofive.server = 'venio_b';
SELECT gofive_upsert_serial('MN00503', 'PD001', 'SB3', true)->>'runningNumber' AS via_b_local;
COMMIT;
SHOW gofive.server;
SELECT gofive_upsert_serial('MN00504', 'PD001', 'SD4', true)->>'runningNumber' AS via_default_again;
SELECT * FROM pg_temp.api_calls();

-- the server's timeout wins over gofive.timeout (30s here), and the error says whose it is
ALTER SERVER venio_b OPTIONS (SET timeout '300ms');
SELECT mock.fault('{"mode": "latency", "latency_ms": 3000, "count": 1, "path": "/v3/"}');
SET gofive.server = 'venio_b';
SELECT gofive_upsert_serial('MN00505', 'PD001', 'SB5', true);
RESET gofive.server;
SELECT mock.fault('{"mode": "none"}');
ALTER SERVER venio_b OPTIONS (SET timeout '20s');

-- ---- an account needs USAGE, and a user mapping with all three credentials ----
CREATE ROLE regress_acct_user LOGIN;
CREATE ROLE regress_acct_plain;
GRANT gofive_user TO regress_acct_user;
SELECT mock.reset();
SET ROLE regress_acct_user;
SET gofive.server = 'venio_b';
SELECT gofive_upsert_serial('MN00511', 'PD001', 'SU1', true);
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00512", "productCode": "PD001"}');
SELECT gofive_enqueue_request('GET', '/v2/products/PD001');
RESET ROLE;
SELECT count(*) AS nothing_queued FROM gofive.outbox;
SELECT count(*) AS nothing_sent FROM mock.journal();
GRANT USAGE ON FOREIGN SERVER venio_b TO regress_acct_user;
SET ROLE regress_acct_user;
SELECT gofive_upsert_serial('MN00511', 'PD001', 'SU1', true)->>'runningNumber' AS with_usage;
-- a server with no user mapping, then one that lacks a credential
SET gofive.server = 'venio_c';
SELECT gofive_upsert_serial('MN00511', 'PD001', 'SU1', true);
RESET ROLE;
GRANT USAGE ON FOREIGN SERVER venio_c TO regress_acct_user;
SET ROLE regress_acct_user;
SELECT gofive_upsert_serial('MN00511', 'PD001', 'SU1', true);
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00512", "productCode": "PD001"}');
RESET ROLE;
CREATE USER MAPPING FOR PUBLIC SERVER venio_c OPTIONS (client_id 'venio-c', subscription_key 'key-c-1234');
SET ROLE regress_acct_user;
SELECT gofive_upsert_serial('MN00511', 'PD001', 'SU1', true);
RESET ROLE;
ALTER USER MAPPING FOR PUBLIC SERVER venio_c OPTIONS (ADD client_secret 'secret-c-1234');
SET ROLE regress_acct_user;
SELECT gofive_upsert_serial('MN00513', 'PD001', 'SU3', true)->>'runningNumber' AS via_c;
-- a name that is no account
SET gofive.server = 'no_such_server';
SELECT gofive_upsert_serial('MN00511', 'PD001', 'SU1', true);
RESET ROLE;
CREATE FOREIGN DATA WRAPPER regress_other_fdw;
CREATE SERVER regress_other FOREIGN DATA WRAPPER regress_other_fdw;
SET gofive.server = 'regress_other';
SELECT gofive_upsert_serial('MN00511', 'PD001', 'SU1', true);
RESET gofive.server;
SET gofive.server = E'bad\nname';
SELECT count(*) AS nothing_queued FROM gofive.outbox;
SELECT * FROM pg_temp.api_calls();

-- ---- the setting from ALTER ROLE, in a session of that role ----
ALTER ROLE regress_acct_user SET gofive.server = 'venio_c';
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT mock.reset();
SELECT dblink_connect('u', mock.conn(role => 'regress_acct_user'));
SELECT * FROM dblink('u', $$SELECT current_setting('gofive.server'),
                              gofive_upsert_serial('MN00521', 'PD001', 'SR1', true)->>'runningNumber'$$)
    AS t(server text, running_number text);
SELECT dblink_disconnect('u');
SELECT * FROM pg_temp.api_calls();
ALTER ROLE regress_acct_user RESET gofive.server;

-- ---- queued requests: the row records the account, the worker uses it ----
SELECT mock.reset();
SET gofive.server = 'venio_b';
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00601", "productCode": "PD001"}') AS id_b \gset
SELECT gofive_enqueue_request('GET', '/v2/products/PD002') AS id_b2 \gset
RESET gofive.server;
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00602", "productCode": "PD001"}') AS id_default \gset
SET ROLE regress_acct_user;
SET gofive.server = 'venio_c';
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00603", "productCode": "PD001"}') AS id_c \gset
RESET ROLE;
RESET gofive.server;
-- from a row trigger and a statement trigger, with the account in force when they fire
CREATE TABLE regress_acct_items (running_no text, product_code text);
CREATE TRIGGER by_row AFTER INSERT ON regress_acct_items FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "running_no", "productCode": "product_code"}');
CREATE TRIGGER by_statement AFTER INSERT ON regress_acct_items REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial', '{"runningNumber": "running_no", "productCode": "product_code"}');
BEGIN;
SET LOCAL gofive.server = 'venio_b';
INSERT INTO regress_acct_items VALUES ('MN00611', 'PD001'), ('MN00612', 'PD002');
COMMIT;
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 8$$);
SELECT o.id IN (:id_b, :id_b2) AS b, o.id = :id_default AS d, o.id = :id_c AS c, o.operation,
       o.account, o.status, e->>'client' AS client, e->'headers'->>'ocp-apim-subscription-key' AS key
FROM gofive.outbox o
JOIN mock.journal() AS e ON (e->'headers'->>'x-request-id')::uuid = o.request_id
ORDER BY o.id;
DROP TABLE regress_acct_items;

-- USAGE revoked after the request was queued: the worker does not send it,
-- nor charge it an attempt; it waits, and gofive.accounts says why
SELECT mock.reset();
BEGIN;
SET ROLE regress_acct_user;
SET LOCAL gofive.server = 'venio_b';
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00621", "productCode": "PD001"}') AS id_revoked \gset
RESET ROLE;
REVOKE USAGE ON FOREIGN SERVER venio_b FROM regress_acct_user;
COMMIT;
SELECT mock.wait_for($$(SELECT state FROM gofive.accounts
                         WHERE account = 'venio_b' AND role = 'regress_acct_user'::regrole) = 'unusable'$$);
SELECT state, waiting, problem FROM gofive.accounts
 WHERE account = 'venio_b' AND role = 'regress_acct_user'::regrole;
SELECT pg_sleep(0.5);
SELECT status, attempts, last_error FROM gofive.outbox WHERE id = :id_revoked;
SELECT count(*) AS nothing_sent FROM pg_temp.api_calls();
-- USAGE given back: it goes
GRANT USAGE ON FOREIGN SERVER venio_b TO regress_acct_user;
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_revoked));
SELECT status, attempts FROM gofive.outbox WHERE id = :id_revoked;

-- pg_dump keeps servers and mappings by name, and so does the row
SELECT pg_typeof(account) FROM gofive.outbox LIMIT 1;

-- ---- the secrets: hidden from plain roles and from gofive_user ----
SET ROLE regress_acct_user;
SELECT srvname, usename, umoptions FROM pg_user_mappings
WHERE srvname IN ('venio_b', 'venio_c') ORDER BY 1;
SELECT umoptions FROM pg_catalog.pg_user_mapping;
-- the server's options are no secret: every role may read them
SELECT array(SELECT split_part(o, '=', 1) FROM unnest(srvoptions) AS o) AS server_options
FROM pg_foreign_server WHERE srvname = 'venio_b';
SET ROLE regress_acct_plain;
SELECT srvname, usename, umoptions FROM pg_user_mappings
WHERE srvname IN ('venio_b', 'venio_c') ORDER BY 1;
SELECT umoptions FROM pg_catalog.pg_user_mapping;
SET gofive.server = 'venio_b';
SELECT gofive_upsert_serial('MN00511', 'PD001', 'SU1', true);
RESET gofive.server;
RESET ROLE;
-- a refused secret is not quoted, and the token of the right one is not reused
SELECT mock.reset();
ALTER USER MAPPING FOR PUBLIC SERVER venio_c OPTIONS (SET client_secret 'wrong-secret-c');
SET gofive.server = 'venio_c';
SELECT gofive_upsert_serial('MN00513', 'PD001', 'SU3', true);
RESET gofive.server;
ALTER USER MAPPING FOR PUBLIC SERVER venio_c OPTIONS (SET client_secret 'secret-c-1234');
SET gofive.server = 'venio_c';
SELECT gofive_upsert_serial('MN00513', 'PD001', 'SU3', true)->>'runningNumber' AS right_secret_again;
RESET gofive.server;
SELECT * FROM pg_temp.token_requests();

-- ---- one token per account for the whole cluster ----
-- a new account, whose token nobody has fetched yet
SELECT mock.post('/_mock/client', '{"client_id": "venio-d", "client_secret": "secret-d-1234", "subscription_key": "key-d-1234"}');
DO $$ BEGIN
    EXECUTE format('CREATE SERVER venio_d FOREIGN DATA WRAPPER gofive OPTIONS (base_url %L)',
                   current_setting('gofive.base_url'));
END $$;
CREATE USER MAPPING FOR PUBLIC SERVER venio_d
    OPTIONS (client_id 'venio-d', client_secret 'secret-d-1234', subscription_key 'key-d-1234');
SELECT mock.reset();
-- the token endpoint takes a second: four sessions that call at once all
-- wait for the one token one of them fetches
SELECT mock.fault('{"mode": "latency", "latency_ms": 1000, "path": "/authorization/connect/token", "count": 1}');
SELECT dblink_connect('s' || i, mock.conn()) FROM generate_series(1, 4) AS i;
SELECT dblink_exec('s' || i, $$SET gofive.server = 'venio_d'$$) FROM generate_series(1, 4) AS i;
SELECT dblink_send_query('s' || i,
           format($$SELECT gofive_upsert_serial('MN0070%s', 'PD001', 'SN', true)->>'runningNumber'$$, i))
FROM generate_series(1, 4) AS i;
SELECT r FROM generate_series(1, 4) AS i, dblink_get_result('s' || i) AS t(r text) ORDER BY r;
SELECT count(*) AS ends FROM generate_series(1, 4) AS i, dblink_get_result('s' || i) AS t(r text);
SELECT client, n AS token_requests FROM pg_temp.token_requests();
SELECT count(*) AS api_requests, count(DISTINCT e->'headers'->>'authorization') AS distinct_tokens
FROM mock.journal() AS e WHERE e->>'path' <> '/authorization/connect/token';
SELECT (s->>'token_requests')::int AS token_requests_in_stats FROM mock.get('/_mock/stats') AS s;
-- a fetch that fails fails those waiting for it the same way, without
-- each of them asking again
ALTER USER MAPPING FOR PUBLIC SERVER venio_d OPTIONS (SET client_secret 'wrong-secret-d');
SELECT mock.reset();
SELECT mock.fault('{"mode": "latency", "latency_ms": 1000, "path": "/authorization/connect/token", "count": 1}');
SELECT dblink_send_query('s' || i, $$SELECT gofive_upsert_serial('MN00709', 'PD001', 'SN', true)->>'runningNumber'$$)
FROM generate_series(1, 3) AS i;
SELECT i, mock.error_of(format('SELECT * FROM dblink_get_result(%L) AS t(r text)', 's' || i)) AS error
FROM generate_series(1, 3) AS i;
SELECT * FROM dblink_get_result('s1') AS t(r text);  -- the ends of the failed queries
SELECT * FROM dblink_get_result('s2') AS t(r text);
SELECT * FROM dblink_get_result('s3') AS t(r text);
SELECT client, status, n AS token_requests FROM pg_temp.token_requests();
SELECT count(*) AS api_requests FROM pg_temp.api_calls();
ALTER USER MAPPING FOR PUBLIC SERVER venio_d OPTIONS (SET client_secret 'secret-d-1234');

-- sessions that connect, call once and leave fetch none
SELECT dblink_disconnect('s' || i) FROM generate_series(1, 4) AS i;
SELECT mock.reset();
SELECT dblink_connect('t', mock.conn()),
       dblink_exec('t', $$SET gofive.server = 'venio_d'$$),
       (SELECT r FROM dblink('t', format($$SELECT gofive_upsert_serial('MN0071%s', 'PD001', 'SN', true)->>'runningNumber'$$, i)) AS t(r text)),
       dblink_disconnect('t')
FROM generate_series(1, 3) AS i;
-- and the worker uses the same token
SET gofive.server = 'venio_d';
SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00720", "productCode": "PD001"}') AS id_d \gset
RESET gofive.server;
SELECT mock.wait_for(format($$(SELECT status FROM gofive.outbox WHERE id = %s) = 'succeeded'$$, :id_d));
SELECT count(*) AS api_requests FROM pg_temp.api_calls();
SELECT count(*) AS token_requests FROM pg_temp.token_requests();

-- a 401 drops the token for every session: one renews it, the others use the new one
SELECT dblink_connect('s' || i, mock.conn()) FROM generate_series(1, 2) AS i;
SELECT dblink_exec('s' || i, $$SET gofive.server = 'venio_d'$$) FROM generate_series(1, 2) AS i;
SELECT mock.reset();
SELECT mock.expire_tokens() IS NULL AS revoked;
SELECT r FROM dblink('s1', $$SELECT gofive_upsert_serial('MN00731', 'PD001', 'SN', true)->>'runningNumber'$$) AS t(r text);
SELECT r FROM dblink('s2', $$SELECT gofive_upsert_serial('MN00732', 'PD001', 'SN', true)->>'runningNumber'$$) AS t(r text);
SELECT e->>'path' AS path, e->>'status' AS status, e->>'client' AS client
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;
SELECT dblink_disconnect('s' || i) FROM generate_series(1, 2) AS i;

-- clean up
TRUNCATE gofive.outbox;
DROP SERVER venio_b, venio_c, venio_d CASCADE;
DROP SERVER regress_other;
DROP FOREIGN DATA WRAPPER regress_other_fdw;
DROP OWNED BY regress_acct_user, regress_acct_plain;
DROP ROLE regress_acct_user, regress_acct_plain;
DROP EXTENSION dblink;
