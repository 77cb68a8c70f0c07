#!/usr/bin/env bash
# Suite 9 (RELIABILITY.md): builds the package — tests, nkserver, nkclient, and without --quick the tools
# (nkreliability, nkbench and their tests, NK_TOOLS=1) — with ThreadSanitizer and/or AddressSanitizer,
# each in its own scratch folder (.build-tsan, .build-asan; the normal .build is never touched), and
# runs the test suite there, in parallel as scripts/test.sh does. The live tests start the binaries
# beside the test bundle (Tests/NKTestSupport/TestPaths.swift), so the servers and clients they start
# run under the same sanitizer. Prints one line of figures per sanitizer and exits 1 when a test failed
# or any process — the test runner or any child it started — wrote a sanitizer report.
#
#   scripts/sanitizers.sh [thread|address|all] [--quick | extra swift test args, e.g. --filter NKServerTests]
#
# --quick is the version `scripts/test.sh --all` (and so CI) runs: the unit, live and postgres tiers
# under AddressSanitizer, and under ThreadSanitizer all of them but the slowest live suites (LiveSync,
# Sharing, forged causality, upgrade fixtures, hostile servers, mixed versions, threads, the
# restored-server backup test), without the tools: the reliability quick suites run sanitized in the
# full run, which covers everything.
#
# NK_TIME_SCALE (default 4 here) multiplies the harness's time limits. Under AddressSanitizer the quick
# disk-fault test runs in a second pass without leak checking (see below).
# Reports go to files (`log_path`) in a temporary folder whose path is printed, one per process that
# reported, so a report from a child whose stderr a test swallows still fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

which="${1:-all}"
shift || true
quick=0
if [ "${1:-}" = "--quick" ]; then
    quick=1
    shift
fi
case "$which" in
thread) sanitizers=(thread) ;;
address) sanitizers=(address) ;;
all) sanitizers=(thread address) ;;
*)
    echo "usage: scripts/sanitizers.sh [thread|address|all] [--quick | swift test args...]" >&2
    exit 64
    ;;
esac

root="$PWD"
work="$(mktemp -d "${TMPDIR:-/tmp}/nk-sanitizers.XXXXXX")"
failed=0

for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
    thread) scratch=.build-tsan short=tsan runtime_symbol=__tsan_init ;;
    address) scratch=.build-asan short=asan runtime_symbol=__asan_init ;;
    esac
    reports="$work/$short-reports"
    mkdir -p "$reports"

    echo "building with --sanitize=$sanitizer in $scratch" >&2
    start=$SECONDS
    tools=$([ "$quick" -eq 1 ] || echo 1)
    if ! NK_TOOLS="$tools" nice -n 10 swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" \
        >"$work/$short-build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$work/$short-build.log" | tail -40 >&2
        echo "error: the $sanitizer build failed (log: $work/$short-build.log)" >&2
        exit 1
    fi
    build_seconds=$((SECONDS - start))

    # The live tests run what sits beside the test bundle; make sure it is the sanitized build, so a
    # server or client never silently runs without the sanitizer.
    bin="$root/$scratch/debug"
    products=(nkserver nkclient)
    [ -z "$tools" ] || products+=(nkreliability nkbench)
    for product in "${products[@]}"; do
        # (grep without -q: it must read all of nm's output, or pipefail sees nm's SIGPIPE.)
        if ! nm "$bin/$product" 2>/dev/null | grep " $runtime_symbol\$" >/dev/null; then
            echo "error: $bin/$product is not built with $sanitizer sanitizer" >&2
            exit 1
        fi
    done

    # Every process — the test runner and each nkserver / nkclient / nkreliability it starts, which
    # inherit the environment — writes its reports to $reports/report.PID instead of stderr.
    # Swift's own backtracer fights the sanitizers for the crash signals: off.
    # allocator_release_to_os_interval_ms=-1: with it on, the sanitizer allocator reads the clock while
    # holding its own lock; under libfaketime's preload (the clock-skew suite) that clock_gettime is
    # libfaketime's, whose first call dlsym()s and mallocs, re-entering the allocator: the process
    # hangs for ever at start-up (seen in gdb: FutexWait in GetFromAllocator under PopulateFreeArray ->
    # MonotonicNanoTime -> libfaketime clock_gettime -> dlsym -> malloc). It only stops the allocator
    # handing freed pages back to the system; it hides no report.
    common="log_path=$reports/report:log_exe_name=1:print_suppressions=0:allocator_release_to_os_interval_ms=-1"
    # ThreadSanitizer keeps going after a report (halt_on_error=0), so one slow run finds every race;
    # a process that reported exits 66, and the report files fail the run below in any case.
    tsan_options="$common:halt_on_error=0:exitcode=66:second_deadlock_stack=1"
    tsan_options+=":suppressions=$root/scripts/sanitizers/tsan.supp"
    # AddressSanitizer stops at the first error (the default, and all it can do without
    # -fsanitize-recover). Leak checking at exit is on; scripts/sanitizers/lsan.supp names only leaks
    # inside XCTest itself, which issue 6 allows.
    asan_options="$common:halt_on_error=1:detect_leaks=1:strict_string_checks=1"
    asan_options+=":check_initialization_order=1:detect_stack_use_after_return=1"

    # NK_TIME_SCALE: the harness's time limits (runCommand timeouts, client-kill's quick bound) x4,
    # because everything runs 5-20 times slower (Tests/NKTestSupport/ChildProcess.swift).
    run_tests() { # LOG ASAN_OPTIONS [swift test args...]
        local log="$1" asan="$2"
        shift 2
        local status=0
        SWIFT_BACKTRACE=enable=no NK_BIN_DIR="$bin" NK_TOOLS="$tools" NK_TIME_SCALE="${NK_TIME_SCALE:-4}" \
            TSAN_OPTIONS="$tsan_options" ASAN_OPTIONS="$asan" \
            LSAN_OPTIONS="suppressions=$root/scripts/sanitizers/lsan.supp:print_suppressions=0" \
            swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "$@" \
            2>&1 | tee "$log" || status=$?
        # Swift Testing's summary: "Test run with N tests in M suites passed|failed after S seconds ...".
        local summary
        summary="$(grep -E "Test run with [0-9]+ tests? " "$log" | tail -1 || true)"
        [ -n "$summary" ] || status=1
        tests=$((tests + $(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' <<<"$summary")+0))
        failed_tests=$((failed_tests + $(grep -cE "^✘ Test .* failed after" "$log" || true)))
        skipped_tests=$((skipped_tests + $(grep -cE "Test .*\) skipped" "$log" || true)))
        [ "$status" -eq 0 ] || exit_status=$status
    }
    tests=0 failed_tests=0 skipped_tests=0 exit_status=0
    echo "testing with --sanitize=$sanitizer (reports: $reports)" >&2
    start=$SECONDS
    fiu_test="ReliabilityQuickTests/injectedDiskFaultsLoseNothingAcknowledgedAndRebuildNothing"
    if [ "$sanitizer" = address ] && [ $# -eq 0 ] && [ -n "$tools" ]; then
        # The disk-fault test runs in a second pass without leak checking (AddressSanitizer still
        # checks every memory access): with detect_leaks=1, libfiu's preload cannot apply its
        # `enable_stack_by_name` rule (SQLite's `open` failing only under sqlite3_step): every program
        # started with it prints "fiu_run_preload: Error applying FIU_ENABLE commands: Error in
        # enable_stack_by_name" (3 of 3 sanitized nkclient runs; 0 of 3 with detect_leaks=0), which
        # the suite rightly counts as an unclear error.
        run_tests "$work/$short-test.log" "$asan_options" --skip "$fiu_test"
        echo "testing $fiu_test with --sanitize=address, detect_leaks=0" >&2
        run_tests "$work/$short-test-fiu.log" "$asan_options:detect_leaks=0" --filter "$fiu_test"
    elif [ "$sanitizer" = thread ] && [ "$quick" -eq 1 ]; then
        run_tests "$work/$short-test.log" "$asan_options" \
            --skip "LiveSyncTests|SharingTests|ForgedCausalityTests|UpgradeFixtureTests|HostileServerLiveTests|MixedVersionTests|ThreadTests|aRestoredServerHoldsWhatWasAcknowledged"
    else
        run_tests "$work/$short-test.log" "$asan_options" "$@"
    fi
    test_seconds=$((SECONDS - start))

    report_files=()
    for file in "$reports"/*; do
        [ -s "$file" ] && report_files+=("$file")
    done
    echo "suite=sanitizers sanitizer=$sanitizer quick=$([ "$quick" -eq 1 ] && echo yes || echo no) tests=$tests failed=$failed_tests skipped=$skipped_tests" \
        "exit=$exit_status reports=${#report_files[@]} build_seconds=$build_seconds test_seconds=$test_seconds"
    if [ "$exit_status" -ne 0 ] || [ "$failed_tests" -ne 0 ] || [ ${#report_files[@]} -gt 0 ]; then
        failed=1
        echo "error: the $sanitizer run failed (exit $exit_status, $failed_tests tests failed," \
            "${#report_files[@]} processes reported)" >&2
        for file in "${report_files[@]}"; do
            echo "--- $file" >&2
            grep -E "^(WARNING: ThreadSanitizer|==[0-9]+==ERROR|SUMMARY|    #[0-9] )" "$file" | head -30 >&2 || true
        done
    fi
done

if [ "$failed" -ne 0 ]; then
    echo "sanitizers: FAILED; logs and reports are in $work" >&2
    exit 1
fi
echo "sanitizers: logs in $work" >&2
