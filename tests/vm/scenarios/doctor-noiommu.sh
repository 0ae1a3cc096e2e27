# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario doctor-noiommu: the guest's QEMU gives it no vIOMMU
# (doctor-noiommu.vm): `doctor` sees a QEMU virtual machine (the CPU's
# hypervisor flag, DMI "QEMU") and says what QEMU must be given, not a
# firmware setting; `list` and `show` never advise amd_iommu=on.

vt_check "no IOMMU groups without a vIOMMU" test -z "$(ls /sys/kernel/iommu_groups)"
vt_check "the CPU flags say hypervisor" grep -qw hypervisor /proc/cpuinfo
vt_check "DMI says QEMU" grep -qx QEMU /sys/class/dmi/id/sys_vendor
vt_blob doctor "$VT_TOOL" doctor --json
vt_blob list sh -c "$VT_TOOL list 2>&1"
vt_blob show sh -c "$VT_TOOL show 0000:00:02.0 2>&1"
