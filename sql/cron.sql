-- pg_cron runs a gofive function on schedule (README recipes).  pg_cron
-- schedules by the minute, so this waits up to 75 s.
CREATE EXTENSION pg_cron;
SELECT mock.reset();
SELECT cron.schedule('gofive-nightly-retry', '0 2 * * *', $$SELECT gofive_retry_all('dead')$$) > 0 AS scheduled;
SELECT cron.schedule('gofive-test', '* * * * *',
    $$SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN60001", "productCode": "PD001"}')$$) > 0 AS scheduled;
SELECT mock.wait_for($$EXISTS (SELECT 1 FROM cron.job_run_details d JOIN cron.job j USING (jobid)
                                WHERE j.jobname = 'gofive-test' AND d.status = 'succeeded')$$, 75) AS job_ran;
SELECT cron.unschedule('gofive-test');
SELECT mock.wait_for($$EXISTS (SELECT 1 FROM gofive.outbox WHERE body->>'runningNumber' = 'MN60001'
                                AND status = 'succeeded')$$) AS delivered;
SELECT count(*) > 0 AS reached_the_api FROM mock.journal() AS e
WHERE e->'body'->>'runningNumber' = 'MN60001';
SELECT jobname, schedule FROM cron.job ORDER BY jobname;
SELECT cron.unschedule('gofive-nightly-retry');
