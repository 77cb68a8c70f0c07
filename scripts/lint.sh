#!/usr/bin/env bash
# The format gate CI runs first: `swift format lint --strict` over every Swift file of the package, with
# the rules of .swift-format. Fix what it reports with `swift format format -i FILE...`.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
swift format lint --strict --recursive --parallel Package.swift Protocol Server Client Sources Tests
echo "lint: swift format --strict found nothing" >&2
