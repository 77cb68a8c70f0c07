#!/usr/bin/env bash
# Runs a command beside a private PostgreSQL server: initdb in a temporary folder, a free port on
# 127.0.0.1, stopped and removed when the command ends (whatever its exit). The command sees
#
#   NK_POSTGRES_URL=postgres://nk@127.0.0.1:PORT/postgres?sslmode=disable   (a superuser, trust auth)
#   NK_POSTGRES_BIN=the folder of psql, initdb, pg_ctl
#
# The PostgreSQL tests create a database of their own under it and drop it after. Without PostgreSQL
# installed (Debian: apt-get install -y postgresql) it runs the command without one, and the
# PostgreSQL tests report themselves skipped, saying why.
#
#   scripts/with-postgres.sh [--durable] COMMAND [ARG...]
#
# By default the server runs with fsync=off (tests only: a crash of the machine would lose its
# data, which the tests throw away anyway); --durable keeps PostgreSQL's defaults (benchmarks).
set -euo pipefail

durable=0
if [ "${1:-}" = --durable ]; then
    durable=1
    shift
fi
[ $# -gt 0 ] || { echo "usage: scripts/with-postgres.sh [--durable] COMMAND [ARG...]" >&2; exit 64; }

pgbin="${NK_POSTGRES_BIN:-}"
if [ -z "$pgbin" ]; then
    pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
fi
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ] || [ ! -x "$pgbin/pg_ctl" ]; then
    echo "with-postgres: PostgreSQL is not installed (apt-get install -y postgresql): running without it" >&2
    exec "$@"
fi

dir="$(mktemp -d /tmp/nk-postgres.XXXXXX)"
chmod 755 "$dir"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# initdb and postgres refuse to run as root: as root, run them as Debian's `postgres` user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$dir/data"
    chown -R postgres:postgres "$dir"
fi

stop() {
    as_owner "'$pgbin/pg_ctl' -D '$dir/data' -m immediate -w stop" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

settings="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=400"
if [ "$durable" = 0 ]; then
    settings="$settings -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
as_owner "'$pgbin/initdb' -D '$dir/data' -U nk --auth=trust -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1" || {
    cat "$dir/initdb.log" >&2
    echo "with-postgres: initdb failed" >&2
    exit 1
}
as_owner "'$pgbin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -o '$settings' -w -t 60 start >/dev/null" || {
    cat "$dir/server.log" >&2
    echo "with-postgres: PostgreSQL did not start" >&2
    exit 1
}
echo "with-postgres: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)" >&2

export NK_POSTGRES_URL="postgres://nk@127.0.0.1:$port/postgres?sslmode=disable"
export NK_POSTGRES_BIN="$pgbin"
status=0
"$@" || status=$?
exit "$status"
