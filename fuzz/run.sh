#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bounded fuzzing: builds the libFuzzer targets in BUILDDIR (configured
# with clang and -Dfuzzing=true when it does not exist yet) and runs each
# for SECONDS, starting from its seeds in fuzz/corpus/<target>/. New inputs
# go to a temporary directory, never into the committed corpus; a crash,
# leak, timeout or failed property is saved as BUILDDIR/fuzz-artifacts/
# <target>-crash-... and fails the target. Ends with "fuzz: N passed, N
# failed"; exits non-zero when any target failed.
# Usage: fuzz/run.sh BUILDDIR SECONDS [TARGET...]
set -uo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILDDIR SECONDS [TARGET...]" >&2
  exit 2
fi
builddir=$(realpath -m "$1")
seconds=$2
shift 2
cd "$(dirname "$0")/.."
corpora=fuzz/corpus

if [ ! -f "$builddir/build.ninja" ]; then
  CC=clang meson setup "$builddir" -Dfuzzing=true --werror >/dev/null || exit 1
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in "$corpora"/*/; do
    targets+=("$(basename "$dir")")
  done
fi
if ! build_output=$(ninja -C "$builddir" "${targets[@]/#/fuzz/fuzz-}" 2>&1); then
  printf '%s\n' "$build_output" | tail -n 20
  echo "fuzz: the targets do not build"
  exit 1
fi

artifacts=$builddir/fuzz-artifacts
mkdir -p "$artifacts"
passed=0
failed=0
for name in "${targets[@]}"; do
  work=$(mktemp -d)
  log=$artifacts/$name.log
  # -close_fd_mask=3: the targets' own output (libxml2 errors, mock-mkhost
  # messages) is noise; libFuzzer and the sanitizers still report.
  if "$builddir/fuzz/fuzz-$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
       -close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
       "$work" "$corpora/$name" >"$log" 2>&1; then
    echo "fuzz $name: ok ($(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED (log: $log)"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*property failed|.*runtime error)' "$log" | head -5
    failed=$((failed + 1))
  fi
  rm -rf "$work"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
