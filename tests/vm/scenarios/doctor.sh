# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario doctor: `doctor --json` in a guest (QEMU with intel-iommu) that
# has its kernel's config at /boot/config-<release> as Debian installs it:
# VFIO judged as built as modules and not loaded, then loaded by busybox
# modprobe, which ignores vfio's softdep on vfio_iommu_type1, then with
# vfio_iommu_type1. Stock (no iommufd): without type1 the legacy container
# has no IOMMU, a failure; iommufd and the cdev absent, explained by the
# config. Modern: the cdev and iommufd pass (iommufd, a module vfio depends
# on, comes with vfio), and a missing type1 is only a warning. Checked on
# the host by doctor.py, per kernel.

vt_blob kernel echo "$VT_KERNEL"
vt_check "the guest has its kernel's config at /boot/config-$(uname -r)" test -s "/boot/config-$(uname -r)"
vt_check "vfio is not loaded at boot" test ! -d /sys/module/vfio
vt_blob fresh "$VT_TOOL" doctor --json

modprobe vfio
vt_check "busybox modprobe vfio loads vfio" test -d /sys/module/vfio
vt_check "... but not its soft dependency vfio_iommu_type1" test ! -d /sys/module/vfio_iommu_type1
if [ "$VT_KERNEL" = modern ]; then
  vt_check "... and iommufd, which vfio depends on" test -c /dev/iommu
else
  vt_check "... and there is no iommufd" test ! -e /dev/iommu
fi
vt_blob vfio-alone "$VT_TOOL" doctor --json

modprobe vfio_iommu_type1
vt_check "modprobe vfio_iommu_type1 loads it" test -d /sys/module/vfio_iommu_type1
vt_blob type1 "$VT_TOOL" doctor --json
vt_blob plain "$VT_TOOL" doctor
