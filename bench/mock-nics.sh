# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the bind and prepare benchmarks: a mocked host (q35-zoo plus N
# e1000e NICs, each alone in its IOMMU group behind root port 00:03.0) whose
# unbind and probe each take DELAY_MS, vfio_pci already loaded.
# Needs: build, n, delay, src. Sets: work, tool, devices; exports the mock's
# environment (mock-host.sh).
. "$src/bench/mock-host.sh"
bench_host_begin
for ((i = 0; i < n; i++)); do
  printf '\n[device 0000:%02x:00.0]\nvendor=0x8086\ndevice=0x10d3\nsubsystem-vendor=0x8086\nsubsystem-device=0x0000\nclass=0x020000\nrevision=0x00\nparent=0000:00:03.0\niommu-group=%d\nreset-method=flr\ndriver=e1000e\n' \
    $((0x40 + i)) $((100 + i)) >>"$fixture"
done
bench_host_end
printf 'unbind %s\nprobe %s\n' "$delay" "$delay" >"$work/root/.mock/delays"

devices=()
for ((i = 0; i < n; i++)); do devices+=("$(printf '0000:%02x:00.0' $((0x40 + i)))"); done
