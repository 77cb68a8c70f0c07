#!/usr/bin/env bash
# Runs the tests, by tier (CONTRIBUTING.md has each tier's time on the 2-core build machine):
#
#   scripts/test.sh                 unit and live tests on SQLite: the model, stores and routes in
#                                   process, and real nkserver / nkclient processes over libcurl
#   scripts/test.sh --all           every tier, as CI runs it: unit, live and postgres beside a private
#                                   PostgreSQL, slow (the tools' tests: reliability quick suites and
#                                   benchmark smoke tests), schemathesis on both stores, a short fuzzing
#                                   run, and the suite again under AddressSanitizer and ThreadSanitizer
#   scripts/test.sh --tier T        one tier: unit, live, postgres or slow
#   scripts/test.sh ARGS...         unit and live, with `swift test` arguments (--filter NAME, say)
#
# Tests run in parallel: a test that waits for child processes runs on threads of its own (the
# `.processes` trait, Tests/NKTestTraits), never on Swift's cooperative pool.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

# The suites tagged `.postgres` (their cases over PostgreSQL run when it is there), as a --filter.
postgres_suites() {
    grep -l '\.postgres)' Tests/*/*.swift | xargs awk '
        /^@Suite/ { pending = 1 }
        pending && match($0, /(struct|final class|enum) [A-Za-z0-9_]+/) {
            split(substr($0, RSTART, RLENGTH), words, " "); names = names sep words[2]; sep = "|"; pending = 0
        }
        END { print names }'
}

build() { # [NK_TOOLS value]
    NK_TOOLS="${1:-}" swift build --build-tests
}

# The slow tier's scripts: schemathesis on both stores, beside a short fuzzing run (each mostly one
# core: together they take the time of the longer), then the sanitizers.
slow_scripts() {
    local fuzz_log status=0
    fuzz_log="$(mktemp "${TMPDIR:-/tmp}/nk-fuzz-log.XXXXXX")"
    scripts/fuzz.sh 20 >"$fuzz_log" 2>&1 &
    local fuzz_pid=$!
    scripts/schemathesis.sh --quick || status=$?
    [ "$status" -ne 0 ] || scripts/with-postgres.sh scripts/schemathesis.sh --quick --postgres || status=$?
    local fuzz_status=0
    wait "$fuzz_pid" || fuzz_status=$?
    cat "$fuzz_log" >&2
    rm -f "$fuzz_log"
    [ "$status" -eq 0 ] || { echo "error: schemathesis failed" >&2; exit "$status"; }
    [ "$fuzz_status" -eq 0 ] || { echo "error: fuzzing failed" >&2; exit "$fuzz_status"; }
    scripts/with-postgres.sh scripts/sanitizers.sh all --quick
}

unit_filter='NKProtocolTests|NKServerTests|NKClientTests'
case "${1:-}" in
--all)
    shift
    [ $# -eq 0 ] || { echo "usage: scripts/test.sh --all (no other arguments)" >&2; exit 64; }
    start=$SECONDS
    build 1
    echo "== unit, live, postgres and slow tiers, beside a private PostgreSQL" >&2
    NK_TOOLS=1 scripts/with-postgres.sh swift test --skip-build
    echo "== slow tier: schemathesis on both stores, fuzzing, sanitizers" >&2
    slow_scripts
    echo "test.sh --all: every tier passed in $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s" >&2
    ;;
--tier)
    tier="${2:-}"
    shift 2 || true
    case "$tier" in
    unit)
        build
        swift test --skip-build --filter "$unit_filter" "$@"
        ;;
    live)
        build
        swift test --skip-build --filter NKEndToEndTests "$@"
        ;;
    postgres)
        build
        scripts/with-postgres.sh swift test --skip-build --filter "$(postgres_suites)" "$@"
        ;;
    slow)
        build 1
        NK_TOOLS=1 scripts/with-postgres.sh swift test --skip-build --filter NKToolTests "$@"
        slow_scripts
        ;;
    *)
        echo "usage: scripts/test.sh --tier unit|live|postgres|slow" >&2
        exit 64
        ;;
    esac
    ;;
*)
    build
    swift test --skip-build "$@"
    ;;
esac
