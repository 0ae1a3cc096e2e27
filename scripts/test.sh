#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every test suite: the plain build (unit, mock, cli and the real-kernel
# vm suite), then the unit, mock and cli suites again under
# AddressSanitizer+UBSan and under valgrind. Installs what is missing first
# (scripts/setup.sh). Ends with "N passed, N failed" over all runs; exits
# non-zero when any test failed.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --vm || exit 1

passed=0
failed=0

# Adds the counts of a `meson test` summary to the totals.
count_results() {
  local log=$1 ok fail timeout unexpected
  ok=$(sed -n 's/^Ok: *\([0-9]*\)/\1/p' "$log" | tail -n1)
  fail=$(sed -n 's/^Fail: *\([0-9]*\)/\1/p' "$log" | tail -n1)
  timeout=$(sed -n 's/^Timeout: *\([0-9]*\)/\1/p' "$log" | tail -n1)
  unexpected=$(sed -n 's/^Unexpected Pass: *\([0-9]*\)/\1/p' "$log" | tail -n1)
  passed=$((passed + ${ok:-0}))
  failed=$((failed + ${fail:-0} + ${timeout:-0} + ${unexpected:-0}))
  # a run that crashed before its summary counts as a failure
  grep -q '^Ok:' "$log" || failed=$((failed + 1))
}

run_suite() {
  local name=$1; shift
  local log
  log=$(mktemp)
  echo "=== $name"
  meson test --print-errorlogs "$@" 2>&1 | tee "$log"
  count_results "$log"
  rm -f "$log"
}

run_suite "plain build: all suites" -C build

if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan --werror -Dtest_hooks=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-asan || failed=$((failed + 1))
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_suite "ASan+UBSan build" -C build-asan --no-suite vm

run_suite "valgrind" -C build --no-suite vm --no-suite mock --timeout-multiplier 4 \
  --wrap='valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --trace-children=yes --trace-children-skip=*/modprobe,*/sh,*/bash,*/lspci -q'

# ---- bounded fuzzing (fuzz/run.sh; owner: fuzz/) ---------------------------
# Every libFuzzer target for 12 s from its committed seeds in a clang build
# (build-fuzz/): nine targets take about two minutes. Each target that
# finds nothing counts as one passed test.
echo "=== fuzzing"
fuzz_log=$(mktemp)
fuzz/run.sh build-fuzz 12 2>&1 | tee "$fuzz_log"
fuzz_ok=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$fuzz_log")
fuzz_bad=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$fuzz_log")
# no summary line: the fuzz build or its setup failed
passed=$((passed + ${fuzz_ok:-0}))
failed=$((failed + ${fuzz_bad:-1}))
rm -f "$fuzz_log"
# ---- end of fuzzing ------------------------------------------------------------

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
