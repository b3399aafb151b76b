# TLS certificate verification, on a node of its own and a local Venio
# server that serves HTTPS.
#
# A throw-away test CA signs the server's certificate (for 127.0.0.1 only);
# a second, unrelated CA signs nothing.  By default (gofive.ssl_verify on,
# the system's CAs) a call fails with SQLSTATE VNNET and nothing reaches
# the API; gofive.ca_file naming the test CA lets it through, the unrelated
# CA (or a missing file) does not; gofive.ssl_verify = off lets it through
# too; a host name the certificate does not name fails even with the right
# CA; turning verification back on in the same session is honoured although
# libcurl keeps the connection; and a plain role may change neither setting.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use GofiveTest;

my $call = "SELECT gofive_upsert_serial('MN00001','PD001','IXX0010',true)";

# ---- throw-away CAs and the server certificate (for 127.0.0.1 only)
my $certs = PostgreSQL::Test::Utils::tempdir();
sub ossl
{
	# run_command does not die when openssl fails: the files are checked
	# below
	run_command([ 'openssl', @_ ]);
	return;
}
my @ca_ext = ('-addext', 'basicConstraints=critical,CA:TRUE',
	'-addext', 'keyUsage=critical,keyCertSign,cRLSign');
ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
	'-keyout', "$certs/ca.key", '-out', "$certs/ca.pem",
	'-subj', '/CN=gofive test CA', @ca_ext);
ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
	'-keyout', "$certs/other-ca.key", '-out', "$certs/other-ca.pem",
	'-subj', '/CN=gofive unrelated CA', @ca_ext);
ossl('req', '-new', '-newkey', 'rsa:2048', '-nodes',
	'-keyout', "$certs/server.key", '-out', "$certs/server.csr",
	'-subj', '/CN=127.0.0.1');
append_to_file("$certs/server.ext", join("\n",
	'basicConstraints = CA:FALSE',
	'keyUsage = critical, digitalSignature, keyEncipherment',
	'extendedKeyUsage = serverAuth',
	'subjectAltName = IP:127.0.0.1', ''));
ossl('x509', '-req', '-in', "$certs/server.csr", '-CA', "$certs/ca.pem",
	'-CAkey', "$certs/ca.key", '-CAcreateserial', '-days', '2',
	'-extfile', "$certs/server.ext", '-out', "$certs/server.pem");
for my $f (qw(ca.pem other-ca.pem server.pem server.key))
{
	die "openssl did not make $f" unless -s "$certs/$f";
}
unlink map { "$certs/$_" } qw(ca.key other-ca.key server.csr server.ext ca.srl);
chmod 0700, $certs;
chmod 0600, glob("$certs/*");

# ---- the HTTPS server
my $venio = start_venio(
	tls_cert => "$certs/server.pem",
	tls_key => "$certs/server.key",
	cacert => "$certs/ca.pem");
my $journal = sub { return mock_get($venio, 'journal'); };
my $reset = sub { mock_post($venio, 'reset'); };

like(mock_get($venio, 'stats'), qr/"requests":0/,
	'venio_server --tls-cert/--tls-key serves HTTPS that verifies against the test CA');
like(
	mock_get({ %$venio, cacert => "$certs/other-ca.pem" }, 'stats'),
	qr/SSL certificate problem/,
	"curl refuses the HTTPS server's certificate against the unrelated CA");

# ---- the node
my $node = PostgreSQL::Test::Cluster->new('tls');
$node->init;
$node->append_conf('postgresql.conf', <<"CONF" . venio_settings($venio));
shared_preload_libraries = 'gofive'
gofive.database = 'nonexistent'
CONF
$node->start;

# try(sql): 'ok' or 'SQLSTATE: message', for deterministic output
$node->safe_psql('postgres', <<'SQL');
CREATE EXTENSION gofive;
CREATE ROLE plain LOGIN;
GRANT gofive_user TO plain;
CREATE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SQL
sub try
{
	my ($sql) = @_;
	$sql =~ s/'/''/g;
	return "SELECT try('$sql');\n";
}
# one session for all the SQL given (as the superuser, or -U ROLE): stdout, then stderr
sub session
{
	my ($out, $err) = psql_outputs($node, @_);
	return $err eq '' ? $out : "$out\n$err";
}

# (a) the default: verification on, the system's CAs
$reset->();
my $out = session(try($call));
note "default settings: $out";
like($out, qr/\A(?=.*^VNNET: )(?=.*(?i:certificate))/ms,
	"by default the test CA's certificate is refused (VNNET, a certificate message)");
is($journal->(), '',
	'a refused certificate: nothing reaches the API (the journal is empty, no token request, no /v3)');

# (b) gofive.ca_file naming the test CA
$reset->();
$out = session("SET gofive.ca_file = '$certs/ca.pem';\n" . try($call));
note "gofive.ca_file = the test CA: $out";
is($out, 'ok', 'gofive.ca_file naming the test CA: the call succeeds');
like($journal->(), qr{"path":"/v3/products/serials"},
	'gofive.ca_file naming the test CA: the request reached the API');

# (c) gofive.ca_file naming an unrelated CA
$reset->();
$out = session("SET gofive.ca_file = '$certs/other-ca.pem';\n" . try($call));
note "gofive.ca_file = an unrelated CA: $out";
like($out, qr/^VNNET: .*certificate/m,
	'gofive.ca_file naming an unrelated CA: the certificate is refused (VNNET)');
is($journal->(), '', 'an unrelated CA: nothing reaches the API');

# a CA file that does not exist is an error, not a fallback to the system's
$out = session("SET gofive.ca_file = '$certs/missing.pem';\n" . try($call));
note "gofive.ca_file = a missing file: $out";
like($out, qr/^VNNET: /m,
	'gofive.ca_file naming a missing file: the call fails (VNNET)');

# (d) gofive.ssl_verify = off
$reset->();
$out = session("SET gofive.ssl_verify = off;\n" . try($call));
note "gofive.ssl_verify = off: $out";
is($out, 'ok', 'gofive.ssl_verify = off: the call succeeds');

# the host name is verified too: the right CA, a name the certificate lacks
SKIP:
{
	my ($hosts) = run_command([ 'getent', 'ahostsv4', 'localhost' ]);
	skip 'localhost does not resolve to 127.0.0.1', 1
	  unless $hosts =~ /^127\.0\.0\.1/m;
	# not caught, so that the server log gets libcurl's reason
	$out = session(
		"SET gofive.ca_file = '$certs/ca.pem';\n"
		  . "SET gofive.base_url = 'https://localhost:$venio->{port}';\n"
		  . "\\set VERBOSITY sqlstate\n$call;\n");
	note "the test CA, host name localhost: $out";
	my $mismatch = qr/no alternative certificate subject name matches target host name 'localhost'/;
	is_deeply(
		{
			error => ($out =~ /ERROR:  VNNET$/m ? 'VNNET' : $out),
			server_log => (
				$node->log_contains($mismatch)
				? 'host name mismatch'
				: "no line matching $mismatch")
		},
		{ error => 'VNNET', server_log => 'host name mismatch' },
		'the test CA but a host name the certificate does not name: refused (VNNET, host name mismatch)'
	);
}

# the settings take effect within a session, although libcurl keeps the
# connection (and gofive the token) from the call before
$reset->();
$out = session("SET gofive.ssl_verify = off;\n"
	  . try($call)
	  . "SET gofive.ssl_verify = on;\n"
	  . try($call)
	  . "SET gofive.ca_file = '$certs/ca.pem';\n"
	  . try($call)
	  . "SET gofive.ca_file = '$certs/other-ca.pem';\n"
	  . try($call));
note "one session: verify off, on, the test CA, an unrelated CA: $out";
my @res = split /\n/, $out;
# each refusal (VNNET: and libcurl's message) as VNNET, anything else as is
is_deeply(
	[ map { /^VNNET: / ? 'VNNET' : $_ } @res ],
	[ 'ok', 'VNNET', 'ok', 'VNNET' ],
	'in one session, turning verification back on or changing the CA is honoured (no reuse of a connection)'
);

# (e) a plain role granted gofive_user may change neither setting
$out = session(
	try('SET gofive.ssl_verify = off')
	  . try("SET gofive.ca_file = '$certs/other-ca.pem'")
	  . try("SELECT set_config('gofive.ssl_verify', 'off', false)"),
	'-U', 'plain');
note "plain role: $out";
@res = split /\n/, $out;
like($res[0] // '', qr/^42501: permission denied to set parameter "gofive.ssl_verify"/,
	'a plain role cannot SET gofive.ssl_verify = off (permission denied)');
like($res[1] // '', qr/^42501: permission denied to set parameter "gofive.ca_file"/,
	'a plain role cannot SET gofive.ca_file (permission denied)');
like($res[2] // '', qr/^42501: /,
	"a plain role cannot set_config('gofive.ssl_verify', 'off') either");
is(session("SELECT current_setting('gofive.ssl_verify')", '-U', 'plain'),
	'on', 'for a plain role verification stays on');

$node->stop;
no_secrets_in_logs('TLS failures keep the secrets out of the server log', $node);
done_testing();
