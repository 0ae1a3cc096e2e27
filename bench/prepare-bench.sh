#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
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
. "$src/bench/mock-nics.sh"

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
