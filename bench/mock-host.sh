# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by every benchmark on a mocked host: bench_host_begin makes the
# work dir (on a tmpfs when there is one, as /run is on real hosts: records,
# journals, locks) with q35-zoo's fixture copied to $work/bench.* for the
# caller to extend; bench_host_end builds the fake root from it, exports the
# mock's environment and loads vfio_pci. Needs: build, src. Sets: work,
# fixture, tool.
bench_host_begin() {
  work=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
  trap 'rm -rf "$work"' EXIT
  fixture=$work/bench.ini
  cp "$src/tests/fixtures/q35-zoo.ini" "$fixture"
  local ext
  for ext in modules.alias modules.builtin.alias kconfig; do
    cp "$src/tests/fixtures/q35-zoo.$ext" "$work/bench.$ext"
  done
}

bench_host_end() {
  "$build/tests/mock/mock-mkhost" "$fixture" "$work/root"
  export LD_PRELOAD=$build/tests/mock/libvfio-hostdev-mock.so VFIO_HOSTDEV_MOCK_ROOT=$work/root
  export PATH=$build/tests/mock:$PATH
  tool=$build/tools/vfio-hostdev
  modprobe vfio_pci
}

# Seconds (with milliseconds) a command takes; fails the benchmark if it fails.
timed() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / 1000000000" | bc
}
