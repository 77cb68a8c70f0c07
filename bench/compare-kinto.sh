#!/usr/bin/env bash
# NK Sync beside Kinto, in one invocation, on 127.0.0.1 only.
#
#   bench/compare-kinto.sh [--quick] [nkbench options...]
#
# Sets up Kinto (pip install "kinto[postgresql]" into a venv, kept in $KINTO_VENV, default
# .build/kinto-venv, which git ignores) on a private PostgreSQL cluster (Debian's postgresql,
# installed with apt-get when missing; initdb in a temporary folder, a free port, loopback only),
# runs bench/kinto_driver.py (push / full pull / delta / no-op with NK Sync-shaped records), runs
# the release nkbench, and prints the ratios. Everything it starts is stopped on exit (trap).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
VENV=${KINTO_VENV:-$ROOT/.build/kinto-venv}
BIN=${NK_BIN_DIR:-$ROOT/.build/release}
WORK=$(mktemp -d /tmp/nk-kinto-XXXXXX)
chmod 755 "$WORK"
KINTO_PID=""
PGBIN=""

cleanup() {
  [ -n "$KINTO_PID" ] && kill "$KINTO_PID" 2>/dev/null && wait "$KINTO_PID" 2>/dev/null || true
  if [ -n "$PGBIN" ] && [ -f "$WORK/pg/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# 1. Kinto and PostgreSQL
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -1)")
[ -x "$VENV/bin/kinto" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q "kinto[postgresql]" requests; }

PGPORT=$(free_port)
mkdir -p "$WORK/pg" && [ "$(id -u)" = 0 ] && chown postgres:postgres "$WORK/pg"
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$WORK/pg" start >/dev/null
"$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -qc "CREATE DATABASE kinto ENCODING 'UTF8'"

KPORT=$(free_port)
INI="$WORK/kinto.ini"
"$VENV/bin/kinto" init --ini "$INI" --backend postgresql --cache-backend memory --host 127.0.0.1 >/dev/null
sed -i "s/^port = .*/port = $KPORT/; s/^level = DEBUG/level = WARNING/; s/^level = INFO/level = WARNING/" "$INI"
sed -i "s#postgresql://postgres:postgres@localhost/postgres#postgresql://postgres@127.0.0.1:$PGPORT/kinto#" "$INI"
(cd "$WORK" && "$VENV/bin/kinto" migrate --ini "$INI" >/dev/null 2>&1)
(cd "$WORK" && exec "$VENV/bin/kinto" start --ini "$INI" --port "$KPORT" >"$WORK/kinto.log" 2>&1) &
KINTO_PID=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$KPORT/v1/" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$KPORT/v1/" >/dev/null || { tail -20 "$WORK/kinto.log"; exit 1; }

# 2. The same workloads against Kinto (bounded: one run, 10k records, 20 no-op polls)
if [ "$QUICK" = 1 ]; then RECORDS=500; CHANGES=20; else RECORDS=10000; CHANGES=100; fi
timeout 900 "$VENV/bin/python" "$ROOT/bench/kinto_driver.py" --url "http://127.0.0.1:$KPORT/v1" \
  --records "$RECORDS" --changes "$CHANGES" >"$WORK/kinto.json"
kill "$KINTO_PID" 2>/dev/null; wait "$KINTO_PID" 2>/dev/null || true; KINTO_PID=""

# 3. nkbench (release build), same invocation
for p in nkbench nkserver nkclient; do [ -x "$BIN/$p" ] || (cd "$ROOT" && swift build -c release --product "$p"); done
NKARGS=("$@")
[ "$QUICK" = 1 ] || NKARGS=(--only push,pull,delta,noop "${NKARGS[@]}")
timeout 3600 "$BIN/nkbench" "${NKARGS[@]}" --changes "$CHANGES" >"$WORK/nk.json"

# 4. Ratios
python3 - "$WORK/kinto.json" "$WORK/nk.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1])); n = json.load(open(sys.argv[2]))
d = min(n["delta"], key=lambda x: x["annotations"])
rows = [
    ("push records/s", n["push"]["recordsPerSecond"], k["push"]["recordsPerSecond"], True, 100),
    ("full pull records/s", n["initialPull"]["recordsPerSecond"], k["pull"]["recordsPerSecond"], True, None),
    (f"delta of {d['changed']} (s)", d["seconds"], k["delta"]["seconds"], False, 10),
    ("no-op sync (s)", n["noop"]["seconds"], k["noop"]["seconds"], False, None),
]
out = {"kinto": k, "nkbench": n, "ratios": {}}
print(f"{'workload':24} {'NK Sync':>12} {'Kinto':>12} {'NK/Kinto':>10}  target")
for name, ours, theirs, higher, target in rows:
    ratio = ours / theirs if higher else theirs / ours
    met = "" if target is None else ("met" if ratio >= target else "MISSED") + f" (>= {target}x)"
    print(f"{name:24} {ours:12.4g} {theirs:12.4g} {ratio:9.1f}x  {met}", file=sys.stderr)
    out["ratios"][name] = round(ratio, 2)
print(json.dumps(out["ratios"], sort_keys=True))
PY
