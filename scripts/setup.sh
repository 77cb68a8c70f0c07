#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test NK Sync: the SQLite and libcurl
# headers, PostgreSQL (the tests of the PostgreSQL store start a private server of their own), the
# sqlite3 shell (the upgrade fixture tests read databases with it), jq (Tests/Fixtures/make-fixtures.sh),
# and for the reliability suites libfaketime (clock skew), libfiu (disk faults), gdb (the stacks of a
# program that hung under faults) and Python's venv (schemathesis, installed from PyPI by
# scripts/schemathesis.sh).
# Safe to run again; does nothing when they are there.
set -euo pipefail

missing=()
for pkg in libsqlite3-dev sqlite3 jq libcurl4-openssl-dev pkg-config curl postgresql faketime libfaketime fiu-utils gdb python3-venv; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (apt-get)" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "error: swift is not on PATH (expected /opt/swift/usr/bin)" >&2; exit 1; }
