#!/usr/bin/env bash
# Runs every test: pure model tests, store and route tests, and the live end-to-end tests that start
# a real nkserver on 127.0.0.1 and drive real nkclient replicas over libcurl.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# Build the executables too: the live tests run the real binaries.
swift build --build-tests
swift test --skip-build "$@"
