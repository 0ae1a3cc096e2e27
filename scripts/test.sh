#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every test suite: the plain build (unit, mock, cli), the real-kernel
# vm suite on each guest kernel (stock, modern), then the unit, mock and cli
# suites again under AddressSanitizer+UBSan and under valgrind, a clang
# build with warnings as errors, and bounded fuzzing. Installs what is missing first (scripts/setup.sh) and prepares
# the VM guest kernels as an explicit early phase (the modern one is built
# from source the first time: ~10 min on 2 cores). Prints the time of each
# phase ("=== phase: NAME done in N s") and a summary; ends with
# "N passed, N failed" over all runs; exits non-zero when any test failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
t_start=$(date +%s)
phase_summary=""
phase_name=""
phase_t0=0

# phase_begin NAME / phase_end: one line with each phase's duration, and a
# summary at the end.
phase_begin() {
  phase_name=$1
  phase_t0=$(date +%s)
  echo "=== phase: $phase_name"
}
phase_end() {
  local dt=$(( $(date +%s) - phase_t0 ))
  echo "=== phase: $phase_name done in $dt s"
  phase_summary+=$(printf '%6d s  %s' "$dt" "$phase_name")$'\n'
}

phase_begin "setup (packages, build)"
scripts/setup.sh --vm || exit 1
phase_end

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

# The guest kernels the vm suite declares tests for (tests/vm/meson.build,
# vm_kernels): those with tests in suite vm-KERNEL.
vm_kernels=""
for k in stock modern; do
  meson test -C build --list --suite "vm-$k" 2>/dev/null | grep -q ' / vm-' && vm_kernels+=" $k"
done

# The guest kernels first, so their cost shows on its own (the vm-prepare
# tests then find them cached). A failure here shows again as a failed
# vm-prepare test in the VM phase, where it is counted.
for k in $vm_kernels; do
  phase_begin "VM kernel preparation ($k)"
  tests/vm/run.sh -k "$k" --prepare || echo "test.sh: preparing the $k guest kernel failed (exit $?)"
  phase_end
done

phase_begin "plain build: unit, mock, cli suites"
run_suite "plain build: all suites but vm" -C build --no-suite vm
phase_end

for k in $vm_kernels; do
  phase_begin "VM suite ($k kernel)"
  run_suite "plain build: vm suite, $k kernel" -C build --suite "vm-$k"
  phase_end
done

phase_begin "ASan+UBSan build and suites"
if [ ! -f build-asan/build.ninja ]; then
  meson setup build-asan --werror -Dtest_hooks=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-asan || failed=$((failed + 1))
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  run_suite "ASan+UBSan build" -C build-asan --no-suite vm
phase_end

# The same code through clang with warnings as errors: clang sees what gcc
# does not (a cleanup variable never read, a non-literal format). One test.
phase_begin "clang -Werror build"
if [ ! -f build-clang/build.ninja ]; then
  CC=clang meson setup build-clang --werror -Dtest_hooks=true >/dev/null
fi
if ninja -C build-clang >/dev/null; then
  passed=$((passed + 1))
else
  ninja -C build-clang 2>&1 | grep -E 'error:|warning:' | head -n 20
  failed=$((failed + 1))
fi
phase_end

phase_begin "valgrind"
run_suite "valgrind" -C build --no-suite vm --no-suite mock --timeout-multiplier 4 \
  --wrap='valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite --trace-children=yes --trace-children-skip=*/modprobe,*/sh,*/bash,*/lspci -q'
phase_end

# ---- bounded fuzzing (fuzz/run.sh; owner: fuzz/) ---------------------------
# Every libFuzzer target for 12 s from its committed seeds in a clang build
# (build-fuzz/): nine targets take about two minutes. Each target that
# finds nothing counts as one passed test.
phase_begin "fuzzing"
fuzz_log=$(mktemp)
fuzz/run.sh build-fuzz 12 2>&1 | tee "$fuzz_log"
fuzz_ok=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$fuzz_log")
fuzz_bad=$(sed -n 's/^fuzz: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$fuzz_log")
# no summary line: the fuzz build or its setup failed
passed=$((passed + ${fuzz_ok:-0}))
failed=$((failed + ${fuzz_bad:-1}))
rm -f "$fuzz_log"
phase_end
# ---- end of fuzzing ------------------------------------------------------------

echo "=== timing summary"
printf '%s' "$phase_summary"
printf '%6d s  total\n' "$(( $(date +%s) - t_start ))"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
