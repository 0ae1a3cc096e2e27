# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario run: `run -d <e1000e> -- COMMAND` on the real kernel. The command
# checks sysfs itself: its device (VFIO_SELFTESTS_BDF, VFIO_HOSTDEV_BDFS) on
# vfio-pci with vfio-dev/ and the group node; the tool exits with the
# command's status (7); afterwards every device is as at boot, e1000e with
# its interface and no record. A command killed by a signal, and SIGTERM to
# the tool while the command runs (forwarded), restore the same way.
# Kept short (one boot, three runs): the vm suite is near its time budget.

e1k=$(vt_find 8086 10d3)
e1k_group=$(vt_link "$e1k" iommu_group)
vt_state > /tmp/start.state

# the command's view of its device, one line: BDFS|BDF|driver|vfio-dev|group node
# (expanded by the command's shell, not here)
# shellcheck disable=SC2016
seen='d=/sys/bus/pci/devices/$VFIO_SELFTESTS_BDF
printf "%s|%s|%s|%s|%s\n" "$VFIO_HOSTDEV_BDFS" "$VFIO_SELFTESTS_BDF" "$(basename "$(readlink "$d/driver")")" \
  "$(ls "$d/vfio-dev" | sed "s/[0-9]*$//")" "$([ -c "/dev/vfio/$1" ] && echo node)"'
vt_run "$VT_TOOL" run -d "$e1k" -- sh -c "$seen; exit 7" sh "$e1k_group"
vt_eq "run -d $e1k -- COMMAND exits with the command's status" 7 "$VT_RC"
vt_eq "the command saw $e1k on vfio-pci with vfio-dev/vfioN and /dev/vfio/$e1k_group" \
  "$e1k|$e1k|vfio-pci|vfio|node" "$VT_OUT"
vt_eq "run printed nothing of its own" "" "$VT_ERR"
vt_same_state "after the run every device is as at boot (e1000e on e1000e)" /tmp/start.state
vt_check "e1000e has its network interface again" [ -n "$(ls "/sys/bus/pci/devices/$e1k/net" 2>/dev/null)" ]
vt_eq "no record is left" none "$(vt_records)"

# killed by a signal: 128 + 15, restored
vt_run "$VT_TOOL" run -d "$e1k" -- sh -c 'kill -TERM $$'
vt_eq "a command killed by SIGTERM: run exits 143" 143 "$VT_RC"
vt_same_state "after the killed command every device is as at boot" /tmp/start.state

# SIGTERM to the tool while the command sleeps: forwarded, then restored
rm -f /tmp/run.started
"$VT_TOOL" run -d "$e1k" -- sh -c 'touch /tmp/run.started; exec sleep 60' &
pid=$!
for _ in $(seq 100); do [ -e /tmp/run.started ] && break; sleep 0.1; done
vt_eq "while the command runs $e1k is on vfio-pci" vfio-pci "$(vt_link "$e1k" driver)"
kill -TERM "$pid"
wait "$pid"
vt_eq "SIGTERM to run mid-command: exit 143" 143 "$?"
vt_same_state "after SIGTERM every device is as at boot" /tmp/start.state
vt_eq "no record is left after SIGTERM" none "$(vt_records)"
