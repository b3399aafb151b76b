# What the worker does when it stops, when it is killed, and in a copy of
# its database, on a node of its own:
#  - a stop (SIGTERM) charges an attempt only to the requests that were on
#    the network: a hanging API and three stops leave every request that
#    never reached it with no attempt counted;
#  - a kill (SIGKILL) mid-request charges those requests the attempt they
#    were on (the in-flight file), so one that keeps killing the worker
#    ends dead after gofive.max_attempts, however many there are;
#  - a request that must not be sent twice (create_deal) and was on its way
#    when the worker was killed is in doubt, held for gofive_admin, who
#    releases it (sent again, with the same X-Request-Id) or cancels it;
#    with gofive.in_doubt = resend it is sent again at once;
#  - a database made with CREATE DATABASE ... TEMPLATE holds the requests it
#    copied (the original sends them); gofive.copied_requests = send sends
#    them from the copy too.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $venio = start_venio();
my $node = PostgreSQL::Test::Cluster->new('stops');
$node->init;
$node->append_conf('postgresql.conf', <<"CONF" . venio_settings($venio));
shared_preload_libraries = 'gofive'
gofive.max_concurrency = 4
gofive.max_attempts = 3
gofive.retry_base = '100ms'
gofive.retry_max = '1s'
gofive.timeout = '30s'
restart_after_crash = on
CONF
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION gofive');

sub sq { return $node->safe_psql('postgres', $_[0]); }

sub worker_pid
{
	$node->poll_query_until('postgres',
		"SELECT EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'gofive worker' AND datname = 'postgres')"
	);
	return sq("SELECT pid FROM pg_stat_activity WHERE backend_type = 'gofive worker' AND datname = 'postgres'");
}

sub enqueue_serials
{
	my ($n, $prefix) = @_;
	sq("SELECT count(gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', '$prefix' || i, 'productCode', 'PD001'))) FROM generate_series(1, $n) i");
}

# ---- stops charge only what was sent ----
mock_post($venio, 'reset');
mock_post($venio, 'config', '{"latency_ms": 3000}');
enqueue_serials(40, 'MN61');
for my $stop (1 .. 3)
{
	my $pid = worker_pid();
	# its 4 requests are on their way (the server takes 3 s for each)
	$node->poll_query_until('postgres',
		"SELECT in_flight = 4 FROM gofive.worker");
	sq("SELECT pg_terminate_backend($pid)");
	$node->poll_query_until('postgres',
		"SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = $pid)");
}
# the next worker has charged what was on the network at the stops
worker_pid();
my @charged = split /\n/, sq("SELECT request_id FROM gofive.outbox WHERE attempts > 0");
mock_post($venio, 'config', '{"latency_ms": 0}');
sleep 4;    # the requests in flight at the stops are answered and journaled
my @sent = received_ids($venio);
each_id_seen('stops: no request that never reached the API was charged an attempt',
	\@charged, \@sent);
cmp_ok(scalar(@charged), '<=', 12,
	'stops: at most the requests in flight at the three stops were charged');
$node->poll_query_until('postgres',
	"SELECT count(*) = 40 FROM gofive.outbox WHERE status IN ('succeeded', 'dead')");
is(sq("SELECT count(*) FROM gofive.outbox WHERE status = 'dead' AND NOT request_id::text = ANY (ARRAY['"
		  . join("','", @sent) . "'])"),
	'0', 'stops: no request died without having been sent');

# ---- kills charge what was on the network: a poison answer ends dead ----
sq('TRUNCATE gofive.outbox');
mock_post($venio, 'reset');
mock_post($venio, 'config', '{"latency_ms": 3000}');
my $id = sq("SELECT gofive_enqueue('upsert_serial', '{\"runningNumber\": \"MN62001\", \"productCode\": \"PD001\"}')");
for my $kill (1 .. 3)
{
	my $pid = worker_pid();
	$node->poll_query_until('postgres', "SELECT in_flight = 1 FROM gofive.worker");
	kill 'KILL', $pid;
	$node->poll_query_until('postgres', 'SELECT true');
}
$node->poll_query_until('postgres', "SELECT status = 'dead' FROM gofive.outbox WHERE id = $id");
is(sq("SELECT status || ' ' || attempts || ' ' || last_error FROM gofive.outbox WHERE id = $id"),
	'dead 3 the worker stopped while sending it, on each of its attempts',
	'kills: a request in flight at each of max_attempts kills ends dead');
mock_post($venio, 'config', '{"latency_ms": 0}');

# ---- a kill with many requests on their way: the in-flight file outgrows
# its first size (a new file takes its place) and still names them all ----
sq('TRUNCATE gofive.outbox');
# ids of 13 digits: 300 of them fill more than a half of the first file
sq("SELECT setval(pg_get_serial_sequence('gofive.outbox', 'id'), 1000000000000)");
$node->append_conf('postgresql.conf', 'gofive.max_concurrency = 300');
$node->reload;
mock_post($venio, 'reset');
mock_post($venio, 'config', '{"latency_ms": 5000}');
enqueue_serials(300, 'MN63');
my $many_pid = worker_pid();
$node->poll_query_until('postgres', "SELECT in_flight = 300 FROM gofive.worker");
my $in_flight_file = $node->data_dir . '/pg_stat_tmp/gofive.'
  . sq("SELECT oid FROM pg_database WHERE datname = 'postgres'") . '.inflight';
cmp_ok(-s $in_flight_file, '>', 8192, 'many in flight: the in-flight file grew');
kill 'KILL', $many_pid;
$node->poll_query_until('postgres', 'SELECT true');
worker_pid();
mock_post($venio, 'config', '{"latency_ms": 0}');
$node->poll_query_until('postgres',
	"SELECT count(*) = 300 FROM gofive.outbox WHERE status = 'succeeded'");
# the attempt each was on at the kill, and the one that delivered it
is(sq("SELECT count(*) FROM gofive.outbox WHERE attempts = 2"), '300',
	'many in flight: a kill charged each of the 300 the attempt it was on');
$node->append_conf('postgresql.conf', 'gofive.max_concurrency = 4');
$node->reload;

# ---- a create that may not be sent twice: in doubt after a kill ----
sq('TRUNCATE gofive.outbox');
mock_post($venio, 'reset');
mock_post($venio, 'config', '{"latency_ms": 3000}');
my @deals = split /\n/, sq(q{SELECT gofive_enqueue('create_deal', jsonb_build_object(
	'dealName', 'deal ' || i, 'boardId', 1, 'probability', 20, 'customerCodes', '["C000055"]'::jsonb, 'dealValue', 1000,
	'assignTo', 'U001', 'expectedCloseDate', '2026-12-31T00:00:00+0700'))
	FROM generate_series(1, 2) i});
my $pid = worker_pid();
$node->poll_query_until('postgres', "SELECT count(*) = 2 FROM gofive.outbox WHERE status = 'sending'");
kill 'KILL', $pid;
$node->poll_query_until('postgres', 'SELECT true');
mock_post($venio, 'config', '{"latency_ms": 0}');
$node->poll_query_until('postgres',
	"SELECT count(*) = 2 FROM gofive.outbox WHERE status = 'in_doubt'");
is(sq("SELECT in_doubt FROM gofive.queue WHERE operation = 'create_deal'"), '2',
	'in doubt: gofive.queue counts the creates that were on their way');
like(slurp_file($node->logfile), qr/2 requests are in doubt/,
	'in doubt: the log says so');
sleep 4;    # what the killed worker sent is answered
my $before = stats_field($venio, 'api_requests');
is(sq("SELECT gofive_release($deals[0])"), 't', 'in doubt: gofive_admin releases one');
is(sq("SELECT gofive_cancel($deals[1])"), 't', 'in doubt: and cancels the other');
$node->poll_query_until('postgres', "SELECT status = 'succeeded' FROM gofive.outbox WHERE id = $deals[0]");
is(sq("SELECT status FROM gofive.outbox WHERE id = $deals[1]"), 'cancelled',
	'in doubt: the cancelled one stays cancelled');
is(stats_field($venio, 'api_requests') - $before, 1, 'in doubt: only the released one was sent again');
cmp_ok(stats_field($venio, 'duplicate_request_ids'), '>=', 1,
	'in doubt: the released one went again with its X-Request-Id');

# gofive.in_doubt = resend: sent again at once
sq('TRUNCATE gofive.outbox');
$node->append_conf('postgresql.conf', "gofive.in_doubt = 'resend'\n");
$node->reload;
mock_post($venio, 'reset');
mock_post($venio, 'config', '{"latency_ms": 3000}');
$id = sq(q{SELECT gofive_enqueue('create_deal', jsonb_build_object(
	'dealName', 'deal', 'boardId', 1, 'probability', 20, 'customerCodes', '["C000055"]'::jsonb, 'dealValue', 1000,
	'assignTo', 'U001', 'expectedCloseDate', '2026-12-31T00:00:00+0700'))});
$pid = worker_pid();
$node->poll_query_until('postgres', "SELECT status = 'sending' FROM gofive.outbox WHERE id = $id");
kill 'KILL', $pid;
$node->poll_query_until('postgres', 'SELECT true');
mock_post($venio, 'config', '{"latency_ms": 0}');
$node->poll_query_until('postgres', "SELECT status = 'succeeded' FROM gofive.outbox WHERE id = $id");
is(sq("SELECT attempts FROM gofive.outbox WHERE id = $id"), '2',
	'in_doubt = resend: the create is sent again at once, its attempts counted');

# ---- a copy of the database holds what it copied ----
sq('CREATE DATABASE src');
$node->safe_psql('src', 'CREATE EXTENSION gofive');
mock_post($venio, 'reset');
mock_post($venio, 'fault', '{"mode": "status", "status": 503, "count": -1}');
$node->safe_psql('src',
	"SELECT count(gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'MN63' || i, 'productCode', 'PD001'))) FROM generate_series(1, 5) i"
);
sq('CREATE DATABASE copy_held TEMPLATE src');
$node->safe_psql('copy_held', q{SELECT count(*) FROM gofive.outbox});
mock_post($venio, 'fault', '{"mode": "none"}');
$node->poll_query_until('src',
	"SELECT count(*) = 5 FROM gofive.outbox WHERE status = 'succeeded'");
$node->poll_query_until('copy_held',
	"SELECT count(*) = 5 FROM gofive.outbox WHERE status = 'held'");
is($node->safe_psql('copy_held', "SELECT held FROM gofive.queue WHERE operation = 'upsert_serial'"),
	'5', 'copy: the requests copied from the original are held');
is(stats_field($venio, 'distinct_request_ids'), '5',
	'copy: each request reached the API from the original only');
like(slurp_file($node->logfile), qr/requests queued in another database or cluster are held here/,
	'copy: the log warns');
# a request queued in the copy is the copy's own: it goes
is( $node->safe_psql('copy_held', q{
		SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN63009", "productCode": "PD001"}') > 0}),
	't', 'copy: a request can be queued in the copy');
ok( $node->poll_query_until('copy_held',
		"SELECT count(*) = 1 FROM gofive.outbox WHERE status = 'succeeded'"),
	'copy: a request queued in the copy is delivered');

# gofive.copied_requests = send: the copy sends them too
$node->append_conf('postgresql.conf', "gofive.copied_requests = 'send'\n");
$node->reload;
mock_post($venio, 'reset');
$node->safe_psql('src', 'TRUNCATE gofive.outbox');
mock_post($venio, 'fault', '{"mode": "status", "status": 503, "count": -1}');
$node->safe_psql('src',
	"SELECT count(gofive_enqueue('upsert_serial', jsonb_build_object('runningNumber', 'MN64' || i, 'productCode', 'PD001'))) FROM generate_series(1, 3) i"
);
sq('CREATE DATABASE copy_sent TEMPLATE src');
mock_post($venio, 'fault', '{"mode": "none"}');
$node->poll_query_until('copy_sent',
	"SELECT count(*) = 3 FROM gofive.outbox WHERE status = 'succeeded'");
$node->poll_query_until('src',
	"SELECT count(*) = 3 FROM gofive.outbox WHERE status = 'succeeded'");
cmp_ok(stats_field($venio, 'duplicate_request_ids'), '>=', 3,
	'copied_requests = send: the copy sent them as well, with the same request ids');

no_secrets_in_logs('the secrets stay out of the server log', $node);
$node->stop;
done_testing();
