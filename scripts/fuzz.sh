#!/usr/bin/env bash
# Suite 7 (RELIABILITY.md): builds the libFuzzer targets over NKProtocol with AddressSanitizer and runs each
# for SECONDS_PER_TARGET (default 20) from the seeds in Tests/FuzzCorpus (and samples/corpus for the
# importer). Prints one line of figures per target; exits 1 when a target found a crash, a trap, an ASan
# report, a leak or an input slower than 10 s, or did not fuzz (no `cov:`).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# The targets exist only when NK_FUZZ=1 (see the end of Package.swift), and build in .build-fuzz (or
# $NK_FUZZ_SCRATCH) so they never touch the normal .build. Findings, logs and the grown corpora stay in a
# temporary folder whose path is printed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"

seconds="${1:-20}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzWire FuzzVersionVector FuzzCorpus FuzzValidation FuzzAnchor)
scratch="${NK_FUZZ_SCRATCH:-.build-fuzz}"
work="$(mktemp -d "${TMPDIR:-/tmp}/nk-fuzz.XXXXXX")"

for target in "${targets[@]}"; do
    echo "building $target (swift build -c release --sanitize=fuzzer, AddressSanitizer)" >&2
    # Release: about 4 times the executions per second of a debug build, with the same overflow and bounds
    # traps. ld.gold warns about every ASan symbol it cannot export: noise, not a problem.
    if ! NK_FUZZ=1 nice -n 5 swift build -c release --scratch-path "$scratch" --sanitize=fuzzer \
        -Xswiftc -sanitize=fuzzer,address --product "$target" >"$work/build-$target.log" 2>&1; then
        grep -v "Cannot export local symbol" "$work/build-$target.log" >&2
        echo "error: $target did not build (log: $work/build-$target.log)" >&2
        exit 1
    fi
done

failed=0
for target in "${targets[@]}"; do
    corpus="$work/corpus/$target"
    crashes="$work/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    seeds=("Tests/FuzzCorpus/$target")
    options=()
    case "$target" in
    FuzzCorpus) seeds+=(samples/corpus) && options+=(-dict=Tests/FuzzCorpus/dump.dict) ;;
    FuzzAnchor) ;;
    *) options+=(-dict=Tests/FuzzCorpus/json.dict) ;;
    esac
    log="$work/$target.log"
    # The first folder is the working corpus libFuzzer adds to; the seed folders are only read.
    status=0
    SWIFT_BACKTRACE=enable=no nice -n 5 "$scratch/release/$target" \
        -max_total_time="$seconds" -timeout=20 -max_len=8192 -print_final_stats=1 "${options[@]}" \
        -artifact_prefix="$crashes/" "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)"
    found="$(find "$crashes" -type f | wc -l)"
    echo "suite=fuzz target=$target runs=${runs:-0} cov=${cov:-0} seconds=$seconds crashes=$found"
    if [ -z "$cov" ]; then
        echo "error: $target did not fuzz: no 'cov:' in its log ($log)" >&2
        failed=1
    elif [ "$found" -gt 0 ] || [ "$status" -ne 0 ]; then
        echo "error: $target found a defect (exit $status); log: $log" >&2
        grep -m 5 -E "^(==[0-9]+==ERROR|SUMMARY|.*Fatal error)" "$log" >&2 || true
        for artefact in "$crashes"/*; do
            [ -e "$artefact" ] || continue
            echo "  artefact: $artefact" >&2
            echo "  reproduce: SWIFT_BACKTRACE=enable=no $scratch/release/$target $artefact" >&2
        done
        failed=1
    fi
done

if [ "$failed" -ne 0 ]; then
    echo "fuzz: FAILED; logs, corpora and artefacts are in $work" >&2
    exit 1
fi
echo "fuzz: logs and grown corpora in $work" >&2
