# Backups keep the queue, on a node of its own: a database with requests in
# every state (pending, sending, succeeded, failed, dead) of two roles is
# dumped with pg_dump in the plain and the custom format and restored (psql;
# pg_restore) into new databases.  Every row comes back with its id,
# request_id, status and owner; a row that was 'sending' comes back
# 'pending'; the id sequence continues after the restored rows; and the
# restored database's worker delivers the pending rows, each request id
# once.  The custom restore loads its data after the new database's worker
# has started, when the worker's own recovery of 'sending' rows has run.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $venio = start_venio();
my $node = PostgreSQL::Test::Cluster->new('backup');
$node->init;
# nothing is delivered until a step says which database is served
$node->append_conf('postgresql.conf', <<"CONF" . venio_settings($venio));
shared_preload_libraries = 'gofive'
gofive.database = 'no_database_yet'
CONF
$node->start;

# The source: ids 1-10 in every state for two roles; 11 and 12 deleted, so
# the sequence (12) is ahead of the highest id, as after a purge.
$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql('source', q{
	CREATE EXTENSION gofive;
	CREATE ROLE backup_alice; CREATE ROLE backup_bob;
	GRANT gofive_user TO backup_alice, backup_bob;
	SET client_min_messages = error;
	SET ROLE backup_alice;
	SELECT gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'MN' || i, 'productCode', 'PD001'))
	  FROM generate_series(1, 5) i;
	SET ROLE backup_bob;
	SELECT gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'MN' || i, 'productCode', 'PD001'),
	                      ordering_key => 'MN' || i)
	  FROM generate_series(6, 12) i;
	RESET ROLE;
	UPDATE gofive.outbox SET status = 'sending', attempts = 1, last_attempt_at = now() WHERE id IN (2, 7);
	UPDATE gofive.outbox SET status = 'succeeded', attempts = 1, http_status = 200, business_code = 1000,
	    finished_at = now(), response = '{"ok": true}' WHERE id IN (3, 8);
	UPDATE gofive.outbox SET status = 'failed', attempts = 1, http_status = 400, finished_at = now(),
	    messages = 'rejected' WHERE id IN (4, 9);
	UPDATE gofive.outbox SET status = 'dead', attempts = 10, finished_at = now(),
	    last_error = 'timed out' WHERE id IN (5, 10);
	DELETE FROM gofive.outbox WHERE id > 10;
});
is( $node->safe_psql('source',
		q{SELECT count(DISTINCT status) || ' ' || count(DISTINCT enqueued_by) FROM gofive.outbox}),
	'5 2',
	'the source holds requests in all five states of two roles');

my $rows = q{SELECT id, request_id, STATUS, enqueued_by, account, operation, body, ordering_key,
	attempts, enqueued_at, last_attempt_at, finished_at, http_status, business_code, messages,
	response, last_error FROM gofive.outbox ORDER BY id};
# what a restore must give: every row as it was, 'sending' queued again
(my $requeued = $rows) =~
  s/STATUS/CASE status WHEN 'sending' THEN 'pending' ELSE status END/;
(my $as_is = $rows) =~ s/STATUS/status/;
my $expected = $node->safe_psql('source', $requeued);
my @expected = split /\n/, $expected;
my $pending_ids = '1, 2, 6, 7, 13';    # to be delivered from a restore

my $dumps = PostgreSQL::Test::Utils::tempdir();
my @conn = ('-h', $node->host, '-p', $node->port);
command_ok([ 'pg_dump', @conn, '-d', 'source', '-Fp', '-f', "$dumps/source.sql" ],
	'pg_dump, plain format');
command_ok([ 'pg_dump', @conn, '-d', 'source', '-Fc', '-f', "$dumps/source.dump" ],
	'pg_dump, custom format');
# once dumped, the source goes: its requests must not reach the journal
# the checks below read
$node->safe_psql('postgres', 'DROP DATABASE source');

sub check_sequence
{
	my ($db, $fmt) = @_;
	is( $node->safe_psql($db, q{
			SET client_min_messages = error; SET ROLE backup_alice;
			SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN13", "productCode": "PD001"}')}),
		'13',
		"$fmt: a new request gets the id after the restored sequence's");
}

# The restored database is a copy: the requests it brought are held, not
# sent (the original may have sent them); the one queued after the restore
# goes.  Released by gofive_admin, each is sent once, with its request id.
sub check_delivery
{
	my ($db, $fmt) = @_;
	$node->poll_query_until($db,
		"SELECT NOT EXISTS (SELECT FROM gofive.outbox WHERE status IN ('pending', 'sending'))");
	is( $node->safe_psql($db,
			"SELECT string_agg(id || ':' || status, ' ' ORDER BY id) FROM gofive.outbox WHERE id IN ($pending_ids)"),
		'1:held 2:held 6:held 7:held 13:succeeded',
		"$fmt: the restored undelivered rows are held, the request queued after the restore delivered");
	each_id_seen_once("$fmt: nothing restored reached the API before it was released",
		[ $node->safe_psql($db, 'SELECT request_id FROM gofive.outbox WHERE id = 13') ],
		[ received_ids($venio) ]);
	is($node->safe_psql($db, q{SELECT gofive_release_all('held')}), '4',
		"$fmt: gofive_admin releases the four held requests");
	$node->poll_query_until($db,
		"SELECT NOT EXISTS (SELECT FROM gofive.outbox WHERE status IN ('pending', 'sending'))");
	is( $node->safe_psql($db,
			"SELECT string_agg(id || ':' || status, ' ' ORDER BY id) FROM gofive.outbox WHERE id IN ($pending_ids)"),
		'1:succeeded 2:succeeded 6:succeeded 7:succeeded 13:succeeded',
		"$fmt: the worker delivers the released rows, those restored from sending among them");
	my @want = split /\n/, $node->safe_psql($db,
		"SELECT request_id FROM gofive.outbox WHERE id IN ($pending_ids) ORDER BY 1");
	each_id_seen_once("$fmt: the server received each of those request ids once, and no other",
		\@want, [ received_ids($venio) ]);
}

# ---- plain format, restored with psql into a database nobody serves yet:
# the rows exactly as the restore leaves them
$node->safe_psql('postgres', 'CREATE DATABASE restored_plain');
command_ok([ 'psql', @conn, '-d', 'restored_plain', '-X', '-q', '-v', 'ON_ERROR_STOP=1',
		'-f', "$dumps/source.sql" ],
	'plain: psql restores the dump without an error');
is($node->safe_psql('restored_plain', $as_is), $expected,
	'plain: every row restored with its id, request_id, status (sending queued again), owner and outcome');
check_sequence('restored_plain', 'plain');
mock_post($venio, 'reset');
serve_database($node, 'restored_plain');
check_delivery('restored_plain', 'plain');

# ---- custom format, restored with pg_restore into a database whose worker
# is running before the data arrives (as with a plain pg_restore, whose
# CREATE EXTENSION commits first)
mock_post($venio, 'reset');
serve_database($node, 'restored_custom');
$node->safe_psql('postgres', 'CREATE DATABASE restored_custom');
command_ok([ 'pg_restore', @conn, '-d', 'restored_custom', '--exit-on-error',
		'--section=pre-data', "$dumps/source.dump" ],
	'custom: pg_restore restores the schema');
ok( $node->poll_query_until('restored_custom',
		"SELECT pid IS NOT NULL AND state = 'idle' FROM gofive.worker"),
	"custom: the new database's worker runs before the data is restored");
command_ok([ 'pg_restore', @conn, '-d', 'restored_custom', '--exit-on-error',
		'--section=data', '--section=post-data', "$dumps/source.dump" ],
	'custom: pg_restore restores the data');
is( $node->safe_psql('restored_custom',
		"SELECT count(*) FROM gofive.outbox WHERE status = 'sending'"),
	'0', 'custom: no row left sending after the restore');
check_sequence('restored_custom', 'custom');
check_delivery('restored_custom', 'custom');
# finished rows exactly as they were; delivered ones with their identity
my @restored = grep { !/^13\|/ } split /\n/,
  $node->safe_psql('restored_custom', $as_is);
my $was_pending = qr/^(1|2|6|7)\|/;
is( join("\n", grep { !/$was_pending/ } @restored),
	join("\n", grep { !/$was_pending/ } @expected),
	'custom: every finished row restored with its id, request_id, status, owner and outcome');
my $identity = sub { join("\n", map { join('|', (split /\|/, $_, -1)[ 0, 1, 3 ]) } grep { /$was_pending/ } @_) };
is($identity->(@restored), $identity->(@expected),
	'custom: every delivered row restored with its id, request_id and owner');

no_secrets_in_logs('secrets kept out of the server log', $node);
$node->stop;
done_testing();
