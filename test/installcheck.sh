#!/usr/bin/env bash
# What `make installcheck` runs around the tests: builds the local Venio
# server if needed, starts it on an ephemeral loopback port, writes the
# throw-away instance's settings (test/postgresql.conf, then the server's
# address and the test credentials) to log/test.conf, runs the command given
# (the Makefile's installcheck-run: the pg_regress suites, then the TAP
# tests), checks that no secret reached the instance's log, and stops the
# server on every exit path.  Exits with the command's status (or 1 when a
# secret leaked).  Runs as whoever runs make, in the directory make runs
# in; never talks to the real API.
#   test/installcheck.sh COMMAND...
set -euo pipefail
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=test/lib.sh
. "$SRC/test/lib.sh"

VENIO_PID=
trap 'stop_venio' EXIT
trap 'exit 130' INT TERM

make -C "$SRC/test/server" -s >/dev/null
mkdir -p log
start_venio "$SRC" log/venio.log
echo "local Venio server on 127.0.0.1:$VENIO_PORT (pid $VENIO_PID, log/venio.log)"
{ cat "$SRC/test/postgresql.conf"; venio_settings; } >log/test.conf

status=0
"$@" || status=$?

# pg_regress's instance logs to log/postmaster.log; secrets never may: the
# default account's, and those sql/accounts.sql gives its accounts
secrets=(-e "$VENIO_CLIENT_SECRET" -e "$VENIO_SUBSCRIPTION_KEY")
for secret in secret-x-1234 key-x-1234 secret-b-1234 key-b-1234 secret-c-1234 key-c-1234 secret-d-1234 key-d-1234 secret-f-1234 key-f-1234 secret-g-1234 key-g-1234; do
    secrets+=(-e "$secret")
done
if [ -f log/postmaster.log ]; then
    if grep -q "${secrets[@]}" log/postmaster.log; then
        echo "not ok - secrets kept out of the regression instance's log"
        status=1
    else
        echo "ok - secrets kept out of the regression instance's log"
    fi
fi
exit "$status"
