# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario boot: the harness itself works: the devices are there with their
# host drivers, the IOMMU is on, and the test variant driver qedu_mig binds
# edu and makes the device a VFIO device (vfio-dev/vfioN, /dev/vfio/<group>).

edu=$(vt_find 1234 11e8)
vt_check "edu (1234:11e8) is present" [ -n "$edu" ]
for id in 8086:10d3:e1000e 1af4:1041:virtio-pci 1b36:0010:nvme 8086:2922:ahci 8086:2930:i801_smbus; do
  v=${id%%:*}; rest=${id#*:}; d=${rest%%:*}; drv=${rest#*:}
  a=$(vt_find "$v" "$d")
  vt_eq "$v:$d ($a) starts bound to $drv" "$drv" "$(basename "$(readlink "/sys/bus/pci/devices/$a/driver")")"
done
vt_check "IOMMU groups exist" [ -e /sys/kernel/iommu_groups/0 ]
vt_eq "nvme PF can have 2 VFs" 2 "$(cat "/sys/bus/pci/devices/$(vt_find 1b36 0010)/sriov_totalvfs")"
vt_check "modules.alias names qedu_mig for edu" \
  grep -q '^alias vfio_pci:v00001234d000011E8sv\*sd\*bc\*sc\*i\* qedu_mig$' "/lib/modules/$(uname -r)/modules.alias"
vt_check "edu binds to qedu-mig" vt_bind "$edu" qedu-mig qedu_mig
vt_check "module qedu_mig registers driver qedu-mig" [ -e /sys/module/qedu_mig/drivers/pci:qedu-mig ]
vfio=$(ls "/sys/bus/pci/devices/$edu/vfio-dev" 2>/dev/null)
vt_check "vfio-dev/vfioN appears under edu ($vfio)" [ -n "$vfio" ]
group=$(basename "$(readlink "/sys/bus/pci/devices/$edu/iommu_group")")
vt_check "/dev/vfio/$group is created" [ -c "/dev/vfio/$group" ]
vt_check "the tool runs in the guest" "$VT_TOOL" --help
