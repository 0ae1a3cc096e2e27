# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario bind-variant: `bind` of edu chooses its VFIO variant driver
# qedu_mig (driver qedu-mig, a name without "vfio" that differs from the
# module's), loads it, binds, and the kernel shows a VFIO device; the record
# and `status` say edu was unbound; a second bind changes nothing;
# `reattach` is refused while a process holds the group node, then puts edu
# back exactly as it was (unbound, no override) and drops the record. Every
# fact is read from sysfs and /dev, not from the tool.
# Live migration: qedu_mig registers mig_ops with VFIO_MIGRATION_STOP_COPY,
# vfio-pci none. `list`/`show --json` say what debugfs says (unknown while
# it is unmounted; modern: vfio/<BDF>/migration/ exists, stock: no VFIO
# debugfs at all); `show --probe-migration` asks the device (both kernels):
# stop_copy for qedu-mig, nothing for vfio-pci; refused while held.

edu=$(vt_find 1234 11e8)
edu_dev=/sys/bus/pci/devices/$edu
edu_group=$(vt_link "$edu" iommu_group)
vt_state > /tmp/start.state
vt_eq "edu ($edu) starts unbound" - "$(vt_link "$edu" driver)"
vt_eq "edu starts without driver_override" "(null)" "$(vt_override "$edu")"
vt_check "qedu_mig is not loaded before bind" [ ! -e /sys/module/qedu_mig ]
vt_eq "no record before bind" none "$(vt_records)"

vt_blob bind-json "$VT_TOOL" bind --json "$edu"
vt_check "bind loaded module qedu_mig" [ -d /sys/module/qedu_mig ]
vt_check "module qedu_mig registers driver qedu-mig" [ -e /sys/module/qedu_mig/drivers/pci:qedu-mig ]
vt_vfio_bound "$edu" qedu-mig
edu_vfio=$(ls "$edu_dev/vfio-dev" 2>/dev/null)
vt_eq "a record for edu exists" "$edu.record" "$(vt_records)"
vt_blob status-json "$VT_TOOL" status --json
vt_blob facts echo "$edu $edu_vfio $edu_group $VT_KERNEL"

# Migration, as debugfs says (the guest has not mounted it) and as the device does.
# busybox modprobe ignores vfio's softdep on the type1 IOMMU driver, which
# the probe's container needs on stock (modern has iommufd).
vt_check "vfio_iommu_type1 loads" modprobe vfio_iommu_type1
vt_blob mig-unmounted "$VT_TOOL" show --json "$edu"
vt_check "mount debugfs" mount -t debugfs debugfs /sys/kernel/debug
if [ "$VT_KERNEL" = modern ]; then
  vt_check "the kernel made vfio/$edu/migration/ in debugfs (CONFIG_VFIO_DEBUGFS, qedu_mig's mig_ops)" \
    [ -d "/sys/kernel/debug/vfio/$edu/migration" ]
else
  vt_check "the stock kernel has no VFIO debugfs" [ ! -e /sys/kernel/debug/vfio ]
fi
vt_blob mig-list "$VT_TOOL" list --json
vt_blob mig-probe "$VT_TOOL" show --json --probe-migration "$edu"

# Already bound: says so, changes nothing.
vt_state > /tmp/bound.state
cp "/run/vfio-hostdev/$edu.record" /tmp/bound.record
vt_expect_rc 0 "bind $edu again" "$VT_TOOL" bind "$edu"
vt_has "bind again says edu is already bound" "$VT_OUT" "$edu" "already bound"
vt_same_state "bind again changes no driver, override or VF count" /tmp/bound.state
vt_eq "bind again keeps the same vfio-dev" "$edu_vfio" "$(ls "$edu_dev/vfio-dev" 2>/dev/null)"
vt_check "bind again leaves the record as it was" cmp "/run/vfio-hostdev/$edu.record" /tmp/bound.record

# A process holding /dev/vfio/<group> (a VM) blocks reattach, named.
# (a background process, like a VM; not this shell, whose fds the tool inherits)
sleep 600 7<>"/dev/vfio/$edu_group" &
holder=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "/proc/$holder/fd/7" ] && break; sleep 0.5; done
vt_expect_rc 4 "reattach while a process holds /dev/vfio/$edu_group" "$VT_TOOL" reattach "$edu"
vt_has "the refusal names the holder and the node" "$VT_ERR" "process $holder (sleep)" "/dev/vfio/$edu_group"
vt_expect_rc 4 "show --probe-migration while a process holds /dev/vfio/$edu_group" \
  "$VT_TOOL" show --probe-migration "$edu"
vt_has "the probe's refusal names the holder" "$VT_ERR" "process $holder (sleep)"
vt_same_state "the refused reattach changed nothing" /tmp/bound.state
kill "$holder"; wait "$holder" 2>/dev/null

# Back exactly as before: unbound, no override, no record.
vt_expect_rc 0 "reattach $edu" "$VT_TOOL" reattach "$edu"
vt_eq "edu is unbound again" - "$(vt_link "$edu" driver)"
vt_eq "edu's driver_override is clear again" "(null)" "$(vt_override "$edu")"
vt_check "vfio-dev is gone" [ -z "$(ls "$edu_dev/vfio-dev" 2>/dev/null)" ]
vt_check "/dev/vfio/$edu_group is gone" [ ! -e "/dev/vfio/$edu_group" ]
vt_eq "reattach removed the record" none "$(vt_records)"
vt_blob status-after "$VT_TOOL" status --json
vt_same_state "every device is as it was at boot" /tmp/start.state

# vfio-pci registers no migration ops: debugfs (modern) and the device say so.
vt_expect_rc 0 "bind $edu --driver vfio-pci" "$VT_TOOL" bind --driver vfio-pci "$edu"
vt_vfio_bound "$edu" vfio-pci
if [ "$VT_KERNEL" = modern ]; then
  vt_check "debugfs has vfio/$edu/ for vfio-pci" [ -d "/sys/kernel/debug/vfio/$edu" ]
  vt_check "... without migration/" [ ! -e "/sys/kernel/debug/vfio/$edu/migration" ]
fi
vt_blob pci-show "$VT_TOOL" show --json "$edu"
vt_blob pci-probe "$VT_TOOL" show --json --probe-migration "$edu"
vt_expect_rc 0 "reattach $edu from vfio-pci" "$VT_TOOL" reattach "$edu"
vt_same_state "every device is as it was at boot, again" /tmp/start.state
umount /sys/kernel/debug
