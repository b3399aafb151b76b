# Databases still at an older version of gofive than the library (the
# library was upgraded, ALTER EXTENSION gofive UPDATE not run yet), on a
# node of its own, for 0.1 and 1.0 as released.  Each database's worker
# says once, in the log, which versions it found and what to run, and
# leaves; the launcher adds nothing misleading ("no longer installed");
# calls there fail with VNCFG naming both versions; and ALTER EXTENSION
# gofive UPDATE brings a worker back at commit, which delivers.  A real
# DROP EXTENSION is still logged as such.  (sql/upgrade.sql calls each entry
# point of the library in such a database.)
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $venio = start_venio();
my $node = PostgreSQL::Test::Cluster->new('update');
$node->init;
# no database is served until both are made, so that each one's worker is
# started exactly once before its update
$node->append_conf('postgresql.conf', <<"CONF" . venio_settings($venio));
shared_preload_libraries = 'gofive'
gofive.database = 'no_database_yet'
CONF
$node->start;

my $library = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'gofive'");
my %db = ('0.1' => 'at_0_1', '1.0' => 'at_1_0');
for my $old (sort keys %db)
{
	$node->safe_psql('postgres', "CREATE DATABASE $db{$old}");
	$node->safe_psql($db{$old}, "CREATE EXTENSION gofive VERSION '$old'");
}

sub workers_in
{
	my ($db) = @_;
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'gofive worker' AND datname = '$db'"
	);
}

my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', "ALTER SYSTEM SET gofive.database = ''");
$node->reload;

for my $old (sort keys %db)
{
	my $db = $db{$old};
	# the worker's line, with what to run
	$node->wait_for_log(
		qr/LOG:  gofive \Q$old\E is installed in database "$db", but the library is gofive \Q$library\E: nothing is delivered there\n(?:.*\n)*?.*HINT:  Run ALTER EXTENSION gofive UPDATE in that database\./,
		$log_offset);
	ok($node->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'gofive worker' AND datname = '$db'"),
		"gofive $old: the worker leaves");

	# every call says the same, with its SQLSTATE
	my ($out, $err) = ('', '');
	$node->psql($db,
		"\\set VERBOSITY verbose\n"
		  . "SELECT gofive_enqueue('upsert_serial', '{\"runningNumber\": \"MN00001\", \"productCode\": \"PD001\"}');",
		stdout => \$out,
		stderr => \$err,
		on_error_stop => 0);
	like($err,
		qr/ERROR:  VNCFG: gofive \Q$old\E is installed in this database, but the library is gofive \Q$library\E\n(?:.*\n)*?HINT:  Run ALTER EXTENSION gofive UPDATE\./,
		"gofive $old: enqueueing fails with VNCFG, both versions and the hint");
}

# the launcher has seen both workers go (it is woken by their exits, and
# by a registration, below); let it turn a few times
$node->safe_psql('postgres', 'SELECT pg_sleep(1.5)');

for my $old (sort keys %db)
{
	my $db = $db{$old};
	$node->safe_psql($db, 'ALTER EXTENSION gofive UPDATE');
	ok($node->poll_query_until($db, "SELECT state = 'idle' FROM gofive.worker"),
		"gofive $old updated: served again at commit");
	my $id = $node->safe_psql($db,
		q{SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN00002", "productCode": "PD001"}')});
	ok($node->poll_query_until($db,
			"SELECT status = 'succeeded' FROM gofive.outbox WHERE id = $id"),
		"gofive $old updated: a request queued then is delivered");
}

my $log = substr(slurp_file($node->logfile), $log_offset);
for my $old (sort keys %db)
{
	my @lines = $log =~
	  /gofive \Q$old\E is installed in database "$db{$old}", but the library is gofive/g;
	is(scalar(@lines), 1, "gofive $old: the worker's message, once");
}
unlike($log, qr/no longer installed/,
	'the launcher says nothing misleading about a database at another version');

# a database whose gofive is dropped is still logged as such
$node->safe_psql('at_1_0', 'DROP EXTENSION gofive');
$node->wait_for_log(qr/LOG:  gofive is no longer installed in database "at_1_0"/, $log_offset);
pass('DROP EXTENSION: the launcher says the database is no longer served');

$node->stop;
no_secrets_in_logs('the secrets stayed out of the log', $node);
done_testing();
