#!/usr/bin/env bash
# NK Sync beside Kinto and the SQLite floor, in one invocation, on 127.0.0.1 only.
#
#   bench/compare-kinto.sh [--quick] [--kinto-only] [--records N] [--changes N] [--json FILE]
#                          [-- nkbench options...]
#
#   --quick        small sizes (Kinto: 200 records on 20 posts, 20 changes; nkbench --quick)
#   --kinto-only   set Kinto up, drive it, print its JSON; no nkbench (needs no Swift build)
#   --records N    records Kinto is pushed, pulled and edited (default 10,000; also nkbench --push N)
#   --changes N    records changed before each delta sync (default 100; passed to nkbench too)
#   --json FILE    also write the combined JSON object to FILE
#   anything else  passed to nkbench (default: --only push,pull,delta,noop)
#
# Kinto: `pip install "kinto[postgresql]"` into a venv kept in $KINTO_VENV (default
# .build-kinto/venv, git-ignored). PostgreSQL: Debian's (apt-get install postgresql when missing),
# a private cluster (initdb in a temporary folder, run as the postgres user when we are root, a
# free port, listening on 127.0.0.1 only, default durability). Kinto listens on 127.0.0.1 only,
# logs at WARNING, memory cache, PostgreSQL storage and permissions. bench/kinto_driver.py runs
# push / full pull / delta / no-op with nkbench's own records; then the release nkbench runs (it
# must be built: see BENCHMARKS.md) and bench/compare_report.py prints the table of NK Sync,
# Kinto and the SQLite floor with the ratios and targets (on stderr; the JSON goes to stdout).
# Everything started here is stopped on exit, on failure and on Ctrl-C too; the temporary
# folder is removed.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
QUICK=0
KINTO_ONLY=0
RECORDS=""
RECORDS_GIVEN=0
CHANGES=""
JSON_OUT=""
NKARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; NKARGS+=(--quick) ;;
    --kinto-only) KINTO_ONLY=1 ;;
    --records) RECORDS=${2:?--records needs a number}; RECORDS_GIVEN=1; shift ;;
    --changes) CHANGES=${2:?--changes needs a number}; shift ;;
    --json) JSON_OUT=${2:?--json needs a file}; shift ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; NKARGS+=("$@"); break ;;
    *) NKARGS+=("$1") ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  RECORDS=${RECORDS:-200}; CHANGES=${CHANGES:-20}; POSTS=20; DELTA_ROUNDS=2; NOOP_ROUNDS=5
else
  RECORDS=${RECORDS:-10000}; CHANGES=${CHANGES:-100}; POSTS=1000; DELTA_ROUNDS=5; NOOP_ROUNDS=20
fi

VENV=${KINTO_VENV:-$ROOT/.build-kinto/venv}
BIN=${NK_BIN_DIR:-$ROOT/.build/release}
PGBIN=${PGBIN:-}
PYTHON=${PYTHON:-python3}

say() { echo "compare-kinto: $*" >&2; }
die() { say "$*"; exit 1; }

# 0. The release binaries first: better to fail now than after the Kinto run.
if [ "$KINTO_ONLY" = 0 ]; then
  for p in nkbench nkserver nkclient; do
    [ -x "$BIN/$p" ] || die "$BIN/$p is missing; build it first (one product per invocation):
  NK_TOOLS=1 swift build -c release --product nkbench
  swift build -c release --product nkserver
  swift build -c release --product nkclient
or run with --kinto-only."
  done
fi

# 1. Installs (kept between runs): PostgreSQL from Debian, Kinto into the venv.
if [ -z "$PGBIN" ]; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed: apt-get install postgresql (as root)"
    say "installing PostgreSQL (apt-get)…"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >&2 \
      || die "apt-get install postgresql failed"
  fi
  PGBIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -1)")
fi
if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
  die "running as root, but there is no postgres user to run PostgreSQL as"
fi
if ! "$VENV/bin/kinto" version >/dev/null 2>&1; then
  say "installing Kinto into $VENV (pip)…"
  mkdir -p "$(dirname "$VENV")"
  if ! "$PYTHON" -m venv --clear "$VENV" >&2; then          # Debian's python3 needs python3-venv
    [ "$(id -u)" = 0 ] || die "cannot make a venv: apt-get install python3-venv (as root)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; } >&2 \
      || die "apt-get install python3-venv failed"
    "$PYTHON" -m venv --clear "$VENV" >&2 || die "cannot make a venv in $VENV"
  fi
  timeout 900 "$VENV/bin/pip" install -q --disable-pip-version-check "kinto[postgresql]" requests >&2 \
    || die "pip install kinto[postgresql] failed"
fi
KINTO_VERSION=$("$VENV/bin/kinto" version 2>/dev/null)

# 2. Everything below is started by us and stopped by cleanup(). Every process started from
# here on inherits NK_COMPARE_TAG, so that cleanup() also finds what was orphaned (nkbench, killed
# by a signal or by its timeout, leaves its nkserver children behind) and temporary folders
# (TMPDIR) land inside $WORK, which cleanup() removes.
WORK=$(mktemp -d /tmp/nk-kinto-XXXXXX)
chmod 755 "$WORK"                      # the postgres user must reach $WORK/pg
mkdir "$WORK/tmp"
export NK_COMPARE_TAG="$WORK"
PGDATA="$WORK/pg"
KINTO_PID=""
PG_STARTED=0
CHILD=""                               # the bounded child we are waiting for (driver, nkbench)

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Processes that carry our NK_COMPARE_TAG, other than this shell and its ancestors.
tagged_pids() {
  "$PYTHON" - "$NK_COMPARE_TAG" <<'PY'
import os, sys
tag = ("NK_COMPARE_TAG=" + sys.argv[1]).encode()
mine, pid = set(), os.getpid()
while pid > 1:                      # this python and the shells above it carry the tag too
    mine.add(pid)
    try:
        with open(f"/proc/{pid}/stat") as f:
            pid = int(f.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        break
for name in os.listdir("/proc"):
    if name.isdigit() and int(name) not in mine:
        try:
            with open(f"/proc/{name}/environ", "rb") as f:
                if tag in f.read().split(b"\0"):
                    print(name)
        except OSError:
            pass
PY
}

stop_pid() {  # $1 pid: TERM, up to 10 s, then KILL
  alive "$1" || return 0
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 40); do alive "$1" || return 0; sleep 0.25; done
  kill -KILL "$1" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  if alive "$CHILD"; then stop_pid "$CHILD"; wait "$CHILD" 2>/dev/null; fi
  if [ "$rc" != 0 ] && [ "$rc" -lt 128 ]; then   # a failure, not a signal: show the servers' last words
    [ -f "$WORK/kinto.log" ] && { say "last lines of kinto.log:"; tail -n 15 "$WORK/kinto.log" >&2; }
    [ -f "$WORK/pg.log" ] && { say "last lines of the PostgreSQL log:"; tail -n 8 "$WORK/pg.log" >&2; }
  fi
  if [ -n "$KINTO_PID" ]; then stop_pid "$KINTO_PID"; wait "$KINTO_PID" 2>/dev/null; fi
  if [ "$PG_STARTED" = 1 ]; then
    local pm=""
    [ -f "$PGDATA/postmaster.pid" ] && pm=$(head -1 "$PGDATA/postmaster.pid")
    as_pg timeout 60 "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1
    if alive "$pm"; then kill -KILL "$pm" 2>/dev/null; fi   # pg_ctl failed: do not leave it behind
  fi
  local left
  left=$(tagged_pids)
  if [ -n "$left" ]; then
    say "stopping leftover process(es): $(echo $left)"
    kill -TERM $left 2>/dev/null
    for _ in $(seq 1 20); do left=$(tagged_pids); [ -z "$left" ] && break; sleep 0.25; done
    [ -n "$left" ] && kill -KILL $left 2>/dev/null
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Runs "$@" bounded by $1 seconds, in the background so that a signal reaches cleanup() at once.
bounded() {
  local limit=$1; shift
  timeout "$limit" "$@" &
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  return "$rc"
}

free_port() {
  "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# 3. PostgreSQL: private cluster, loopback only, no Unix socket outside $PGDATA.
mkdir -p "$PGDATA"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
chmod 700 "$PGDATA"
as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 \
  || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
touch "$WORK/pg.log" && [ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pg.log"
PGPORT=$(free_port)
PG_STARTED=1
as_pg timeout 60 "$PGBIN/pg_ctl" -D "$PGDATA" -l "$WORK/pg.log" -w -t 50 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PGDATA" start >/dev/null \
  || die "PostgreSQL did not start"
PG_PID=$(head -1 "$PGDATA/postmaster.pid")
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE kinto ENCODING 'UTF8'" >&2
PG_VERSION=$("$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SHOW server_version")
say "PostgreSQL $PG_VERSION on 127.0.0.1:$PGPORT (pid $PG_PID)"

# 4. Kinto: ini from `kinto init`, then host, port, log levels and the storage URL forced.
KPORT=$(free_port)
INI="$WORK/kinto.ini"
(cd "$WORK" && "$VENV/bin/kinto" init --ini "$INI" --backend postgresql --cache-backend memory \
  --host 127.0.0.1 >"$WORK/kinto-init.log" 2>&1) || { cat "$WORK/kinto-init.log" >&2; die "kinto init failed"; }
DSN="postgresql://postgres@127.0.0.1:$PGPORT/kinto"
sed -i -e "s/^host = .*/host = 127.0.0.1/" -e "s/^port = .*/port = $KPORT/" \
  -e "s/^level = DEBUG/level = WARNING/" -e "s/^level = INFO/level = WARNING/" \
  -e "s#^\(kinto\.[a-z_]*_url\) = postgresql://.*#\1 = $DSN#" "$INI"
grep -q "^host = 127.0.0.1$" "$INI" && grep -q "^port = $KPORT$" "$INI" \
  && [ "$(grep -c "= $DSN\$" "$INI")" = 2 ] || die "unexpected kinto.ini (kinto init changed?): $(grep -E '^(host|port|kinto\..*_url)' "$INI")"
(cd "$WORK" && timeout 300 "$VENV/bin/kinto" migrate --ini "$INI" >"$WORK/kinto-migrate.log" 2>&1) \
  || { tail -n 20 "$WORK/kinto-migrate.log" >&2; die "kinto migrate failed"; }
(cd "$WORK" && KINTO_INI="$INI" exec "$VENV/bin/kinto" start --ini "$INI" --port "$KPORT" >"$WORK/kinto.log" 2>&1) &
KINTO_PID=$!
for _ in $(seq 1 120); do
  curl -sf -o /dev/null "http://127.0.0.1:$KPORT/v1/" && break
  alive "$KINTO_PID" || die "Kinto exited while starting"
  sleep 0.25
done
curl -sf -o /dev/null "http://127.0.0.1:$KPORT/v1/" || die "Kinto did not answer on 127.0.0.1:$KPORT"
say "Kinto $KINTO_VERSION on 127.0.0.1:$KPORT (pid $KINTO_PID)"

# 5. The workloads against Kinto (one run; pull, delta and no-op medians inside).
say "Kinto: $RECORDS records on $POSTS posts, $CHANGES changes…"
bounded 1800 "$VENV/bin/python" "$ROOT/bench/kinto_driver.py" --url "http://127.0.0.1:$KPORT/v1" \
  --records "$RECORDS" --posts "$POSTS" --changes "$CHANGES" --delta-rounds "$DELTA_ROUNDS" \
  --noop-rounds "$NOOP_ROUNDS" --kinto-pid "$KINTO_PID" --postgres-pid "$PG_PID" >"$WORK/kinto.json" \
  || die "the Kinto driver failed"
"$PYTHON" - "$WORK/kinto.json" "$PG_VERSION" <<'PY'
import json, sys
path, pg = sys.argv[1], sys.argv[2]
k = json.load(open(path)); k["postgresVersion"] = pg
json.dump(k, open(path, "w"), indent=2, sort_keys=True)
PY
stop_pid "$KINTO_PID"; wait "$KINTO_PID" 2>/dev/null || true; KINTO_PID=""
as_pg timeout 60 "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null && PG_STARTED=0

if [ "$KINTO_ONLY" = 1 ]; then
  "$PYTHON" "$ROOT/bench/compare_report.py" --kinto "$WORK/kinto.json" ${JSON_OUT:+--json "$JSON_OUT"}
  exit 0
fi

# 6. nkbench (release build), same invocation, with Kinto and PostgreSQL stopped.
has_only=0
for x in "${NKARGS[@]}"; do case "$x" in --only|--only=*) has_only=1 ;; esac; done
[ "$has_only" = 1 ] || NKARGS=(--only push,pull,delta,noop "${NKARGS[@]}")
[ "$RECORDS_GIVEN" = 0 ] || NKARGS+=(--push "$RECORDS")
say "nkbench ${NKARGS[*]} --changes $CHANGES…"
TMPDIR="$WORK/tmp" bounded 3600 "$BIN/nkbench" "${NKARGS[@]}" --changes "$CHANGES" >"$WORK/nk.json" \
  || die "nkbench failed"

# 7. The table (stderr) and the combined JSON (stdout).
"$PYTHON" "$ROOT/bench/compare_report.py" --kinto "$WORK/kinto.json" --nkbench "$WORK/nk.json" \
  ${JSON_OUT:+--json "$JSON_OUT"}
