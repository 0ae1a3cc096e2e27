# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario doctor: `doctor --json` in the stock Debian 6.12 guest (QEMU with
# intel-iommu), which has its kernel's config at /boot/config-<release> as
# Debian installs it and no iommufd: VFIO judged as built as modules and not
# loaded, then loaded by busybox modprobe, which ignores vfio's softdep on
# vfio_iommu_type1 (the legacy container then has no IOMMU: a failure),
# then with vfio_iommu_type1; iommufd and the cdev absent, explained by the
# config. Checked on the host by doctor.py.

vt_check "the guest has its kernel's config at /boot/config-$(uname -r)" test -s "/boot/config-$(uname -r)"
vt_check "vfio is not loaded at boot" test ! -d /sys/module/vfio
vt_blob fresh "$VT_TOOL" doctor --json

modprobe vfio
vt_check "busybox modprobe vfio loads vfio" test -d /sys/module/vfio
vt_check "... but not its soft dependency vfio_iommu_type1" test ! -d /sys/module/vfio_iommu_type1
vt_blob vfio-alone "$VT_TOOL" doctor --json

modprobe vfio_iommu_type1
vt_check "modprobe vfio_iommu_type1 loads it" test -d /sys/module/vfio_iommu_type1
vt_blob type1 "$VT_TOOL" doctor --json
vt_blob plain "$VT_TOOL" doctor
