# Seeded fuzz of the API's answers, on both paths (and the foreign tables,
# whose scans share the synchronous path's calls).  The local server answers
# every API request with case n of a fixed seed (a fault rule of mode "fuzz":
# a valid envelope mutated by a seeded PRNG, see test/server/README.md);
# first $sync_calls synchronous calls in one session, $latin1_calls more in
# a LATIN1 database (answers converted to the server encoding), $token_calls
# with only the token endpoint's answers fuzzed, then $rows queued rows
# through the worker.  Checked:
#   - every synchronous call returns or raises a documented class
#     (VNVAL VNCFG VNAUT VNREJ VNSRV VNNET; for a foreign table also class
#     22, a record field its column's type refuses), and the session
#     survives;
#   - every phase received fuzz answers (at least one per call);
#   - the worker stays the same process; no process of the cluster exits
#     (no "terminated by signal" / "exited with exit code" / PANIC in the
#     part of the log written during the run);
#   - every row reaches succeeded, failed or dead;
#   - no row reaches the server more than gofive.max_attempts times (the
#     journal's count per X-Request-Id), and every row reaches it (a row
#     never sent but answered is one that read another row's answer: see
#     gofive_http_multi in src/client/http.c);
#   - no text that is not valid UTF-8 comes back or is stored;
#   - each row a foreign table returns satisfies the query's WHERE with its
#     own record's fields (the row-level check: no filter value is made up);
#   - no bad bearer token or injected header line reaches the API;
#   - the secrets stay out of the node's log.
# Which case a request gets depends on arrival order (the worker sends in
# parallel), so the mutations are the same from run to run, but not always
# paired with the same row; a journal entry names its case ("fuzz").
#
# Other seeds and sizes: FUZZ_SEED, FUZZ_SYNC_CALLS, FUZZ_LATIN1_CALLS,
# FUZZ_TOKEN_CALLS, FUZZ_ROWS in the environment.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use GofiveTest;

my $seed = $ENV{FUZZ_SEED} // 20261128;
my $sync_calls = $ENV{FUZZ_SYNC_CALLS} // 1500;
my $rows = $ENV{FUZZ_ROWS} // 2000;
my $latin1_calls = $ENV{FUZZ_LATIN1_CALLS} // 300;
my $token_calls = $ENV{FUZZ_TOKEN_CALLS} // 300;
my $max_attempts = 4;
my $limit = 65536;    # gofive.max_response_size, and the rule's limit
my $classes = "'VNVAL', 'VNCFG', 'VNAUT', 'VNREJ', 'VNSRV', 'VNNET'";
my $t0 = time;

my $venio = start_venio();
my $node = PostgreSQL::Test::Cluster->new('fuzz');
$node->init;
$node->append_conf(
	'postgresql.conf', "shared_preload_libraries = 'gofive'
gofive.database = 'postgres'
gofive.max_concurrency = 8
gofive.max_attempts = $max_attempts
gofive.retry_base = '20ms'
gofive.retry_max = '300ms'
gofive.max_response_size = '" . ($limit / 1024) . "kB'
gofive.timeout = '5s'
gofive.connect_timeout = '2s'
" . venio_settings($venio));
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION gofive');
$node->poll_query_until('postgres',
	"SELECT (SELECT state FROM gofive.worker) = 'idle'")
  or BAIL_OUT('the worker did not start');
my $worker_pid = $node->safe_psql('postgres', 'SELECT pid FROM gofive.worker');
my $log_from = -s $node->logfile;    # what is logged from here on is read

# helpers: text that is valid in the server encoding; the calls' outcomes
sub helpers
{
	my ($db) = @_;
	$node->safe_psql(
		$db, q{
CREATE SCHEMA fuzz;
CREATE FUNCTION fuzz.valid(t text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    PERFORM convert_from(convert_to(t, 'UTF8'), 'UTF8');
    RETURN true;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END $$;
CREATE TABLE fuzz.sync (i int, fn text, sqlstate text, message text, result jsonb);
CREATE TABLE fuzz.journal_lines (line text);
DO $$ BEGIN
    EXECUTE format('CREATE SERVER fuzz_account FOREIGN DATA WRAPPER gofive OPTIONS (base_url %L)',
                   current_setting('gofive.base_url'));
END $$;
});
	$node->safe_psql(
		$db, qq{
SET log_statement = 'none';  -- the cluster logs every statement: not this one's secrets
CREATE USER MAPPING FOR PUBLIC SERVER fuzz_account OPTIONS (client_id '$GofiveTest::CLIENT_ID',
    client_secret '$GofiveTest::CLIENT_SECRET', subscription_key '$GofiveTest::SUBSCRIPTION_KEY');
IMPORT FOREIGN SCHEMA venio LIMIT TO (products, product_units) FROM SERVER fuzz_account INTO fuzz;
});
	return;
}
helpers('postgres');

sub fuzz_rule
{
	my ($start, $path) = @_;
	return
	  qq({"mode": "fuzz", "seed": $seed, "limit": $limit, "start": $start)
	  . ($path ? qq(, "path": "$path") : '') . '}';
}

# the number of journal entries of fuzz answers
sub fuzz_answers
{
	my $n = () = mock_get($venio, 'journal') =~ /"fuzz":\{/g;
	return $n;
}

# the server's journal, one JSON entry a row, into fuzz.journal_lines
sub load_journal
{
	$node->safe_psql(
		'postgres', "TRUNCATE fuzz.journal_lines;
COPY fuzz.journal_lines FROM PROGRAM 'curl -sS --fail $venio->{base}/_mock/journal'
WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')");
	return;
}

# ---- the synchronous path: one session, one call after another ----
# sync_phase(DB, CALLS, FIRST_CASE, [PATH]): the calls, and the checks of
# what they gave; with PATH, only requests to it get fuzz answers
my @summary;

sub sync_phase
{
	my ($db, $n, $first, $path) = @_;
	mock_post($venio, 'reset');
	mock_post($venio, 'fault', fuzz_rule($first, $path));
	$node->safe_psql($db, 'TRUNCATE fuzz.sync');
	# the token is shared and cached: revoke it, so that the first call
	# renews it (from then on each call fetches a fuzzed one)
	mock_post($venio, 'expire_tokens') if $path;
	my $ts = time;
	my ($out, $err) = ('', '');
	my $rc = $node->psql(
		$db, qq{
DO \$\$
DECLARE
    r jsonb;
    fn text;
BEGIN
    FOR i IN 1 .. $n LOOP
        fn := (ARRAY['get_product', 'list_product_units', 'request', 'update_product_stock',
                     'upsert_serial', 'enquire_products', 'table_scan', 'table_key'])[1 + i % 8];
        BEGIN
            CASE fn
                WHEN 'get_product' THEN r := gofive_get_product('PD001');
                WHEN 'list_product_units' THEN SELECT jsonb_agg(u) INTO r FROM gofive_list_product_units() u;
                WHEN 'request' THEN SELECT to_jsonb(q) INTO r FROM gofive_request('GET', '/v2/products/PD001') q;
                WHEN 'update_product_stock' THEN
                    r := gofive_update_product_stock('[{"productCode": "PD001", "qty": 1}]');
                WHEN 'upsert_serial' THEN r := gofive_upsert_serial('MN1', 'PD001', NULL, true);
                WHEN 'table_scan' THEN
                    SELECT jsonb_agg(to_jsonb(p)) INTO r
                    FROM (SELECT * FROM fuzz.products WHERE product_type = 1301 LIMIT 3) p;
                WHEN 'table_key' THEN
                    SELECT jsonb_agg(to_jsonb(p)) INTO r FROM fuzz.products p WHERE product_code = 'PD001';
                ELSE SELECT jsonb_agg(p) INTO r FROM gofive_enquire_products('{"productType": 1301, "status": [1], "take": 2}') p;
            END CASE;
            INSERT INTO fuzz.sync VALUES (i, fn, NULL, NULL, r);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO fuzz.sync VALUES (i, fn, SQLSTATE, SQLERRM, NULL);
        END;
    END LOOP;
END \$\$;
},
		stdout => \$out,
		stderr => \$err,
		on_error_stop => 1);
	my $secs = sprintf('%.1f', time - $ts);
	my $answers = fuzz_answers();
	my $label = "synchronous, database $db" . ($path ? ", answers of $path" : '');
	is($rc, 0, "fuzz (seed $seed), $label: the session survived $n calls")
	  or diag($err);
	note($node->safe_psql(
			$db,
			"SELECT fn || ': ' || string_agg(coalesce(sqlstate, 'ok') || ' ' || n, ', ' ORDER BY sqlstate NULLS FIRST)
			 FROM (SELECT fn, sqlstate, count(*) n FROM fuzz.sync GROUP BY 1, 2) s GROUP BY fn ORDER BY fn"));
	my $others = "sqlstate NOT IN ($classes) AND NOT (fn LIKE 'table_%' AND sqlstate LIKE '22%')";
	my $foreign = $node->safe_psql($db,
		"SELECT count(*) FROM fuzz.sync WHERE $others");
	my $calls = $node->safe_psql($db, 'SELECT count(*) FROM fuzz.sync');
	is_deeply(
		{ others => $foreign, calls => $calls, fuzz_answers => at_least($answers, $n) },
		{ others => 0, calls => $n, fuzz_answers => "at least $n" },
		"fuzz, $label: each of $calls calls returned or raised a documented class ($foreign others; $answers fuzz answers)"
	  )
	  or diag($node->safe_psql(
			$db,
			"SELECT 'call ' || i || ' ' || fn || ': ' || sqlstate || ' ' || left(message, 200)
			 FROM fuzz.sync WHERE $others ORDER BY i LIMIT 10"));
	my $bad_text = $node->safe_psql($db,
		'SELECT count(*) FROM fuzz.sync WHERE NOT (fuzz.valid(message) AND fuzz.valid(result::text))');
	is($bad_text, 0, "fuzz, $label: no invalid text returned ($bad_text)");
	# each row of a foreign table is a record of the answer that satisfies
	# the query's WHERE by its own fields, whatever the answer was
	my ($table_rows, $bad_rows) = split /\|/, $node->safe_psql(
		$db, q{
SELECT count(*), count(*) FILTER (WHERE NOT coalesce(CASE fn
         WHEN 'table_scan' THEN r->>'product_type' = '1301' AND r->'data'->>'productType' = '1301'
         ELSE r->>'product_code' = 'PD001' AND r->'data'->>'productCode' = 'PD001' END, false))
FROM fuzz.sync, jsonb_array_elements(result) AS r
WHERE fn LIKE 'table_%' AND result IS NOT NULL});
	is($bad_rows, 0,
		"fuzz, $label: every row of a foreign table satisfies its WHERE with its record's own fields ($bad_rows bad of $table_rows)"
	);
	push @summary,
	  "$answers answers to $n synchronous calls in ${secs}s ($db"
	  . ($path ? ", $path" : '') . ')';
	return;
}

sync_phase('postgres', $sync_calls, 0);
# a database whose encoding cannot hold every answer: converted, or refused (VNSRV)
$node->safe_psql('postgres',
	"CREATE DATABASE fuzz_latin1 TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
$node->safe_psql('fuzz_latin1', 'CREATE EXTENSION gofive');
helpers('fuzz_latin1');
sync_phase('fuzz_latin1', $latin1_calls, 500000);
# the token endpoint's answers (mostly token answers with a bad access_token
# or expires_in): a bad token is refused, never sent in a header
sync_phase('postgres', $token_calls, 700000, '/authorization/connect/token');
load_journal();
my $bad_headers = $node->safe_psql(
	'postgres', q{SELECT count(*) FROM (SELECT line::jsonb e FROM fuzz.journal_lines) j
WHERE e->'headers' ? 'x-injected'
   OR NOT coalesce(e->'headers'->>'authorization' ~ '^Bearer [A-Za-z0-9._~+/-]+=*$', true)});
my $api_requests = $node->safe_psql(
	'postgres', q{SELECT count(*) FROM (SELECT line::jsonb e FROM fuzz.journal_lines) j
WHERE e->>'path' <> '/authorization/connect/token'});
is_deeply(
	{ bad_headers => $bad_headers, api_requests => at_least($api_requests, 1) },
	{ bad_headers => 0, api_requests => 'at least 1' },
	"fuzz, token answers: no API request carried a bad bearer token or an injected header ($bad_headers of $api_requests)"
);

# ---- the worker: rows of three kinds, some with ordering keys ----
mock_post($venio, 'reset');
mock_post($venio, 'fault', fuzz_rule(1000000));
my $tw = time;
my $third = int($rows / 3);
my $rest = $rows - 2 * $third;
$node->safe_psql(
	'postgres', qq{BEGIN;
SELECT count(gofive_enqueue('upsert_serial',
                            jsonb_build_object('runningNumber', 'MN' || i, 'productCode', 'PD001'),
                            ordering_key => CASE WHEN i % 10 = 0 THEN 'key' || i % 7 END))
FROM generate_series(1, $third) i;
SELECT count(gofive_enqueue('update_product_stock', '[{"productCode": "PD001", "qty": 1}]'))
FROM generate_series(1, $third) i;
SELECT count(gofive_enqueue_request('GET', '/v1/products/units'))
FROM generate_series(1, $rest) i;
COMMIT;});
my $final = $node->poll_query_until('postgres',
	"SELECT NOT EXISTS (SELECT 1 FROM gofive.outbox WHERE status NOT IN ('succeeded', 'failed', 'dead'))"
);
my $worker_secs = sprintf('%.1f', time - $tw);
note('worker: '
	  . $node->safe_psql(
		'postgres',
		"SELECT string_agg(status || ' ' || n, ', ' ORDER BY status)
		 FROM (SELECT status::text, count(*) n FROM gofive.outbox GROUP BY 1) s"));
ok($final,
	"fuzz, worker: every one of $rows rows reached succeeded, failed or dead (${worker_secs}s)"
  )
  or diag($node->safe_psql(
		'postgres',
		"SELECT 'not final: ' || id || ' ' || status || ' attempts ' || attempts || ' next ' || next_attempt_at
		        || ' ' || coalesce(last_error, '') FROM gofive.outbox
		 WHERE status NOT IN ('succeeded', 'failed', 'dead') ORDER BY id LIMIT 10"));

load_journal();
my ($worker_answers, $max_sent, $unsent) = split /\|/, $node->safe_psql(
	'postgres', q{
WITH j AS (SELECT line::jsonb e FROM fuzz.journal_lines),
     sent AS (SELECT o.id, count(j.e) n FROM gofive.outbox o
              LEFT JOIN j ON j.e->'headers'->>'x-request-id' = o.request_id::text GROUP BY o.id)
SELECT (SELECT count(*) FROM j WHERE e ? 'fuzz'), coalesce(max(n), 99), count(*) FILTER (WHERE n = 0) FROM sent});
is_deeply(
	{
		most_sends => at_most($max_sent, $max_attempts),
		never_sent => $unsent,
		fuzz_answers => at_least($worker_answers, $rows)
	},
	{
		most_sends => "at most $max_attempts",
		never_sent => 0,
		fuzz_answers => "at least $rows"
	},
	"fuzz, worker: every row reached the server, none more than gofive.max_attempts ($max_attempts) times (at most $max_sent; $unsent never; $worker_answers fuzz answers)"
  )
  or diag($node->safe_psql(
		'postgres', qq{
WITH j AS (SELECT line::jsonb e FROM fuzz.journal_lines)
SELECT 'row ' || o.id || ' sent ' || count(*) || ' times: '
       || string_agg((j.e->>'status') || ' ' || (j.e->'fuzz'->>'kind'), ', ' ORDER BY (j.e->>'seq')::int)
FROM gofive.outbox o JOIN j ON j.e->'headers'->>'x-request-id' = o.request_id::text
GROUP BY o.id HAVING count(*) > $max_attempts ORDER BY o.id LIMIT 5}
		  )
		  . "\n"
		  . $node->safe_psql(
			'postgres', q{
WITH j AS (SELECT line::jsonb e FROM fuzz.journal_lines)
SELECT 'row ' || o.id || ' never reached the server: ' || o.status || ', ' || o.attempts
       || ' attempts, request id ' || o.request_id || ', history ' || o.history::text
FROM gofive.outbox o
WHERE NOT EXISTS (SELECT FROM j WHERE j.e->'headers'->>'x-request-id' = o.request_id::text)
ORDER BY o.id LIMIT 5}));

my $bad_text = $node->safe_psql('postgres',
	'SELECT count(*) FROM gofive.outbox
	 WHERE NOT (fuzz.valid(messages) AND fuzz.valid(last_error) AND fuzz.valid(response::text))');
is($bad_text, 0, "fuzz, worker: no invalid text stored ($bad_text)");

my $now_pid = $node->safe_psql('postgres', 'SELECT pid FROM gofive.worker');
my @run_log = split /\n/, slurp_file($node->logfile, $log_from);
my @exits = grep {
	/terminated by signal|exited with exit code|was terminated|PANIC|TRAP:/
} @run_log;
is_deeply(
	{ worker_pid => $now_pid, exits_logged => scalar(@exits) },
	{ worker_pid => $worker_pid, exits_logged => 0 },
	"fuzz: no process exited (the worker is still pid $worker_pid: $now_pid; "
	  . scalar(@exits)
	  . ' exits in the log)')
  or diag(join("\n", @exits[ 0 .. ($#exits < 4 ? $#exits : 4) ]));
my @caught = grep { /LOG:  request [0-9]+: / } @run_log;
is(scalar(@caught), 0,
	'fuzz, worker: reading an answer never raised (' . scalar(@caught) . ' times)')
  or diag(join("\n", @caught[ 0 .. ($#caught < 4 ? $#caught : 4) ]));
note('fuzz: ' . join(', ', @summary)
	  . ", $worker_answers answers to $rows rows in ${worker_secs}s; "
	  . sprintf('%.0f', time - $t0)
	  . 's in all');

$node->stop;
no_secrets_in_logs('secrets kept out of the fuzz node\'s log', $node);
done_testing();
