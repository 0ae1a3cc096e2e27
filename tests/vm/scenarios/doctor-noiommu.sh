# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario doctor-noiommu: the guest's QEMU gives it no vIOMMU
# (doctor-noiommu.vm): `doctor` sees a QEMU virtual machine (the CPU's
# hypervisor flag, DMI "QEMU") and says what QEMU must be given, not a
# firmware setting; `list` and `show` never advise amd_iommu=on.
# Modern (CONFIG_VFIO_NOIOMMU): vfio loaded with enable_unsafe_noiommu_mode=1;
# `show` says edu would get a no-IOMMU group, `bind` refuses it (exit 4)
# until --noiommu, vfio-pci's probe then makes the group (named
# vfio-noiommu) and /dev/vfio/noiommu-N, `prepare` refuses it, and
# `reattach` gives the group back. Stock has no no-IOMMU mode.

EDU=0000:00:02.0
vt_blob kernel echo "$VT_KERNEL"
vt_check "no IOMMU groups without a vIOMMU" test -z "$(ls /sys/kernel/iommu_groups)"
vt_check "the CPU flags say hypervisor" grep -qw hypervisor /proc/cpuinfo
vt_check "DMI says QEMU" grep -qx QEMU /sys/class/dmi/id/sys_vendor
vt_blob doctor "$VT_TOOL" doctor --json
vt_blob list sh -c "$VT_TOOL list 2>&1"
vt_blob show sh -c "$VT_TOOL show $EDU 2>&1"

# no-IOMMU mode, bind refused then --noiommu, prepare refused, reattach
noiommu_mode() {
  modprobe vfio enable_unsafe_noiommu_mode=1
  vt_eq "vfio loaded with enable_unsafe_noiommu_mode=1" Y \
    "$(cat /sys/module/vfio/parameters/enable_unsafe_noiommu_mode 2>&1)"
  vt_blob noiommu-doctor "$VT_TOOL" doctor --json
  vt_blob noiommu-show sh -c "$VT_TOOL show $EDU 2>&1"
  vt_blob noiommu-list "$VT_TOOL" list --json

  vt_run "$VT_TOOL" bind --driver vfio-pci "$EDU"
  vt_eq "bind without --noiommu is refused (exit 4)" 4 "$VT_RC"
  vt_check "... offering --noiommu" grep -q -- "--noiommu binds it anyway" /tmp/vt.err
  vt_check "... and edu stays unbound, without a group" \
    test ! -e "/sys/bus/pci/devices/$EDU/driver" -a ! -e "/sys/bus/pci/devices/$EDU/iommu_group"

  vt_run "$VT_TOOL" bind --noiommu --driver vfio-pci "$EDU"
  vt_eq "bind --noiommu binds it" 0 "$VT_RC"
  [ "$VT_RC" = 0 ] || vt_diag "$VT_ERR"
  group=$(basename "$(readlink "/sys/bus/pci/devices/$EDU/iommu_group")")
  vt_check "vfio-pci's probe made its group, named vfio-noiommu" grep -qx vfio-noiommu "/sys/kernel/iommu_groups/$group/name"
  vt_check "/dev/vfio/noiommu-$group is a character device" test -c "/dev/vfio/noiommu-$group"
  vt_check "bind printed that node" grep -q "/dev/vfio/noiommu-$group" /tmp/vt.out
  vt_blob noiommu-bound "$VT_TOOL" show --json "$EDU"

  vt_run "$VT_TOOL" prepare --owner vm1 "$EDU"
  vt_eq "prepare refuses a device in a no-IOMMU group (exit 4)" 4 "$VT_RC"
  vt_check "... saying QEMU cannot use it" grep -q "QEMU cannot use" /tmp/vt.err

  vt_run "$VT_TOOL" reattach "$EDU"
  vt_eq "reattach succeeds" 0 "$VT_RC"
  vt_check "... edu is unbound again" test ! -e "/sys/bus/pci/devices/$EDU/driver"
  vt_check "... and its no-IOMMU group is gone" \
    test ! -e "/dev/vfio/noiommu-$group" -a ! -e "/sys/bus/pci/devices/$EDU/iommu_group"
}

if [ "$VT_KERNEL" = modern ]; then
  noiommu_mode
else
  vt_check "stock has no no-IOMMU mode" grep -qx "# CONFIG_VFIO_NOIOMMU is not set" "/boot/config-$(uname -r)"
fi
