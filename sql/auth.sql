-- Authentication: one token for many calls, renewed shortly before it
-- expires and after a 401; refused credentials raise VNAUT without showing
-- any secret; missing settings raise VNCFG.
-- the token is shared by every session (and the worker): make sure one is
-- held, then have the server revoke it
SELECT gofive_upsert_serial('MN00100', 'PD001', 'S0', true) IS NOT NULL AS token_held;
SELECT mock.reset();
SELECT mock.expire_tokens();

-- one token fetch (after the 401 for the revoked one), then reuse
SELECT count(*) AS calls
FROM generate_series(1, 5) AS i,
     gofive_upsert_serial('MN0010' || i, 'PD001', 'S' || i, true);
SELECT e->>'path' AS path, e->>'status' AS status, count(*)
FROM mock.journal() AS e GROUP BY 1, 2 ORDER BY min((e->>'seq')::int);

-- the server revokes the token: the next call gets a 401, renews the token
-- once, and retries once
SELECT mock.reset();
SELECT mock.expire_tokens();
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)->>'runningNumber' AS after_revocation;
SELECT e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;

-- a token that lives 2 seconds is renewed before it runs out, without a 401
SELECT mock.reset();
SELECT mock.config('{"token_ttl": 2}');
SELECT mock.expire_tokens();
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true) IS NOT NULL AS first_call;
SELECT pg_sleep(2);
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true) IS NOT NULL AS after_expiry;
SELECT e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;
SELECT mock.config('{"token_ttl": 3600}');

-- a 401 twice in a row is an authentication failure
SELECT mock.reset();
SELECT mock.fault('{"mode": "status", "status": 401, "count": 2, "path": "/v3/"}');
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true);
SELECT e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;
SELECT mock.fault('{"mode": "none"}');

-- refused credentials: VNAUT, and neither secret appears in the error
SET gofive.client_secret = 'not-the-secret';
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)$$) AS wrong_secret;
RESET gofive.client_secret;
SET gofive.subscription_key = 'not-the-key';
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)$$) AS wrong_key;
RESET gofive.subscription_key;

-- missing settings: VNCFG names the setting
SET gofive.client_id = '';
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true);
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)$$);
RESET gofive.client_id;
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)->>'runningNumber' AS works_again;

-- keep-alive: the calls of one session share one connection
SELECT mock.reset();
SELECT count(*) FROM generate_series(1, 3) AS i,
     gofive_upsert_serial('MN0010' || i, 'PD001', 'S1', true);
SELECT count(DISTINCT e->>'connection') AS connections, count(*) AS requests
FROM mock.journal() AS e;

-- ---- the token endpoint's answers (outcome.c, gofive_judge_token) ----
-- a client nobody holds a token of: every call below asks for one
SELECT mock.post('/_mock/client', '{"client_id": "auth-busy", "client_secret": "secret-busy-1234", "subscription_key": "key-busy-1234"}') IS NOT NULL AS client_added;
SET gofive.client_id = 'auth-busy';
SET gofive.client_secret = 'secret-busy-1234';
SET gofive.subscription_key = 'key-busy-1234';
SELECT mock.reset();
-- 429 and 5xx: the API is busy or down, VNSRV with a busy API's hint (its
-- Retry-After), not "check the credentials"
SELECT mock.fault('{"mode": "status", "status": 429, "retry_after": 5, "count": 1, "path": "/authorization/connect/token"}');
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true);
SELECT mock.fault('{"mode": "status", "status": 503, "count": 1, "path": "/authorization/connect/token"}');
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true);
SELECT mock.fault('{"mode": "status", "status": 500, "retry_after": 2, "count": 1, "path": "/authorization/connect/token"}');
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)$$) AS token_500;
-- 400 and 401, the endpoint's documented refusals: VNAUT, check the credentials
SELECT mock.fault('{"mode": "body", "status": 400, "body": "{\"error\": \"invalid_request\"}", "count": 1, "path": "/authorization/connect/token"}');
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true);
SELECT mock.fault('{"mode": "body", "status": 401, "body": "{\"error\": \"invalid_client\"}", "count": 1, "path": "/authorization/connect/token"}');
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)$$) AS token_401;
-- no answer: VNNET (libcurl tries a kept-alive connection's request once
-- more on a new one, so drop two)
SELECT mock.fault('{"mode": "drop", "count": 2, "path": "/authorization/connect/token"}');
SELECT mock.error_of($$SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)$$) AS token_no_answer;
-- none of these was an API call; then the token comes and the call goes
SELECT gofive_upsert_serial('MN00101', 'PD001', 'S1', true)->>'runningNumber' AS token_at_last;
SELECT e->>'path' AS path, e->>'status' AS status
FROM mock.journal() AS e ORDER BY (e->>'seq')::int;
RESET gofive.client_id;
RESET gofive.client_secret;
RESET gofive.subscription_key;
