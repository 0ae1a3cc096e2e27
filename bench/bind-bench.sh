#!/bin/bash
# bind-bench.sh BUILD_DIR [N] [DELAY_MS]: binds and reattaches N independent
# devices (one IOMMU group each) on a mocked host whose unbind and probe
# each take DELAY_MS (a modelled kernel delay), and reports wall time and
# per-device time, next to one device alone. Target (issue 4): N devices
# within 2x the time of one.
set -euo pipefail
build=$(realpath "${1:?usage: bind-bench.sh BUILD_DIR [N] [DELAY_MS]}")
n=${2:-64}
delay=${3:-100}
src=$(cd "$(dirname "$0")/.." && pwd)
# /run is a tmpfs on real hosts: keep the fake root (records, locks) on one too
work=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$work"' EXIT

# q35-zoo plus N e1000e NICs, each alone in its group behind root port 00:03.0
fixture=$work/bench.ini
cp "$src/tests/fixtures/q35-zoo.ini" "$fixture"
cp "$src/tests/fixtures/q35-zoo.modules.alias" "$work/bench.modules.alias"
cp "$src/tests/fixtures/q35-zoo.modules.builtin.alias" "$work/bench.modules.builtin.alias"
for ((i = 0; i < n; i++)); do
  printf '\n[device 0000:%02x:00.0]\nvendor=0x8086\ndevice=0x10d3\nsubsystem-vendor=0x8086\nsubsystem-device=0x0000\nclass=0x020000\nrevision=0x00\nparent=0000:00:03.0\niommu-group=%d\nreset-method=flr\ndriver=e1000e\n' \
    $((0x40 + i)) $((100 + i)) >>"$fixture"
done
"$build/tests/mock/mock-mkhost" "$fixture" "$work/root"

export LD_PRELOAD=$build/tests/mock/libvfio-hostdev-mock.so VFIO_HOSTDEV_MOCK_ROOT=$work/root
export PATH=$build/tests/mock:$PATH
tool=$build/tools/vfio-hostdev
modprobe vfio_pci
printf 'unbind %s\nprobe %s\n' "$delay" "$delay" >"$work/root/.mock/delays"

devices=()
for ((i = 0; i < n; i++)); do devices+=("$(printf '0000:%02x:00.0' $((0x40 + i)))"); done

# Seconds (with milliseconds) a command takes; fails the benchmark if it fails.
timed() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / 1000000000" | bc
}

one_bind=$(timed "$tool" bind "${devices[0]}")
one_reattach=$(timed "$tool" reattach "${devices[0]}")
all_bind=$(timed "$tool" bind "${devices[@]}")
all_reattach=$(timed "$tool" reattach "${devices[@]}")
kernel=$(echo "scale=3; 2 * $delay / 1000" | bc)

echo "modelled kernel time per device: ${kernel} s (unbind + probe, ${delay} ms each)"
echo "1 device:   bind ${one_bind} s, reattach ${one_reattach} s"
echo "$n devices: bind ${all_bind} s, reattach ${all_reattach} s"
echo "per device: bind $(echo "scale=4; $all_bind / $n" | bc) s, reattach $(echo "scale=4; $all_reattach / $n" | bc) s"
ratio=$(echo "scale=2; ($all_bind + $all_reattach) / ($one_bind + $one_reattach)" | bc)
echo "ratio ${n} devices / 1 device (bind+reattach): ${ratio} (target <= 2)"
overhead=$(echo "scale=1; 100 * ($one_bind - $kernel) / $kernel" | bc)
echo "tool overhead for one bind over the kernel's time: ${overhead}% (target < 10%)"
echo "$ratio <= 2" | bc | grep -q 1
