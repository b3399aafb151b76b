-- Dates and times in the formats the API writes them (docs/api.md,
-- Date formats): gofive_format_datetime() for hand-written payloads, and the
-- trigger, which writes a date/time column mapped to a field whose format
-- the catalog gives in that format, in gofive.time_zone (Asia/Bangkok).
SHOW gofive.time_zone;
-- the session's TimeZone plays no part
SET TimeZone = 'America/Los_Angeles';

-- a date is its midnight in gofive.time_zone, in each format
SELECT f, gofive_format_datetime(date '2026-12-31', f) AS formatted
FROM unnest(ARRAY['offset', 'offset_ms', 'local', 'space', 'date', 'utc']) AS f;
-- the default format is offset
SELECT gofive_format_datetime(date '2026-12-31');
-- a timestamp is a wall-clock time there; a timestamptz an instant
SELECT gofive_format_datetime(timestamp '2026-02-05 17:35:53.693', 'offset_ms') AS wall_clock,
       gofive_format_datetime(timestamptz '2026-02-05 10:35:53.693+00', 'offset_ms') AS instant,
       gofive_format_datetime(timestamptz '2026-02-05 10:35:53.693+00', 'utc') AS utc;
-- another zone, given or set; offsets follow daylight saving time
SELECT gofive_format_datetime(timestamptz '2026-01-15 12:00:00+00', 'offset', 'America/New_York') AS winter,
       gofive_format_datetime(timestamptz '2026-07-15 12:00:00+00', 'offset', 'America/New_York') AS summer,
       gofive_format_datetime(timestamptz '2026-07-15 12:00:00+00', 'offset', 'Asia/Kolkata') AS half_hour;
SET gofive.time_zone = 'UTC';
SELECT gofive_format_datetime(date '2026-12-31'), gofive_format_datetime(date '2026-12-31', 'utc');
RESET gofive.time_zone;
-- NULL in, NULL out; what cannot be written is an error naming the problem
SELECT gofive_format_datetime(NULL::date) IS NULL AS null_is_null;
SELECT mock.error_of($$SELECT gofive_format_datetime(date '2026-12-31', 'yyyy-mm-dd')$$);
SELECT mock.error_of($$SELECT gofive_format_datetime('infinity'::timestamptz)$$);
SELECT mock.error_of($$SELECT gofive_format_datetime(date '10000-01-01')$$);
SELECT mock.error_of($$SELECT gofive_format_datetime(date '2026-12-31', 'offset', 'Nowhere/City')$$);
SELECT mock.error_of($$SET gofive.time_zone = 'Nowhere/City'$$);
-- a hand-written payload
SELECT gofive_create_deal(jsonb_build_object(
    'customerCodes', jsonb_build_array('C000349'), 'boardId', 34628319, 'dealName', 'Dated by hand',
    'probability', 20, 'dealValue', 1000, 'assignTo', 'staff01',
    'expectedCloseDate', gofive_format_datetime(date '2026-12-31')))->0->>'expectedCloseDate' AS sent;

-- the trigger: each date field in its operation's format; a text column
-- and a field without a format are sent as they are
TRUNCATE gofive.outbox;
SELECT mock.reset();
CREATE TABLE deal_dates (
    customer_code text, close_by date, deal_at timestamptz, follow_up timestamp, remark_at date);
CREATE DOMAIN due_date AS date;
CREATE TABLE case_dates (subject text, opened timestamptz, due due_date);
CREATE TABLE contract_dates (name text, starts date, ends timestamp, ends_text text);
CREATE TRIGGER deal_dates_to_venio AFTER INSERT ON deal_dates FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('create_deal',
        '{"customerCodes": ["customer_code"], "boardId": 34628319, "dealName": "=dated", "probability": 20,
          "dealValue": 10, "assignTo": "=staff01", "expectedCloseDate": "close_by",
          "dealDate": "deal_at", "dateFollowUp": "follow_up", "remark": "remark_at"}');
CREATE TRIGGER case_dates_to_venio AFTER INSERT ON case_dates REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gofive_enqueue_trigger('create_case',
        '{"caseType": 1, "subject": "subject", "categoryId": 1, "dateCase": "opened", "dateDue": "due",
          "assignedToUserId": "=0d5b1e57-9d1c-4c31-a3f4-8f2a0c9e6b11"}');
CREATE TRIGGER contract_dates_to_venio AFTER INSERT ON contract_dates FOR EACH ROW
    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_contract',
        '{"contractName": "name", "contractType": "=MA", "customerCode": "=L000308",
          "dateStart": "starts", "dateEnd": "ends", "owner": "=UAT007", "description": "ends_text"}');
INSERT INTO deal_dates VALUES ('C000349', '2026-12-31', '2026-03-01 02:30:00+00', '2026-03-02 09:00', '2026-04-01');
INSERT INTO case_dates VALUES ('pump leaks', '2026-02-05 10:35:53.693+00', '2026-02-06');
INSERT INTO contract_dates VALUES ('Maintenance', '2026-01-01', '2026-12-31 23:59:59', '2026-12-31 23:59:59');
SELECT operation, body - ARRAY['customerCodes', 'boardId', 'probability', 'dealValue', 'assignTo',
                                'caseType', 'categoryId', 'assignedToUserId', 'contractType',
                                'customerCode', 'owner'] AS dates
FROM gofive.outbox ORDER BY id;
-- delivered so: the local server's journal shows the API's formats
SELECT mock.wait_for($$(SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 3$$);
SELECT e->>'path' AS path,
       coalesce(e->'body'->>'expectedCloseDate', e->'body'->>'dateCase', e->'body'->>'dateStart') AS first_date,
       coalesce(e->'body'->>'dealDate', e->'body'->>'dateDue', e->'body'->>'dateEnd') AS second_date
FROM mock.journal() AS e WHERE e->>'path' <> '/authorization/connect/token'
ORDER BY 1;
-- an infinite date fails its statement, nothing is queued
SELECT mock.error_of($$INSERT INTO deal_dates VALUES ('C000349', 'infinity', NULL, NULL, NULL)$$);
SELECT count(*) AS queued FROM gofive.outbox;
DROP TABLE deal_dates, case_dates, contract_dates;
DROP DOMAIN due_date;
RESET TimeZone;
