# Crash safety of the outbox, on a node of its own: the worker is killed
# with SIGKILL, and the server is stopped in immediate mode, in the middle
# of draining thousands of requests; after the restart every committed
# request is delivered, and the requests sent twice are at most those in
# flight at the fault and those answered but not yet recorded
# (duplicate_bound in GofiveTest.pm).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $rows = $ENV{CRASH_ROWS} // 5000;
my $concurrency = 16;
my $bound = duplicate_bound($concurrency);
my $venio = start_venio();

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf('postgresql.conf', <<"CONF" . venio_settings($venio));
shared_preload_libraries = 'gofive'
gofive.database = 'postgres'
gofive.max_concurrency = $concurrency
gofive.retry_base = '100ms'
restart_after_crash = on
CONF
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION gofive');

sub succeeded
{
	return $node->safe_psql('postgres',
		"SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded'");
}

sub scenario
{
	my ($name, $fault) = @_;
	mock_post($venio, 'reset');
	mock_post($venio, 'config', '{"latency_ms": 2}');
	$node->safe_psql('postgres', 'TRUNCATE gofive.outbox');
	$node->safe_psql('postgres',
		"SELECT count(gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'MN' || i, 'productCode', 'PD001'))) FROM generate_series(1, $rows) i"
	);
	$node->poll_query_until('postgres',
		"SELECT count(*) >= $rows / 5 FROM gofive.outbox WHERE status = 'succeeded'"
	);
	my $done_before = succeeded();

	if ($fault eq 'sigkill')
	{
		my @pids = split /\n/,
		  $node->safe_psql('postgres',
			"SELECT pid FROM pg_stat_activity WHERE backend_type = 'gofive worker'"
		  );
		kill 'KILL', @pids;
		sleep 1;
		# the postmaster resets all backends and recovers; wait for it
		$node->poll_query_until('postgres', 'SELECT true');
	}
	else
	{
		$node->stop('immediate');
		$node->start;
	}

	$node->poll_query_until('postgres',
		"SELECT count(*) = $rows FROM gofive.outbox WHERE status = 'succeeded'"
	);
	my $delivered = succeeded();
	my $all = $node->safe_psql('postgres', 'SELECT count(*) FROM gofive.outbox');
	my @queued = split /\n/,
	  $node->safe_psql('postgres', 'SELECT request_id FROM gofive.outbox');
	my @seen = received_ids($venio);
	my $distinct = stats_field($venio, 'distinct_request_ids') // -1;
	my $dups = stats_field($venio, 'duplicate_request_ids') // 999;
	note "$name: $done_before of $rows delivered at the fault; after restart "
	  . "$delivered of $all succeeded; server saw $distinct distinct request ids, "
	  . "$dups duplicates (at most $bound)";
	all_succeeded("$name mid-drain: every committed request delivered after restart",
		$rows, sub { $node->safe_psql('postgres', $_[0]) });
	is($all, $rows, "$name mid-drain: no row lost or added");
	ids_seen_exactly("$name mid-drain: the server received each of the $rows request ids",
		\@queued, \@seen);
	duplicates_within(
		"$name mid-drain: duplicates at most those in flight or unrecorded at the fault",
		$dups, $bound, \@seen);
}

scenario('worker SIGKILL', 'sigkill');
scenario('immediate shutdown', 'immediate');

no_secrets_in_logs('crashes keep the secrets out of the server log', $node);

$node->stop;
done_testing();
