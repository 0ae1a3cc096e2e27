#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: `vfio-hostdev list` against `lspci -k` on the same mocked host
# with 1000+ devices, in the same run. Target: list no slower than lspci -k.
# Usage: list-bench.sh BUILDDIR [RUNS]
set -eu
build=$(cd "$1" && pwd)
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$here/gen-large-host.sh" "$work"
"$build/tests/mock/mock-mkhost" "$work/large.ini" "$work/root"
devices=$(ls "$work/root/sys/bus/pci/devices" | wc -l)

export LD_PRELOAD="$build/tests/mock/libvfio-hostdev-mock.so"
export VFIO_HOSTDEV_MOCK_ROOT="$work/root"
export ASAN_OPTIONS=verify_asan_link_order=0

# Prints the best wall time in milliseconds of RUNS runs of a command.
best_ms() {
  best=
  i=0
  while [ "$i" -lt "$runs" ]; do
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    i=$((i + 1))
  done
  echo "$best"
}

listed=$("$build/tools/vfio-hostdev" list --json | grep -c '"address"')
lspci_listed=$(lspci -k 2>/dev/null | grep -c '^[0-9a-f]')
tool_ms=$(best_ms "$build/tools/vfio-hostdev" list)
json_ms=$(best_ms "$build/tools/vfio-hostdev" list --json)
lspci_ms=$(best_ms lspci -k)

echo "devices in the fake host: $devices (vfio-hostdev lists $listed, lspci $lspci_listed)"
echo "vfio-hostdev list:        ${tool_ms} ms (best of $runs)"
echo "vfio-hostdev list --json: ${json_ms} ms"
echo "lspci -k:                 ${lspci_ms} ms"
if [ "$tool_ms" -le "$lspci_ms" ]; then
  echo "target met: list is no slower than lspci -k"
else
  echo "target missed: list is slower than lspci -k"
fi
