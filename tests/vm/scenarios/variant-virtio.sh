# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario variant-virtio (modern kernel only): the virtio-net PF (1af4:1041)
# has an upstream VFIO variant driver in the modern kernel, virtio_vfio_pci
# (its driver has the module's name, virtio_vfio_pci). `driver` chooses it from modules.alias; `bind`
# loads it and binds the NIC to it: the kernel shows a VFIO device with its
# group node and its cdev /dev/vfio/devices/vfioN; `list --json` and `show
# --json` report that cdev (checked against sysfs on the host,
# variant-virtio.py); `reattach` gives the NIC back to virtio-pci with its
# interface. Every fact is read from sysfs and /dev, not from the tool.

vio=$(vt_find 1af4 1041)
vio_dev=/sys/bus/pci/devices/$vio
vio_group=$(vt_link "$vio" iommu_group)
# virtio-net's interface hangs below the virtio device, not the PCI one.
netif() { ls "$vio_dev"/virtio*/net 2>/dev/null; }
vt_state > /tmp/start.state
vt_eq "virtio-net ($vio) starts on virtio-pci" virtio-pci "$(vt_link "$vio" driver)"
if1=$(netif)
vt_check "virtio-net has a network interface ($if1)" [ -n "$if1" ]
vt_check "virtio_vfio_pci is not loaded at boot" [ ! -e /sys/module/virtio_vfio_pci ]
vt_eq "modules.alias names virtio_vfio_pci for $vio (rule of lib.sh)" virtio_vfio_pci "$(vt_vfio_module "$vio")"

# driver: the variant from modules.alias, nothing loaded or bound.
vt_run "$VT_TOOL" driver "$vio"
vt_eq "driver $vio exits 0" 0 "$VT_RC"
[ "$VT_RC" = 0 ] || vt_diag "stderr: $VT_ERR"
vt_eq "driver $vio chooses virtio_vfio_pci" virtio_vfio_pci "$(echo "$VT_OUT" | head -n1)"
vt_check "driver loads nothing" [ ! -e /sys/module/virtio_vfio_pci ]
vt_same_state "driver changes no driver, override or VF count" /tmp/start.state

# bind: the variant driver, a VFIO device with group node and cdev.
vt_blob bind-json "$VT_TOOL" bind --json "$vio"
vt_check "bind loaded module virtio_vfio_pci" [ -d /sys/module/virtio_vfio_pci ]
vt_check "module virtio_vfio_pci registers driver virtio_vfio_pci" \
  [ -e /sys/module/virtio_vfio_pci/drivers/pci:virtio_vfio_pci ]
vt_vfio_bound "$vio" virtio_vfio_pci
vf=$(ls "$vio_dev/vfio-dev" 2>/dev/null)
vt_check "/dev/vfio/devices/$vf is a character device (the VFIO cdev)" [ -c "/dev/vfio/devices/$vf" ]
cdev_nums=$(stat -c '%t %T' "/dev/vfio/devices/$vf" 2>/dev/null |
  { read -r ma mi && printf '%d:%d' "0x$ma" "0x$mi"; })
vt_eq "the cdev's numbers are vfio-dev/$vf/dev" "$(cat "$vio_dev/vfio-dev/$vf/dev" 2>/dev/null)" "$cdev_nums"
vt_check "/dev/iommu exists" [ -c /dev/iommu ]
vt_check "the interface $if1 is gone" [ -z "$(netif)" ]
vt_eq "a record for $vio exists" "$vio.record" "$(vt_records)"
vt_blob facts echo "$vio $vf $vio_group"
vt_blob status-json "$VT_TOOL" status --json

# list and show report the cdev (compared with sysfs on the host).
vt_blob sysfs vt_sysfs_facts
vt_blob list-json "$VT_TOOL" list --json
vt_blob show-virtio "$VT_TOOL" show "$vio" --json
vt_run "$VT_TOOL" show "$vio"
vt_eq "plain show $vio exits 0" 0 "$VT_RC"
vt_has "plain show names virtio_vfio_pci and the cdev" "$VT_OUT" virtio_vfio_pci "/dev/vfio/devices/$vf"

# Already bound: says so, changes nothing.
vt_state > /tmp/bound.state
vt_expect_rc 0 "bind $vio again" "$VT_TOOL" bind "$vio"
vt_has "bind again says already bound" "$VT_OUT" "$vio" "already bound"
vt_same_state "bind again changes nothing" /tmp/bound.state

# reattach: back on virtio-pci with an interface.
vt_expect_rc 0 "reattach $vio" "$VT_TOOL" reattach "$vio"
vt_eq "$vio is back on virtio-pci" virtio-pci "$(vt_link "$vio" driver)"
vt_eq "its driver_override is clear again" "(null)" "$(vt_override "$vio")"
vt_check "its vfio-dev is gone" [ -z "$(ls "$vio_dev/vfio-dev" 2>/dev/null)" ]
vt_check "/dev/vfio/devices/$vf is gone" [ ! -e "/dev/vfio/devices/$vf" ]
vt_check "/dev/vfio/$vio_group is gone" [ ! -e "/dev/vfio/$vio_group" ]
vt_check "it has a network interface again ($(netif))" [ -n "$(netif)" ]
vt_eq "reattach removed the record" none "$(vt_records)"
vt_same_state "after reattach every device is as at boot" /tmp/start.state
