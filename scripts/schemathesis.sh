#!/usr/bin/env bash
# Suite 8 of issue 6 (RELIABILITY.md): schemathesis against the server's own OpenAPI document
# (GET /openapi.json, Server/Resources/openapi.json) on loopback, with a valid token and without.
#
#   scripts/schemathesis.sh [--quick] [--examples N] [--seed N] [--postgres]
#
# --postgres serves from a new database on the PostgreSQL of $NK_POSTGRES_URL (run it under
# scripts/with-postgres.sh) instead of an SQLite file.
# Builds nothing: the server is $NKSERVER (default .build/debug/nkserver). Schemathesis comes from
# PyPI into a venv under .build-py/ (git-ignored), made on the first run and reused. Prints one line
# of figures and exits non-zero on any failure. --quick (CI) runs about a minute.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
NKSERVER=${NKSERVER:-$ROOT/.build/debug/nkserver}
VENV=${NK_SCHEMATHESIS_VENV:-$ROOT/.build-py/venv}
SCHEMATHESIS_VERSION=4.32.5
CONFIG=$ROOT/scripts/schemathesis
EXAMPLES=150
SEED=8
POSTGRES=0

while [ $# -gt 0 ]; do
    case "$1" in
        --quick) EXAMPLES=20 ;;
        --examples) EXAMPLES=${2:?--examples needs a number}; shift ;;
        --seed) SEED=${2:?--seed needs a number}; shift ;;
        --postgres) POSTGRES=1 ;;
        -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "schemathesis.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ ! -x "$NKSERVER" ]; then
    echo "schemathesis.sh: no server at $NKSERVER; run 'swift build --product nkserver' or set NKSERVER" >&2
    exit 2
fi
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
    echo "schemathesis.sh: installing schemathesis $SCHEMATHESIS_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/nk-schemathesis.XXXXXX")
SERVER_PID=""
PG_DB=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$PG_DB" ]; then
        "$NK_POSTGRES_BIN/psql" "$NK_POSTGRES_URL" -Xqc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A server with the sample posts (so record ids exist), a user in a group, on a free loopback port.
# The rate limit is raised so that every request reaches the API; 429 stays documented for /v1.
STORE=(--db "$WORK/server.sqlite")
if [ "$POSTGRES" = 1 ]; then
    if [ -z "${NK_POSTGRES_URL:-}" ]; then
        echo "schemathesis.sh: --postgres needs NK_POSTGRES_URL: run it under scripts/with-postgres.sh" >&2
        exit 2
    fi
    PG_DB="nk_schemathesis_$$"
    "$NK_POSTGRES_BIN/psql" "$NK_POSTGRES_URL" -Xqc "CREATE DATABASE $PG_DB"
    STORE=(--store "${NK_POSTGRES_URL%%/postgres\?*}/$PG_DB?sslmode=disable")
fi
"$NKSERVER" import "${STORE[@]}" "$ROOT"/samples/corpus/*.txt >/dev/null
TOKEN=$("$NKSERVER" user add "${STORE[@]}" alice)
"$NKSERVER" group add "${STORE[@]}" team >/dev/null
"$NKSERVER" group add-member "${STORE[@]}" team alice >/dev/null
"$NKSERVER" serve "${STORE[@]}" --host 127.0.0.1 --port 0 --rate-limit 10000 --failed-auth-limit 0 --log-level warning \
    >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$WORK/serve.out")
    [ -n "$PORT" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
done
if [ -z "$PORT" ]; then
    echo "schemathesis.sh: the server did not start:" >&2
    cat "$WORK/serve.err" >&2
    exit 1
fi

# The document as the server serves it, loaded from a file: schemathesis skips the operation that
# serves the document it was loaded from, and GET /openapi.json is an operation to test like the rest.
if ! curl --silent --fail --output "$WORK/openapi.json" "http://127.0.0.1:$PORT/openapi.json"; then
    echo "schemathesis.sh: GET /openapi.json failed" >&2
    exit 1
fi

# run LABEL [schemathesis options...]: one schemathesis run; its exit code goes to LABEL.exit.
run() {
    local label=$1
    shift
    local status=0
    (cd "$WORK" && SCHEMATHESIS_HOOKS="$CONFIG/hooks.py" "$VENV/bin/schemathesis" \
        --config-file "$CONFIG/schemathesis.toml" run "$WORK/openapi.json" --url "http://127.0.0.1:$PORT" \
        --checks all --max-examples "$EXAMPLES" --seed "$SEED" --request-timeout 70 --no-color \
        --report ndjson --report-ndjson-path "$WORK/$label.ndjson" "$@" >"$WORK/$label.log" 2>&1) || status=$?
    echo "$status" >"$WORK/$label.exit"
    if [ "$status" -ne 0 ]; then
        echo "schemathesis.sh: the run $label failed (exit $status):" >&2
        awk '/^=+ (FAILURES|ERRORS) =+$/ { shown = 1 } shown' "$WORK/$label.log" >&2
        grep -q '^=* \(FAILURES\|ERRORS\) =*$' "$WORK/$label.log" || tail -n 20 "$WORK/$label.log" >&2
    fi
}

START=$SECONDS
run token --header "Authorization: Bearer $TOKEN"
run no-token --warnings off
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "schemathesis.sh: the server died during the run:" >&2
    tail -n 20 "$WORK/serve.err" >&2
    exit 1
fi

"$VENV/bin/python" "$CONFIG/summary.py" \
    --spec "$WORK/openapi.json" \
    --token-report "$WORK/token.ndjson" --token-exit "$(cat "$WORK/token.exit")" \
    --no-token-report "$WORK/no-token.ndjson" --no-token-exit "$(cat "$WORK/no-token.exit")" \
    --examples "$EXAMPLES" --seed "$SEED" --seconds $((SECONDS - START))
