-- Settings: defaults, checks that name the setting, secrets hidden from
-- plain roles (also in a fresh session that has not called gofive yet),
-- masked for superusers, and ALTER ROLE ... SET.
SELECT name, regexp_replace(setting, '127.0.0.1:[0-9]+', '127.0.0.1:PORT') AS setting, unit, context
FROM pg_settings WHERE name LIKE 'gofive.%' ORDER BY name;
SHOW gofive.client_secret;
SHOW gofive.subscription_key;

-- bad values are refused with a message that names the setting
SET gofive.base_url = 'ftp://api.gofive.co.th';
SET gofive.base_url = 'https://api.gofive.co.th/v1?x=1';
SET gofive.timeout = 0;
SET gofive.connect_timeout = '-5s';
SET gofive.subscription_key = E'key\r\nX-Injected: 1';
-- the worker's settings too; they change on reload, not per session
ALTER SYSTEM SET gofive.max_concurrency = 0;
ALTER SYSTEM SET gofive.batch_size = 100000;
ALTER SYSTEM SET gofive.retry_base = '-1s';
ALTER SYSTEM SET gofive.database = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';
ALTER SYSTEM SET gofive.max_workers = 0;
SET gofive.max_attempts = 3;
-- a trailing slash is dropped
BEGIN;
SET LOCAL gofive.base_url = 'https://api.gofive.co.th/';
SHOW gofive.base_url;
ROLLBACK;

-- a plain role, with the right to call the API through gofive_user
SELECT current_user AS superuser \gset
CREATE ROLE gofive_plain LOGIN;
ALTER ROLE gofive_plain SET gofive.timeout = '5s';
\c - gofive_plain
-- a fresh session: the library is loaded (preloaded) before any call
SELECT current_setting('gofive.client_secret');
SELECT current_setting('gofive.subscription_key');
SHOW gofive.client_secret;
SELECT name FROM pg_settings WHERE name LIKE 'gofive.%' ORDER BY name;
SELECT count(*) AS secrets_in_show_all FROM (SELECT * FROM pg_show_all_settings()) s
WHERE name IN ('gofive.client_secret', 'gofive.subscription_key');
-- settings from ALTER ROLE ... SET arrive; SET works for user settings
SHOW gofive.timeout;
SET gofive.timeout = '2s';
SHOW gofive.timeout;
-- superuser-only settings cannot be changed by a plain role
SET gofive.base_url = 'http://127.0.0.1:9/steal';
SET gofive.ssl_verify = off;
-- and the API functions are not granted to PUBLIC
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true);
\c - :superuser
GRANT gofive_user TO gofive_plain;
\c - gofive_plain
SELECT gofive_upsert_serial('MN00001', 'PD001', 'IXX0010', true)->>'runningNumber' AS granted;
\c - :superuser
DROP OWNED BY gofive_plain;
ALTER ROLE gofive_plain RESET ALL;
DROP ROLE gofive_plain;
