# Tokens in sessions without shared_preload_libraries: no shared memory, so
# each session keeps its own token (token_cache.c's per-process cache),
# reuses it for its calls, and renews it after a 401.  On a node that loads
# gofive with session_preload_libraries only.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $call =
  "SELECT gofive_upsert_serial('MN00001','PD001','IXX0010',true) IS NOT NULL";
my $venio = start_venio();

my $node = PostgreSQL::Test::Cluster->new('session_tokens');
$node->init;
$node->append_conf('postgresql.conf',
	"session_preload_libraries = 'gofive'\n" . venio_settings($venio));
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION gofive');

sub session
{
	my ($out, $err) = psql_outputs($node, @_);
	return $err eq '' ? $out : "$out\n$err";
}

mock_post($venio, 'reset');
my $out = session("$call;\n$call;\n$call;\n");
is_deeply(
	{ output => $out, token_requests => stats_field($venio, 'token_requests') },
	{ output => "t\nt\nt", token_requests => 1 },
	'without shared_preload_libraries: three calls in one session fetch one token');
$out = session("$call;\n");
is_deeply(
	{ output => $out, token_requests => stats_field($venio, 'token_requests') },
	{ output => 't', token_requests => 2 },
	'without shared_preload_libraries: another session fetches a token of its own');

mock_post($venio, 'reset');
$out = session("$call;\n"
	  . "\\! curl -sS --fail -X POST $venio->{base}/_mock/expire_tokens >/dev/null\n"
	  . "$call;\n");
my $refused = () = mock_get($venio, 'journal') =~ /"status":401/g;
is_deeply(
	{
		output => $out,
		token_requests => stats_field($venio, 'token_requests'),
		refused_401 => $refused
	},
	{ output => "t\nt", token_requests => 2, refused_401 => 1 },
	'without shared_preload_libraries: a 401 renews the session\'s token once');

$node->stop;
no_secrets_in_logs('session tokens keep the secrets out of the server log', $node);
done_testing();
