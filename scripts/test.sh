#!/usr/bin/env bash
# Runs every test: pure model tests, store and route tests, and the live end-to-end tests that start
# a real nkserver on 127.0.0.1 and drive real nkclient replicas over libcurl.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# Build the executables too: the live tests run the real binaries.
swift build --build-tests
# One test at a time: the live tests wait on child processes with blocking calls, which on a
# 2-core machine can hold every thread of Swift's cooperative pool and starve the async tests
# running beside them (a watcher test took 30 s instead of 0.7 s that way).
# Beside a private PostgreSQL (scripts/with-postgres.sh: a free port on 127.0.0.1, removed after), so
# the store conformance suite and the live tests run against both stores; without PostgreSQL
# installed those cases are left out and PostgresAvailabilityTests/ScaleOutTests say they were skipped.
scripts/with-postgres.sh swift test --skip-build --no-parallel "$@"
# Only for the whole suite (no filter given): the API conformance run against the OpenAPI
# document (RELIABILITY.md, suite 8), about a minute on each store,
# and a short run of every libFuzzer target (suite 7; its own sanitizer build, about 3 minutes).
if [ $# -eq 0 ]; then
    scripts/schemathesis.sh --quick
    scripts/with-postgres.sh scripts/schemathesis.sh --quick --postgres
    scripts/fuzz.sh 20
fi
