# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario bind-group: the ICH9 functions 00:1f.0/.2/.3 share one IOMMU
# group. Binding 00:1f.3 alone is refused (exit 4) naming 00:1f.2 and ahci,
# and changes nothing; `--group` binds 1f.3 and 1f.2 (1f.0 has no driver and
# stays as it is); reattach of 1f.3 brings both back (ahci, i801_smbus). A
# member on pci-stub does not block. Also the exit codes of bind, reattach
# and reset for malformed (2) and absent (3) addresses. Facts from sysfs.

lpc=0000:00:1f.0 sata=0000:00:1f.2 smbus=0000:00:1f.3
vt_state > /tmp/start.state
vt_eq "$sata starts on ahci" ahci "$(vt_link "$sata" driver)"
vt_eq "$smbus starts on i801_smbus" i801_smbus "$(vt_link "$smbus" driver)"
vt_eq "$lpc starts unbound" - "$(vt_link "$lpc" driver)"
ich9_group=$(vt_link "$smbus" iommu_group)
vt_eq "the three share IOMMU group $ich9_group" "$lpc $sata $smbus" \
  "$(ls "/sys/kernel/iommu_groups/$ich9_group/devices" | tr '\n' ' ' | sed 's/ $//')"

# Exit codes in the guest.
for cmd in bind reattach reset; do
  vt_expect_rc 3 "$cmd 0000:0f:1f.7 (absent)" "$VT_TOOL" $cmd 0000:0f:1f.7
  vt_expect_rc 2 "$cmd zz:00.0 (malformed)" "$VT_TOOL" $cmd zz:00.0
  vt_expect_rc 2 "$cmd 00:1f.8 (function 8)" "$VT_TOOL" $cmd 00:1f.8
  vt_expect_rc 2 "$cmd without an address" "$VT_TOOL" $cmd
done
vt_expect_rc 2 "bind --bogus-option" "$VT_TOOL" bind --bogus-option "$smbus"
vt_expect_rc 3 "bind of an existing and an absent device" "$VT_TOOL" bind "$smbus" 0000:0f:1f.7
vt_same_state "the failed commands changed nothing" /tmp/start.state

# 00:1f.3 alone: its group would not be viable.
vt_expect_rc 4 "bind 00:1f.3 alone" "$VT_TOOL" bind 00:1f.3
vt_has "the refusal names $sata, ahci and --group" "$VT_ERR" "$sata" ahci --group
vt_same_state "the refused bind changed nothing" /tmp/start.state
vt_check "the refused bind loaded no module" [ ! -e /sys/module/vfio_pci ]
vt_eq "the refused bind left no record" none "$(vt_records)"

vt_expect_rc 0 "bind --group --dry-run 00:1f.3" "$VT_TOOL" bind --group --dry-run 00:1f.3
vt_has "the plan names both members and their drivers" "$VT_OUT" "$sata" ahci "$smbus" i801_smbus
vt_same_state "--dry-run changed nothing" /tmp/start.state

# --group
vt_expect_rc 0 "bind --group 00:1f.3" "$VT_TOOL" bind --group 00:1f.3
vt_vfio_bound "$smbus" vfio-pci
vt_vfio_bound "$sata" vfio-pci
vt_eq "$lpc (no driver) stays unbound" - "$(vt_link "$lpc" driver)"
vt_eq "$lpc's driver_override is untouched" "(null)" "$(vt_override "$lpc")"
vt_eq "a record for each bound member" "$sata.record $smbus.record" "$(vt_records)"
vt_blob status-json "$VT_TOOL" status --json

vt_expect_rc 0 "reattach 00:1f.3" "$VT_TOOL" reattach 00:1f.3
vt_eq "$sata is back on ahci" ahci "$(vt_link "$sata" driver)"
vt_eq "$smbus is back on i801_smbus" i801_smbus "$(vt_link "$smbus" driver)"
vt_eq "reattach removed both records" none "$(vt_records)"
vt_same_state "after reattach every device is as at boot" /tmp/start.state

# A member on pci-stub leaves DMA to its owner: 1f.3 may be bound alone.
vt_check "$sata moved to pci-stub through sysfs" vt_bind "$sata" pci-stub pci_stub
vt_state > /tmp/stub.state
vt_expect_rc 0 "bind 00:1f.3 while $sata is on pci-stub" "$VT_TOOL" bind 00:1f.3
vt_vfio_bound "$smbus" vfio-pci
vt_eq "$sata stays on pci-stub" pci-stub "$(vt_link "$sata" driver)"
vt_expect_rc 0 "reattach 00:1f.3 (pci-stub member)" "$VT_TOOL" reattach 00:1f.3
vt_same_state "i801_smbus back, $sata still on pci-stub" /tmp/stub.state
echo > "/sys/bus/pci/devices/$sata/driver_override"
echo "$sata" > /sys/bus/pci/drivers/pci-stub/unbind
echo "$sata" > /sys/bus/pci/drivers_probe

vt_eq "no record is left" none "$(vt_records)"
vt_same_state "every device is as it was at boot" /tmp/start.state
