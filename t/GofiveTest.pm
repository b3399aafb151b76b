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

our @EXPORT = qw(start_venio venio_settings serve_database mock_post mock_get stats_field
  secrets_absent psql_outputs duplicate_bound journal_requests received_ids
  check_deliveries check_succeeded all_succeeded each_id_seen only_ids_seen
  ids_seen_exactly each_id_seen_once duplicates_within no_secrets_in_logs
  at_least at_most);

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

# Serve only database $db on $node (gofive.database, reloaded): the other
# databases' workers stop, $db's starts.
sub serve_database
{
	my ($node, $db) = @_;
	$node->safe_psql('postgres', "ALTER SYSTEM SET gofive.database = '$db'");
	$node->reload;
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
# worker records at most max(4 x concurrency, 32) at a time; worker.c).
sub duplicate_bound
{
	my ($concurrency) = @_;
	my $unrecorded = 4 * $concurrency > 32 ? 4 * $concurrency : 32;
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

# The X-Request-Id of each API request in a server's journal, oldest first,
# a request sent twice twice.
sub received_ids
{
	my ($v) = @_;
	return map { $_->{id} } journal_requests($v);
}

# At most $n of a list, for a diagnostic, with how many were left out.
sub some
{
	my ($n, @items) = @_;
	return join(' ', @items) if @items <= $n;
	return join(' ', @items[ 0 .. $n - 1 ]) . ' ... (' . (@items - $n) . ' more)';
}

# How often each id was seen (a hash ref), and the expected ids never seen
# and the ids seen that were not expected (array refs, in order).
sub id_tally
{
	my ($expected, $seen) = @_;
	my (%count, %wanted);
	$count{$_}++ for @$seen;
	$wanted{$_} = 1 for @$expected;
	my @missing = grep { !$count{$_} } @$expected;
	my @unknown = grep { !$wanted{$_} } sort keys %count;
	return (\%count, \@missing, \@unknown);
}

# The ids seen more than once, with how often, most often first.
sub repeated
{
	my ($count) = @_;
	return map { "$_ x$count->{$_}" }
	  sort { $count->{$b} <=> $count->{$a} || $a cmp $b }
	  grep { $count->{$_} > 1 } keys %$count;
}

# Assertions on the request ids a server saw (received_ids() or
# journal_requests(), of one server or several), against those expected
# (queued).  Each is one test, which on failure lists the ids at fault.

# Each expected id was seen at least once.
sub each_id_seen
{
	my ($name, $expected, $seen) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my (undef, $missing) = id_tally($expected, $seen);
	return Test::More::is(scalar @$missing, 0, $name)
	  || Test::More::diag(scalar(@$missing) . ' of ' . scalar(@$expected)
		  . ' never seen: ' . some(10, @$missing));
}

# No id was seen that was not expected.
sub only_ids_seen
{
	my ($name, $expected, $seen) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my (undef, undef, $unknown) = id_tally($expected, $seen);
	return Test::More::is(scalar @$unknown, 0, $name)
	  || Test::More::diag('seen but not expected: ' . some(10, @$unknown));
}

# The ids seen, each counted once, are exactly those expected: every one
# at least once, no other.
sub ids_seen_exactly
{
	my ($name, $expected, $seen) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my ($count, $missing, $unknown) = id_tally($expected, $seen);
	return Test::More::is_deeply([ sort keys %$count ], [ sort @$expected ], $name)
	  || Test::More::diag(scalar(keys %$count) . ' distinct ids seen, '
		  . scalar(@$expected) . " expected\n"
		  . 'never seen: ' . some(10, @$missing) . "\n"
		  . 'seen but not expected: ' . some(10, @$unknown));
}

# Each expected id was seen exactly once, and no other.
sub each_id_seen_once
{
	my ($name, $expected, $seen) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my ($count, $missing, $unknown) = id_tally($expected, $seen);
	return Test::More::is_deeply($count, { map { $_ => 1 } @$expected }, $name)
	  || Test::More::diag('never seen: ' . some(10, @$missing) . "\n"
		  . 'seen but not expected: ' . some(10, @$unknown) . "\n"
		  . 'seen more than once: ' . some(10, repeated($count)));
}

# The requests sent twice (duplicates: requests - distinct ids) are at most
# bound; on failure, the ids seen more than once (from seen, when given).
sub duplicates_within
{
	my ($name, $duplicates, $bound, $seen) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my ($count) = id_tally([], $seen // []);
	return Test::More::cmp_ok($duplicates, '<=', $bound, $name)
	  || Test::More::diag('seen more than once: ' . some(20, repeated($count)));
}

# For is_deeply of several figures at once, a figure with a bound: the
# text "at least MIN" (or "at most MAX") when within it, else the figure
# itself, so that a failure shows it.
sub at_least
{
	my ($got, $min) = @_;
	return defined $got && $got >= $min ? "at least $min" : $got;
}

sub at_most
{
	my ($got, $max) = @_;
	return defined $got && $got <= $max ? "at most $max" : $got;
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
	my @seen = map { $_->{id} } @{ $arg{requests} };
	my %distinct = map { $_ => 1 } @seen;
	my $requests = scalar @seen;
	my $distinct = scalar keys %distinct;
	my $duplicates = $requests - $distinct;

	each_id_seen(
		"$arg{name}: each of the " . scalar(@{ $arg{expected} })
		  . ' queued request ids reached the API',
		$arg{expected}, \@seen);
	only_ids_seen(
		"$arg{name}: the API received no request id that was not queued",
		$arg{expected}, \@seen);
	$builder->todo_start($arg{todo}) if $arg{todo};
	duplicates_within("$arg{name}: requests received twice at most $arg{bound}",
		$duplicates, $arg{bound}, \@seen);
	$builder->todo_end if $arg{todo};
	return (
		requests => $requests,
		distinct => $distinct,
		duplicates => $duplicates);
}

# Tests that every row of an outbox succeeded: that $rows of them did.
# $sql runs a query on the node and returns its output (e.g. sub {
# $node->safe_psql('postgres', $_[0]) }).  On failure, the rows by status
# and a few that did not succeed, with their errors.
sub all_succeeded
{
	my ($name, $rows, $sql) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my $succeeded = $sql->(
		"SELECT count(*) FROM gofive.outbox WHERE status = 'succeeded'");
	return Test::More::is($succeeded, $rows, $name) || Test::More::diag(
		'outbox by status: '
		  . $sql->(q{SELECT string_agg(status || ' ' || n, ', ' ORDER BY status)
			FROM (SELECT status::text, count(*) n FROM gofive.outbox GROUP BY 1) s})
		  . "\nnot succeeded:\n"
		  . $sql->(q{SELECT id || ' ' || request_id || ' ' || status || ' attempts ' || attempts
			|| ' ' || coalesce(last_error, '') FROM gofive.outbox
			WHERE status <> 'succeeded' ORDER BY id LIMIT 10}));
}

# Tests that a node's outbox holds the $rows rows queued and that every one
# succeeded; $sql as for all_succeeded.
sub check_succeeded
{
	my ($name, $rows, $sql) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	Test::More::is($sql->('SELECT count(*) FROM gofive.outbox'),
		$rows, "$name: the outbox holds the $rows requests queued");
	all_succeeded("$name: every one of them succeeded", $rows, $sql);
	return;
}

# The logs (nodes' server logs, or files named) in which a secret appears,
# each as "LOG: line N, ..." (the secrets themselves not shown); the secrets
# are the test credentials unless given.
sub secret_leaks
{
	my ($logs, @secrets) = @_;
	@secrets = ($CLIENT_SECRET, $SUBSCRIPTION_KEY) unless @secrets;
	my @leaks;
	for my $log (ref $logs eq 'ARRAY' ? @$logs : ($logs))
	{
		my $file = ref $log ? $log->logfile : $log;
		my @lines = split /\n/, slurp_file($file);
		my @at = grep {
			my $line = $lines[$_];
			grep { index($line, $_) >= 0 } @secrets
		} 0 .. $#lines;
		push @leaks, "$file: line " . join(', ', map { $_ + 1 } @at[ 0 .. ($#at < 9 ? $#at : 9) ])
		  if @at;
	}
	return @leaks;
}

# True when neither secret appears in a node's server log (or in the file
# named).
sub secrets_absent
{
	my ($node) = @_;
	return !secret_leaks($node);
}

# Tests that no secret appears in the logs: a node, a file name, or an
# array ref of them; the secrets are the test credentials unless given.
# On failure, where they appear.
sub no_secrets_in_logs
{
	my ($name, $logs, @secrets) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my @leaks = secret_leaks($logs, @secrets);
	return Test::More::is(scalar @leaks, 0, $name)
	  || Test::More::diag("a secret appears in\n" . join("\n", @leaks));
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
