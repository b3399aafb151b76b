# Secrets in postgresql.conf and sessions that have not loaded gofive.
#
# PostgreSQL keeps a gofive.* value from the configuration file as a
# placeholder that every role can read until the library is loaded into the
# session.  Preloading (shared_preload_libraries, or
# session_preload_libraries) loads it before any query, so a plain role in
# a fresh session only ever gets "permission denied"; without it, loading
# the library warns that the value was exposed.  No API is contacted.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $secret = 'placeholder-test-secret';

my $node = PostgreSQL::Test::Cluster->new('placeholder');
$node->init;
$node->append_conf('postgresql.conf', "gofive.client_secret = '$secret'\n");
$node->start;

# stdout and stderr of one session, errors not fatal
sub session { my ($out, $err) = psql_outputs($node, @_); return "$out\n$err"; }
sub as_plain { return session($_[0], '-U', 'plain'); }

# a session's output: refused ("must be superuser"), the secret nowhere in it
sub refused_without_secret
{
	my ($out, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	return like($out, qr/\A(?!.*\Q$secret\E).*must be superuser/s, $name);
}

# not preloaded: the library loads when a session first uses it, and says so
my $out = session("CREATE ROLE plain LOGIN; CREATE EXTENSION gofive;");
like($out,
	qr/is set in the configuration file but gofive is not in shared_preload_libraries/,
	'loading gofive without preloading warns that a secret in postgresql.conf was readable'
);
$out = as_plain(
	"SELECT gofive_url_encode('x'); SELECT current_setting('gofive.client_secret')");
refused_without_secret($out,
	'once gofive is loaded in the session, a plain role cannot read the secret');

# preloaded per session: a fresh session that never used gofive is safe too
$node->append_conf('postgresql.conf', "session_preload_libraries = 'gofive'\n");
$node->restart;
$out = as_plain("SELECT current_setting('gofive.client_secret')");
refused_without_secret($out,
	'session_preload_libraries: a fresh plain session cannot read the secret');
$out = as_plain(
	"SELECT count(*) FROM pg_settings WHERE name = 'gofive.client_secret'");
is($out, "0\n",
	'session_preload_libraries: the secret is not in pg_settings for a plain role');

# shared_preload_libraries: the same
$node->append_conf('postgresql.conf', <<'CONF');
session_preload_libraries = ''
shared_preload_libraries = 'gofive'
gofive.database = 'nonexistent'
CONF
$node->restart;
$out = as_plain("SELECT current_setting('gofive.client_secret')");
refused_without_secret($out,
	'shared_preload_libraries: a fresh plain session cannot read the secret');

$node->stop;
no_secrets_in_logs('the secret stays out of the server log', $node, $secret);
done_testing();
