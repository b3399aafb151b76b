# The batches of gofive.intake (a trigger's requests from one statement of
# 100 rows or more), on a node of its own, against the local server:
#  - committed in a database no worker serves, a batch waits in
#    gofive.intake, counted pending by gofive.queue, with its outbox ids and
#    request ids taken;
#  - a copy of that database (CREATE DATABASE ... TEMPLATE), once served,
#    moves the batch into its outbox and holds its groups' heads (they were
#    queued in the original), the rows with the original's ids and request
#    ids: nothing reaches the API;
#  - served, the original moves the batch and delivers each request once,
#    with the id and request id the batch gave it;
#  - a batch committed right before an immediate shutdown is delivered
#    after the restart, each request at least once, none lost;
#  - a load larger than one turn moves (50,000 requests) is moved in over
#    several turns, also while the API answers 503 and nothing is claimed.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $venio = start_venio();
my $node = PostgreSQL::Test::Cluster->new('intake');
$node->init;
$node->append_conf('postgresql.conf', <<"CONF" . venio_settings($venio));
shared_preload_libraries = 'gofive'
gofive.database = 'no_database_yet'
CONF
$node->start;

# every request of the batches: id and request id, as the batches say
my $batched = q{SELECT string_agg(u.id || ':' || u.request_id, ' ' ORDER BY u.id)
	FROM gofive.intake i, unnest(i.ids, i.request_ids) AS u(id, request_id)};
# the same of the outbox's rows, and their statuses
my $queued = q{SELECT string_agg(id || ':' || request_id, ' ' ORDER BY id) FROM gofive.outbox};
my $statuses = q{SELECT string_agg(status || ' ' || n, ', ' ORDER BY status)
	FROM (SELECT status, count(*) AS n FROM gofive.outbox GROUP BY status) s};

$node->safe_psql('postgres', 'CREATE DATABASE erp');
$node->safe_psql('erp', q{
	CREATE EXTENSION gofive;
	CREATE TABLE serial_imports (running_no text, product_code text);
	CREATE TRIGGER serial_imports_to_venio AFTER INSERT ON serial_imports
	    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
	    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
	        '{"runningNumber": "running_no", "productCode": "product_code"}', 'product_code');
	SET client_min_messages = error;
	INSERT INTO serial_imports
	SELECT 'MN' || i, 'PD00' || (1 + i % 3) FROM generate_series(1, 150) i;
});
is( $node->safe_psql('erp',
		q{SELECT count(*) || ' ' || sum(n) || ' ' || (SELECT count(*) FROM gofive.outbox)
		  || ' ' || (SELECT pending FROM gofive.queue) FROM gofive.intake}),
	'1 150 0 150',
	'a committed batch of 150 waits in gofive.intake while no worker serves the database, counted pending');
my $expected = $node->safe_psql('erp', $batched);
my @request_ids = map { (split /:/)[1] } split / /, $expected;
is(scalar(@request_ids), 150, 'the batch holds 150 ids and request ids');

# ---- a copy: moved, held, nothing sent
$node->safe_psql('postgres', 'CREATE DATABASE erp_copy TEMPLATE erp');
mock_post($venio, 'reset');
serve_database($node, 'erp_copy');
ok( $node->poll_query_until('erp_copy',
		q{SELECT NOT EXISTS (SELECT FROM gofive.intake)
		  AND (SELECT count(*) FROM gofive.outbox WHERE status = 'held') = 3}),
	'the copy moves the batch into its outbox and holds the head of each of its three groups');
is($node->safe_psql('erp_copy', $statuses), 'pending 147, held 3',
	'the copy\'s other rows wait behind their held heads');
is($node->safe_psql('erp_copy', $queued), $expected,
	'the copy\'s rows have the ids and request ids the batch gave them');
is(scalar(received_ids($venio)), 0, 'nothing of the copy reached the API');

# ---- the original: moved and delivered once each
serve_database($node, 'erp');
ok( $node->poll_query_until('erp',
		q{SELECT NOT EXISTS (SELECT FROM gofive.intake)
		  AND (SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded') = 150}),
	'the original moves the batch and delivers it');
is($node->safe_psql('erp', $queued), $expected,
	'the original\'s rows have the ids and request ids the batch gave them');
is($node->safe_psql('erp', $statuses), 'succeeded 150', 'every request succeeded');
each_id_seen_once('the server received each request id of the batch once, and no other',
	\@request_ids, [ received_ids($venio) ]);

# ---- a batch committed right before an immediate shutdown
mock_post($venio, 'reset');
$node->safe_psql('erp', q{
	SET client_min_messages = error;
	INSERT INTO serial_imports
	SELECT 'MN' || i, 'PD00' || (1 + i % 3) FROM generate_series(151, 270) i;
});
$node->stop('immediate');
$node->start;
ok( $node->poll_query_until('erp',
		q{SELECT NOT EXISTS (SELECT FROM gofive.intake)
		  AND NOT EXISTS (SELECT FROM gofive.outbox WHERE status NOT IN ('succeeded'))
		  AND (SELECT count(*) FROM gofive.outbox) = 270}),
	'after the crash, the batch is moved and delivered');
my @after = split /\n/, $node->safe_psql('erp',
	q{SELECT request_id FROM gofive.outbox WHERE id > (SELECT max(id) - 120 FROM gofive.outbox)});
each_id_seen('after the crash, the server received every request of the batch', \@after,
	[ received_ids($venio) ]);

# ---- a load larger than one turn moves (50,000 requests): six batches of
# 10,000, moved in over two turns, while the API answers 503 (its circuit
# open, nothing may be claimed): the worker goes on moving without a claim
mock_post($venio, 'fault', '{"mode": "status", "status": 503, "count": -1}');
$node->safe_psql('erp', q{
	SET client_min_messages = error;
	SELECT gofive_enqueue('upsert_serial', '{"runningNumber": "MN999", "productCode": "PD001"}');
});
ok( $node->poll_query_until('erp',
		q{SELECT last_error IS NOT NULL FROM gofive.outbox WHERE body->>'runningNumber' = 'MN999'}),
	'the API answers 503');
$node->safe_psql('erp', q{
	SET client_min_messages = error;
	CREATE TABLE stock_counts (running_no text, product_code text);
	CREATE TRIGGER stock_counts_to_venio AFTER INSERT ON stock_counts
	    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
	    EXECUTE FUNCTION gofive_enqueue_trigger('upsert_serial',
	        '{"runningNumber": "running_no", "productCode": "product_code"}');
	INSERT INTO stock_counts
	SELECT 'MN' || i, 'PD00' || (1 + i % 3) FROM generate_series(1001, 61000) i;
});
ok( $node->poll_query_until('erp',
		q{SELECT NOT EXISTS (SELECT FROM gofive.intake)
		  AND (SELECT count(*) FROM gofive.outbox WHERE status = 'pending') = 60001}),
	'a load of six batches is moved in over turns while nothing can be sent');

no_secrets_in_logs('secrets kept out of the server log', $node);
$node->stop;
done_testing();
