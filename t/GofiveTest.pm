# Shared by the TAP tests (t/*.pl): the local Venio server (test/server),
# its control API (/_mock/*), and the gofive settings that point a node at
# it.  Each test file starts the servers it needs, on ephemeral loopback
# ports; they are stopped when the test file exits, whatever happens.
# Never the real API: every base URL this module hands out is 127.0.0.1.
package GofiveTest;

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Utils;
use Test::More ();
use Exporter 'import';

our @EXPORT = qw(start_venio venio_settings mock_post mock_get stats_field
  secrets_absent psql_outputs duplicate_bound journal_requests check_deliveries
  check_succeeded);

# The test credentials the local server accepts (its defaults), as in
# test/lib.sh.
our $CLIENT_ID = 'gofive-test-client';
our $CLIENT_SECRET = 'gofive-test-secret';
our $SUBSCRIPTION_KEY = 'gofive-test-key';

my $srcdir = abs_path(dirname(__FILE__) . '/..');
my @pids;

# Start a local Venio server; options: tls_cert, tls_key (PEM files: serve
# HTTPS), cacert (what curl verifies it with).  Returns a hash with scheme,
# port, base (the URL) and cacert.
sub start_venio
{
	my (%opt) = @_;
	my $bin = "$srcdir/test/server/venio_server";
	die "$bin is missing: make -C test/server" unless -x $bin;
	my $n = scalar(@pids) + 1;
	my $dir = PostgreSQL::Test::Utils::tempdir();
	my $portfile = "$dir/port";
	my $log = "$PostgreSQL::Test::Utils::log_path/venio_"
	  . basename_of_test() . "_$n.log";
	my @args = ('--port', '0', '--port-file', $portfile);
	push @args, '--tls-cert', $opt{tls_cert}, '--tls-key', $opt{tls_key}
	  if $opt{tls_cert};

	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		open(STDOUT, '>', $log) or POSIX::_exit(127);
		open(STDERR, '>&', \*STDOUT) or POSIX::_exit(127);
		exec($bin, @args) or POSIX::_exit(127);
	}
	push @pids, $pid;

	my $port;
	for (1 .. 100)
	{
		if (-s $portfile)
		{
			($port) = slurp_file($portfile) =~ /(\d+)/;
			last if $port;
		}
		usleep(100_000);
	}
	die "the local Venio server did not start (see $log)" unless $port;
	my $scheme = $opt{tls_cert} ? 'https' : 'http';
	Test::More::note "local Venio server on $scheme://127.0.0.1:$port (pid $pid)";
	return {
		scheme => $scheme,
		port => $port,
		base => "$scheme://127.0.0.1:$port",
		cacert => $opt{cacert},
	};
}

sub basename_of_test
{
	my $name = $0;
	$name =~ s{.*/}{};
	$name =~ s{\.pl$}{};
	return $name;
}

# The gofive settings that point a node at the server.
sub venio_settings
{
	my ($v) = @_;
	return <<"CONF";
gofive.base_url = '$v->{base}'
gofive.client_id = '$CLIENT_ID'
gofive.client_secret = '$CLIENT_SECRET'
gofive.subscription_key = '$SUBSCRIPTION_KEY'
CONF
}

sub curl
{
	my ($v, @args) = @_;
	my @cmd = ('curl', '-sS', @args);
	push @cmd, '--cacert', $v->{cacert} if $v->{cacert};
	my ($stdout, $stderr) = run_command(\@cmd);
	return ($stdout, $stderr);
}

# POST /_mock/NAME with a JSON body; dies if the server refuses.
sub mock_post
{
	my ($v, $name, $body) = @_;
	my ($out, $err) = curl($v, '--fail', '-X', 'POST',
		'-H', 'Content-Type: application/json',
		'--data-binary', $body // '{}', "$v->{base}/_mock/$name");
	die "POST /_mock/$name: $err" if $err ne '';
	return $out;
}

# GET /_mock/NAME: the body, or curl's complaint.
sub mock_get
{
	my ($v, $name) = @_;
	my ($out, $err) = curl($v, "$v->{base}/_mock/$name");
	return $out . $err;
}

# A number from GET /_mock/stats.
sub stats_field
{
	my ($v, $field) = @_;
	my ($n) = mock_get($v, 'stats') =~ /"\Q$field\E":(\d+)/;
	return $n;
}

# The most requests a crash, a failover or an immediate stop can have sent
# twice, for one account at gofive.max_concurrency = $concurrency: those in
# flight, and those answered whose outcomes were not recorded yet (the
# worker records at most max(2 x concurrency, 32) at a time; worker.c).
sub duplicate_bound
{
	my ($concurrency) = @_;
	my $unrecorded = 2 * $concurrency > 32 ? 2 * $concurrency : 32;
	return $concurrency + $unrecorded;
}

# The API requests in a server's journal, oldest first: a list of
# { id => X-Request-Id, at => when it arrived, Unix epoch seconds }.  The
# token endpoint, which gets no request id, is left out.
sub journal_requests
{
	my ($v) = @_;
	my @requests;
	for my $line (split /\n/, mock_get($v, 'journal'))
	{
		my $entry = JSON::PP::decode_json($line);
		my $id = $entry->{headers}{'x-request-id'};
		push @requests, { id => $id, at => $entry->{received_at} }
		  if defined $id;
	}
	return @requests;
}

# Tests that each queued request reached the API at least once, that
# nothing else did, and that the requests sent more than once are at most
# bound.  Arguments by name: name (the tests' prefix), expected (an array
# ref of the request ids queued), requests (an array ref of
# journal_requests() entries, from every server the requests may have gone
# to), bound, and todo: when set, the reason (a known bug) why the
# duplicates' test is expected to fail, which it then reports as TODO.
# Returns the figures: requests, distinct, duplicates.
sub check_deliveries
{
	my (%arg) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $builder = Test::More->builder;
	my %seen;
	$seen{ $_->{id} }++ for @{ $arg{requests} };
	my %queued = map { $_ => 1 } @{ $arg{expected} };
	my @missing = grep { !$seen{$_} } @{ $arg{expected} };
	my @unknown = grep { !$queued{$_} } sort keys %seen;
	my $requests = scalar @{ $arg{requests} };
	my $distinct = scalar keys %seen;
	my $duplicates = $requests - $distinct;

	Test::More::is(scalar @missing, 0,
		"$arg{name}: each of the " . scalar(@{ $arg{expected} })
		  . ' queued request ids reached the API');
	Test::More::diag('never received: ' . join(' ', splice(@missing, 0, 10)))
	  if @missing;
	Test::More::is(scalar @unknown, 0,
		"$arg{name}: the API received no request id that was not queued");
	$builder->todo_start($arg{todo}) if $arg{todo};
	Test::More::cmp_ok($duplicates, '<=', $arg{bound},
		"$arg{name}: requests received twice at most $arg{bound}");
	$builder->todo_end if $arg{todo};
	return (
		requests => $requests,
		distinct => $distinct,
		duplicates => $duplicates);
}

# Tests that a node's outbox holds the rows queued and that every one
# succeeded; counts is the output of this query on the node:
our $OUTBOX_COUNTS = q{SELECT count(*) || ' ' || count(*) FILTER (WHERE status = 'succeeded') FROM gofive.outbox};

sub check_succeeded
{
	my ($name, $rows, $counts) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my ($all, $succeeded) = split ' ', $counts;
	Test::More::is($all, $rows, "$name: the outbox holds the $rows requests queued");
	Test::More::is($succeeded, $rows, "$name: every one of them succeeded");
	return;
}

# True when neither secret appears in a node's server log (or in the file
# named).
sub secrets_absent
{
	my ($node) = @_;
	my $log = slurp_file(ref $node ? $node->logfile : $node);
	return index($log, $CLIENT_SECRET) < 0 && index($log, $SUBSCRIPTION_KEY) < 0;
}

# (stdout, stderr) of one psql session on a node's postgres database,
# errors not fatal; extra psql options (e.g. '-U', 'plain') may follow.
sub psql_outputs
{
	my ($node, $sql, @params) = @_;
	my ($out, $err) = ('', '');
	$node->psql(
		'postgres', $sql,
		stdout => \$out,
		stderr => \$err,
		on_error_stop => 0,
		extra_params => \@params);
	return ($out, $err);
}

END
{
	local $?;
	for my $pid (@pids)
	{
		kill 'TERM', $pid;
		waitpid($pid, 0);
	}
}

1;
