# The outbox gives its space back after a purge, on a node of its own,
# against the local server:
#  - after gofive_purge() of every delivered row, the worker truncates the
#    emptied table and its indexes (VACUUM never shrinks an index), without
#    VACUUM FULL;
#  - it takes the table's lock only if it is free at once: while a session
#    holds the outbox (autovacuum after a large purge does, for a while),
#    nobody waits on the worker, and the table stays as it is;
#  - once the table is free, a compaction that had to wait is tried again
#    and done, without another purge.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $venio = start_venio();
my $node = PostgreSQL::Test::Cluster->new('compaction');
$node->init;
$node->append_conf('postgresql.conf', <<"CONF" . venio_settings($venio));
shared_preload_libraries = 'gofive'
autovacuum = off
CONF
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION gofive');

sub sq { return $node->safe_psql('postgres', $_[0]); }

my $size = q{SELECT pg_total_relation_size('gofive.outbox')};
my $empty = sq($size);
my $compact_min = 8 * 1024 * 1024;    # worker_db.c's COMPACT_MIN_BYTES

# ---- enough delivered rows to be worth compacting
my $rows = 15000;
sq("SELECT count(gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'MN' || i, 'productCode', 'PD001'))) FROM generate_series(1, $rows) i");
ok( $node->poll_query_until('postgres',
		"SELECT count(*) = $rows FROM gofive.outbox WHERE status = 'succeeded'"),
	"the $rows requests are delivered");
my $full = sq($size);
cmp_ok($full, '>', $compact_min,
	'the delivered rows make the outbox larger than what is worth compacting');

$node->safe_psql('postgres', 'ALTER SYSTEM SET gofive.retention = 0');
$node->reload;

# ---- a session holds the table: the purge's compaction has to wait
my ($lock_in, $lock_out, $lock_err) = ('', '', '');
my $locker = IPC::Run::start(
	[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres') ],
	'<', \$lock_in, '>', \$lock_out, '2>', \$lock_err,
	IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
$lock_in .= "BEGIN;\nLOCK TABLE gofive.outbox IN ACCESS SHARE MODE;\nSELECT 'locked';\n";
$locker->pump until $lock_out =~ /locked/;

my $log_offset = -s $node->logfile;
is(sq('SELECT gofive_purge()'), $rows, 'gofive_purge() deletes every delivered row');
# the worker is asked at the purge's commit; give it several tries
sleep 8;
is(sq($size), $full, 'while a session holds the outbox, the worker leaves it as it is');
ok(!$node->log_contains('gofive.outbox compacted', $log_offset),
	'and logs no compaction');
is( sq(q{SELECT count(*) FROM pg_stat_activity
	  WHERE wait_event_type = 'Lock' AND query NOT LIKE '%pg_stat_activity%'}),
	'0', 'nobody waits on a lock meanwhile (the worker takes it only if free at once)');

# ---- the table free again: compacted with no other purge
$lock_in .= "COMMIT;\n\\q\n";
$locker->finish;
ok( $node->poll_query_until('postgres', "SELECT ($size) <= 2 * $empty"),
	'once the session lets go, the worker compacts the outbox without another purge');
my $now = sq($size);
cmp_ok($now, '<=', 2 * $empty, "within twice its empty size ($now bytes, empty $empty)");
ok($node->log_contains("gofive.outbox compacted from \\d+ bytes, 0 rows kept", $log_offset),
	'the worker logs the compaction');

# ---- still usable: a new request is delivered (and kept: retention again)
$node->safe_psql('postgres', 'ALTER SYSTEM RESET gofive.retention');
$node->reload;
my $after = 'MN' . ($rows + 1);
sq(qq{SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "$after", "productCode": "PD001"}')});
ok( $node->poll_query_until('postgres',
		qq{SELECT status = 'succeeded' FROM gofive.outbox WHERE body->>'runningNumber' = '$after'}),
	'a request queued after the compaction is delivered');

$node->stop;
done_testing();
