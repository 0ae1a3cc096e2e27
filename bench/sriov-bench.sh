#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# sriov-bench.sh BUILD_DIR [N] [VF_MS] [PROBE_MS]: `sriov PF --vfs N --bind`
# on a mocked host (q35-zoo plus one SR-IOV PF with N VFs at most) whose
# kernel takes VF_MS to create (or remove) each VF, one after another as
# sriov_numvfs does, and PROBE_MS for each VFIO probe (the VF's reset);
# against one VF. Target (issue 14): N VFs created and bound within 1.5 x
# (the time for one VF + the modelled serial creation of N).
set -euo pipefail
build=$(realpath "${1:?usage: sriov-bench.sh BUILD_DIR [N] [VF_MS] [PROBE_MS]}")
n=${2:-256}
vf_ms=${3:-50}
probe_ms=${4:-100}
src=$(cd "$(dirname "$0")/.." && pwd)

. "$src/bench/mock-host.sh"
bench_host_begin
# an Intel 82599-like PF on igb's place: its driver makes the VFs, which
# appear after it (routing IDs 0x4001 on, buses 0x40 and up)
pf=0000:40:00.0
printf '\n[driver igb]\nmodule=igb\n\n[device %s]\nvendor=0x8086\ndevice=0x10fb\nsubsystem-vendor=0x8086\nsubsystem-device=0x0000\nclass=0x020000\nrevision=0x01\nparent=0000:00:03.0\niommu-group=100\nreset-method=flr\ndriver=igb\nsriov-totalvfs=%d\nsriov-offset=1\nsriov-stride=1\nsriov-vf-device=0x10ed\n' \
  "$pf" "$n" >>"$fixture"
bench_host_end
printf 'sriov-vf %s\nprobe %s\n' "$vf_ms" "$probe_ms" >"$work/root/.mock/delays"

# the kernel adds and removes VFs one by one inside one write: hundreds take
# longer than the default 10 s a kernel write may block
timeout=(--unbind-timeout 120)
one=$(timed "$tool" sriov "$pf" --vfs 1 --bind "${timeout[@]}")
"$tool" reattach "$pf" "${timeout[@]}" >/dev/null
all=$(timed "$tool" sriov "$pf" --vfs "$n" --bind "${timeout[@]}")
bound=$(grep -c . < <(ls "$work/root/sys/bus/pci/drivers/vfio-pci" | grep -E '^[0-9a-f]{4}:'))
remove=$(timed "$tool" reattach "$pf" "${timeout[@]}")
serial=$(echo "scale=3; $n * $vf_ms / 1000" | bc)
limit=$(echo "scale=3; 1.5 * ($one + $serial)" | bc)

echo "modelled kernel time: ${vf_ms} ms per VF created (serial: ${serial} s for ${n}), ${probe_ms} ms per VFIO probe"
echo "1 VF:    created and bound in ${one} s"
echo "$n VFs: created and bound in ${all} s (${bound} on vfio-pci), removed by reattach in ${remove} s"
echo "limit: 1.5 x (${one} + ${serial}) = ${limit} s"
[[ $bound == "$n" ]]
[[ $(<"$work/root/sys/bus/pci/devices/$pf/sriov_numvfs") == 0 ]]
echo "$all <= $limit" | bc | grep -q 1
