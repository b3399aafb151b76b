# Standby and failover, on a primary and a streaming standby of their own:
# on the hot standby nothing is sent and nothing can be queued; when the
# primary stops (immediate mode) in the middle of draining thousands of
# requests and the standby is promoted, the new primary delivers every
# request committed on the old one, and the requests sent twice are at most
# those in flight or answered but unrecorded (duplicate_bound, GofiveTest.pm).  Replication is synchronous, so
# the outcomes the old primary recorded are on the standby (README,
# "Databases, workers and standbys").
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $rows = $ENV{FAILOVER_ROWS} // 5000;
my $concurrency = 16;
my $bound = duplicate_bound($concurrency);
my $venio = start_venio();

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', <<"CONF" . venio_settings($venio));
shared_preload_libraries = 'gofive'
gofive.max_concurrency = $concurrency
gofive.retry_base = '100ms'
CONF
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION gofive');

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;
# synchronous from now on (not before: CREATE EXTENSION would wait for it)
$primary->safe_psql('postgres',
	"ALTER SYSTEM SET synchronous_standby_names = '*'");
$primary->reload;
$primary->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_stat_replication WHERE sync_state = 'sync'");
$standby->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_extension WHERE extname = 'gofive'");

# stdout and stderr of one statement, errors not fatal
sub attempt
{
	my ($node, $sql) = @_;
	my ($out, $err) = ('', '');
	$node->psql('postgres', $sql, stdout => \$out, stderr => \$err);
	return "$out\n$err";
}

# ---- on the hot standby: nothing is queued, nothing is sent ----
mock_post($venio, 'reset');
like(
	attempt($standby,
		q{SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN1", "productCode": "PD001"}')}
	),
	qr/cannot queue a request on a standby/,
	'standby: enqueueing is refused with a clear error');
like(
	attempt($standby,
		"SELECT gofive_upsert_serial('MN1', 'PD001', NULL, true)"),
	qr/cannot call the API from a standby/,
	'standby: calling the API is refused with a clear error');
my $state = $standby->safe_psql('postgres', 'SELECT state FROM gofive.worker');
like($state, qr/standby/, "standby: gofive.worker says why nothing is sent ($state)");
is( $standby->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type LIKE 'gofive%'"),
	'0',
	'standby: no launcher and no worker run');
is(stats_field($venio, 'api_requests'), '0', 'standby: the API received nothing');

# ---- failover while draining ----
mock_post($venio, 'reset');
mock_post($venio, 'config', '{"latency_ms": 2}');
$primary->safe_psql('postgres',
	"SELECT count(gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'MN' || i, 'productCode', 'PD001'))) FROM generate_series(1, $rows) i"
);
$primary->poll_query_until('postgres',
	"SELECT count(*) >= $rows / 5 FROM gofive.outbox WHERE status = 'succeeded'");
my $done_before = $primary->safe_psql('postgres',
	"SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded'");
$primary->stop('immediate');
$standby->promote;
$standby->poll_query_until('postgres',
	"SELECT count(*) = $rows FROM gofive.outbox WHERE status = 'succeeded'");
my $delivered = $standby->safe_psql('postgres',
	"SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded'");
my $all = $standby->safe_psql('postgres', 'SELECT count(*) FROM gofive.outbox');
my @queued = split /\n/,
  $standby->safe_psql('postgres', 'SELECT request_id FROM gofive.outbox');
my @seen = received_ids($venio);
my $distinct = stats_field($venio, 'distinct_request_ids') // -1;
my $dups = stats_field($venio, 'duplicate_request_ids') // 999;
mock_post($venio, 'config', '{"latency_ms": 0}');
note "failover: $done_before of $rows delivered when the primary stopped; the "
  . "promoted standby has $delivered of $all succeeded; the server saw "
  . "$distinct distinct request ids, $dups duplicates (at most $bound)";
all_succeeded(
	'failover: the promoted standby delivered every request committed on the old primary',
	$rows, sub { $standby->safe_psql('postgres', $_[0]) });
is($all, $rows, 'failover: no row lost or added');
ids_seen_exactly("failover: the server received each of the $rows request ids",
	\@queued, \@seen);
duplicates_within(
	'failover: duplicates at most those in flight or unrecorded when the primary stopped',
	$dups, $bound, \@seen);

$standby->stop;
no_secrets_in_logs('failover: the secrets stay out of both servers\' logs',
	[ $primary, $standby ]);
done_testing();
