#!/usr/bin/env bash
# nkbench on SQLite and on PostgreSQL in one invocation, then the many-researchers workload with
# two nkserver instances on one PostgreSQL database; one table of the three on stderr.
#
#   bench/postgres.sh [--json FILE] [nkbench options...]      e.g. --quick, --push 2000
#
# Runs under scripts/with-postgres.sh --durable (a private PostgreSQL 15 on a free loopback port,
# PostgreSQL's default fsync and synchronous_commit, as SQLite runs synchronous=FULL), unless
# NK_POSTGRES_URL is already set. The three runs, each with the options given:
#
#   nkbench --store sqlite
#   nkbench --store postgres
#   nkbench --store postgres --servers 2 --only many
#
# Needs the release binaries (NK_TOOLS=1 swift build -c release --product nkbench, then nkserver, nkclient;
# NK_BIN_DIR overrides .build/release). The combined JSON goes to stdout ({"sqlite", "postgres",
# "postgresTwoServers"}) and, with --json, to FILE too.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN=${NK_BIN_DIR:-$ROOT/.build/release}
PYTHON=${PYTHON:-python3}

if [ -z "${NK_POSTGRES_URL:-}" ]; then
  exec "$ROOT/scripts/with-postgres.sh" --durable "$0" "$@"
fi

JSON_OUT=""
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json) JSON_OUT=${2:?--json needs a file}; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) ARGS+=("$1") ;;
  esac
  shift
done
for p in nkbench nkserver nkclient; do
  [ -x "$BIN/$p" ] || { echo "postgres.sh: $BIN/$p is missing: swift build -c release --product $p" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/nk-bench-pg-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

echo "postgres.sh: nkbench on SQLite…" >&2
"$BIN/nkbench" --store sqlite "${ARGS[@]}" >"$WORK/sqlite.json"
echo "postgres.sh: nkbench on PostgreSQL…" >&2
"$BIN/nkbench" --store postgres "${ARGS[@]}" >"$WORK/postgres.json"
echo "postgres.sh: many researchers, two nkserver instances on one PostgreSQL database…" >&2
"$BIN/nkbench" --store postgres --servers 2 --only many "${ARGS[@]}" >"$WORK/two.json"

"$PYTHON" "$ROOT/bench/postgres_report.py" "$WORK/sqlite.json" "$WORK/postgres.json" "$WORK/two.json" \
  >"$WORK/combined.json"
[ -n "$JSON_OUT" ] && cp "$WORK/combined.json" "$JSON_OUT"
cat "$WORK/combined.json"
