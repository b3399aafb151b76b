# Shared by test/run, test/demo and test/bench/*: installing the Debian
# packages, building and installing the extension, and starting the local
# Venio server.  Sourced, not run.  Everything runs as root; PostgreSQL and
# the tests run as the unprivileged "postgres" user that postgresql-common
# creates.

export DEBIAN_FRONTEND=noninteractive
export LC_ALL=C.UTF-8 LANG=C.UTF-8      # initdb needs a locale that exists
unset LANGUAGE TMPDIR PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGDATA PGSERVICE PGOPTIONS || true

PG_MAJOR=15
# GOFIVE_PG_BIN: another PostgreSQL 15 installation's bin directory (a
# relocated copy, say), which the build installs into and the scripts run
PG_BIN=${GOFIVE_PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}
PG_CONFIG=$PG_BIN/pg_config        # not /usr/bin/pg_config, a wrapper
TEST_USER=postgres

# The test credentials the local server accepts (its defaults).
VENIO_CLIENT_ID=gofive-test-client
VENIO_CLIENT_SECRET=gofive-test-secret
VENIO_SUBSCRIPTION_KEY=gofive-test-key

# libipc-run-perl: PostgreSQL::Test::Cluster, which the TAP tests (t/) use
PACKAGES="postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-$PG_MAJOR-cron
  postgresql-$PG_MAJOR-auto-failover
  libcurl4-openssl-dev libjson-c-dev libmicrohttpd-dev make gcc pkg-config curl openssl
  libipc-run-perl
  build-essential debhelper postgresql-server-dev-all"

install_packages() {
    local log=$1; shift
    local apt="apt-get -o DPkg::Lock::Timeout=300"
    if [ "$(id -u)" -ne 0 ]; then echo "run this as root (or with sudo)"; exit 1; fi
    # shellcheck disable=SC2086
    if ! { $apt update -qq && $apt install -y -qq --no-install-recommends $PACKAGES "$@"; } >"$log" 2>&1; then
        cat "$log"; echo "apt-get failed"; exit 1
    fi
}

# Copy the source tree (without build outputs) to $1, owned by the test user:
# pg_regress writes into the tree it runs in.
copy_tree() {
    local src=$1 dst=$2
    mkdir -p "$dst"
    tar -C "$src" --exclude=./.git --exclude=./tmp_check --exclude=./results \
        --exclude=./log --exclude=./regression.diffs --exclude=./regression.out \
        --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - . | tar -C "$dst" -xf -
}

# WERROR=1: a warning fails the build here (CI, benchmarks), not in the
# package or a user's make.
build_and_install() {
    local dir=$1
    make -C "$dir" -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" WERROR=1 >/dev/null
    make -C "$dir" -s PG_CONFIG="$PG_CONFIG" install >/dev/null
    make -C "$dir/test/server" -s >/dev/null
}

# Start a local Venio server as the test user on an ephemeral loopback port,
# with any extra options; sets LAUNCHED_PID and LAUNCHED_PORT.  As root it
# drops to the test user (setpriv execs, so $! is the server itself); as
# anybody else (make installcheck) it runs as oneself.
launch_venio() {
    local dir=$1 log=$2; shift 2
    local portfile runas=()
    if [ "$(id -u)" -eq 0 ]; then
        runas=(setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --init-groups)
    fi
    portfile=$(mktemp -u "$(dirname "$log")/venio-port.XXXXXX")
    "${runas[@]}" "$dir/test/server/venio_server" --port 0 --port-file "$portfile" "$@" >"$log" 2>&1 &
    LAUNCHED_PID=$!
    LAUNCHED_PORT=
    for _ in $(seq 100); do
        [ -s "$portfile" ] && LAUNCHED_PORT=$(tr -dc 0-9 <"$portfile") && [ -n "$LAUNCHED_PORT" ] && break
        sleep 0.1
    done
    rm -f "$portfile"
    if [ -z "$LAUNCHED_PORT" ]; then cat "$log"; echo "the local Venio server did not start"; exit 1; fi
}

stop_pid() {
    if [ -n "${1:-}" ]; then
        kill "$1" 2>/dev/null || true
        wait "$1" 2>/dev/null || true
    fi
}

# The gofive settings that point a cluster at a local server.
settings_for() {
    cat <<CONF
gofive.base_url = '$1://127.0.0.1:$2'
gofive.client_id = '$VENIO_CLIENT_ID'
gofive.client_secret = '$VENIO_CLIENT_SECRET'
gofive.subscription_key = '$VENIO_SUBSCRIPTION_KEY'
CONF
}

# The local Venio server over HTTP: VENIO_PID, VENIO_PORT.
start_venio() {
    launch_venio "$1" "$2"
    VENIO_PID=$LAUNCHED_PID VENIO_PORT=$LAUNCHED_PORT
}
stop_venio() { stop_pid "${VENIO_PID:-}"; VENIO_PID=; }
venio_settings() { settings_for http "$VENIO_PORT"; }
