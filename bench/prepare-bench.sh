#!/bin/bash
# prepare-bench.sh BUILD_DIR [N] [DELAY_MS]: prepare + release of N managed
# devices (one IOMMU group each) for one owner, on a mocked host whose
# unbind and probe each take DELAY_MS (a modelled kernel delay), against
# preparing and releasing the same devices one at a time (N owners, one
# device each, one after the other). Prints both. Target (issue 6): the
# whole VM in well under the one-at-a-time time, since prepare does the
# kernel work of different groups concurrently.
set -euo pipefail
build=$(realpath "${1:?usage: prepare-bench.sh BUILD_DIR [N] [DELAY_MS]}")
n=${2:-16}
delay=${3:-100}
src=$(cd "$(dirname "$0")/.." && pwd)
# /run is a tmpfs on real hosts: keep the fake root (records, journals) on one too
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

now() { date +%s%N; }
seconds() { echo "scale=3; ($2 - $1) / 1000000000" | bc; }

start=$(now)
"$tool" prepare --owner bench "${devices[@]}" >/dev/null
"$tool" release --owner bench >/dev/null
end=$(now)
together=$(seconds "$start" "$end")

start=$(now)
for d in "${devices[@]}"; do "$tool" prepare --owner "one-$d" "$d" >/dev/null; done
for d in "${devices[@]}"; do "$tool" release --owner "one-$d" >/dev/null; done
end=$(now)
one_by_one=$(seconds "$start" "$end")

kernel=$(echo "scale=3; 4 * $delay * $n / 1000" | bc)
echo "modelled kernel time: ${kernel} s in all (unbind + probe, ${delay} ms each, at prepare and at release, ${n} devices)"
echo "prepare + release of ${n} devices for one owner: ${together} s"
echo "the same one device at a time:                  ${one_by_one} s"
echo "speed-up: $(echo "scale=1; $one_by_one / $together" | bc)x"
# concurrency must show: at least twice as fast as one at a time
echo "$together * 2 < $one_by_one" | bc | grep -q 1
