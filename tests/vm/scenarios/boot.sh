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

# What sets the suite's kernels apart (vmtest.kernel= names the one booted).
if [ "$VT_KERNEL" = modern ]; then
  vt_check "modern kernel: /dev/iommu exists (iommufd, loaded with vfio)" [ -c /dev/iommu ]
  vt_check "modern kernel: /dev/vfio/devices/$vfio is edu's VFIO cdev" [ -c "/dev/vfio/devices/$vfio" ]
  vt_check "modern kernel: modules.alias names virtio_vfio_pci for 1af4:1041" \
    grep -q '^alias vfio_pci:v00001AF4d00001041sv\*sd\*bc\*sc\*i\* virtio_vfio_pci$' "/lib/modules/$(uname -r)/modules.alias"
  vt_check "modern kernel: CONFIG_VFIO_DEVICE_CDEV=y in /proc/config.gz" sh -c "zcat /proc/config.gz | grep -qx CONFIG_VFIO_DEVICE_CDEV=y"
  for m in iommufd vfio_iommu_type1 virtio_vfio_pci bridge 8021q bonding macvlan dm_mod md_mod raid1 linear; do
    vt_check "modern kernel: module $m loads" modprobe "$m"
  done
else
  vt_check "stock kernel: no /dev/iommu (no CONFIG_IOMMUFD)" [ ! -e /dev/iommu ]
  vt_check "stock kernel: no /dev/vfio/devices (no VFIO cdev)" [ ! -e /dev/vfio/devices ]
fi
