#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
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
. "$src/bench/mock-nics.sh"

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
