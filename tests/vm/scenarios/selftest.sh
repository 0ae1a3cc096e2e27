# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario selftest: `vfio-hostdev test` on edu through the real kernel's
# VFIO, bound first to the variant driver qedu-mig, then to vfio-pci, both
# through sysfs directly. Every applicable case passes, the edu DMA and MSI
# cases included; the cases that cannot apply to edu (no MSI-X, no reset)
# are skipped with why; the 2M hugepage pool is grown for the run and
# restored. The backend depends on the kernel: stock has no iommufd, so the
# default is type1 and `--iommu iommufd` is refused plainly (exit 1); modern
# has /dev/iommu and the device cdev, so the default is iommufd and
# `--iommu iommufd` passes like the default run. Also: a device on a host
# driver is refused (exit 4), and e1000e on vfio-pci passes what applies to
# it (MSI-X, reset).

edu=$(vt_find 1234 11e8)
e1000e=$(vt_find 8086 10d3)
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

# busybox modprobe ignores vfio's softdep on the type1 IOMMU driver.
vt_check "vfio_iommu_type1 loads" modprobe vfio_iommu_type1
[ "$VT_KERNEL" = modern ] && vt_check "iommufd loads (modern kernel)" modprobe iommufd

# The cases that must pass on edu (the others must be skipped, and why).
# The kernel's iommufd setup cases pass on modern and are skipped on stock
# (no /dev/iommu).
IOMMUFD_CASES="iommufd.bind iommufd.get_info_without_bind_fails iommufd.bind_bad_iommufd_fails
  iommufd.repeated_bind_fails iommufd.attach_detach_pt iommufd.attach_invalid_pt_fails"
EDU_PASS="open device.info config.ids config.bus_master_off_at_open config.bus_master bars.mmap irq.msi
  dma.iova_ranges dma.map_anonymous dma.map_hugetlb_2m dma.map_hugetlb_1g dma.map_top dma.unmap_all dma.map_bar
  dma.overflow driver.memcpy driver.memcpy_from_unmapped driver.memcpy_to_unmapped driver.msi driver.init_remove
  driver.mix_and_match"
EDU_SKIP="irq.msix device.reset"
if [ "$VT_KERNEL" = modern ]; then EDU_PASS="$EDU_PASS $IOMMUFD_CASES"; else EDU_SKIP="$EDU_SKIP $IOMMUFD_CASES"; fi

# result NAME: the KTAP result line of case NAME in $VT_OUT.
result() { echo "$VT_OUT" | grep -E "^(not )?ok [0-9]+ $1( |\$)"; }

# check_run LABEL: $VT_OUT/$VT_RC of a `test` run on edu.
check_edu_run() {
  label=$1
  vt_eq "$label: exit 0" 0 "$VT_RC"
  [ "$VT_RC" = 0 ] || { vt_diag "stdout: $VT_OUT"; vt_diag "stderr: $VT_ERR"; }
  vt_eq "$label: KTAP version line" "KTAP version 1" "$(echo "$VT_OUT" | head -n1)"
  plan=$(echo "$VT_OUT" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
  results=$(echo "$VT_OUT" | grep -cE '^(not )?ok [0-9]+ ')
  vt_eq "$label: as many results as planned" "$plan" "$results"
  for c in $EDU_PASS; do
    vt_eq "$label: $c passes" "ok" "$(result "$c" | sed -n 's/^\(ok\) [0-9]* [^ ]*$/\1/p')"
  done
  for c in $EDU_SKIP; do
    vt_check "$label: $c is skipped with a reason" sh -c "echo '$(result "$c")' | grep -q '# SKIP .'"
  done
  vt_eq "$label: no case failed" "" "$(echo "$VT_OUT" | grep '^not ok')"
  vt_check "$label: the DMA from an unmapped IOVA was blocked (device read zeros)" sh -c "echo '$VT_OUT' | grep -q 'blocked: the device read zeros'"
  vt_check "$label: the DMA to an unmapped IOVA was blocked (memory untouched)" sh -c "echo '$VT_OUT' | grep -q 'blocked: the memory behind it stayed zero'"
}

pool_before=$(cat $pool)

vt_check "edu binds to qedu-mig through sysfs" vt_bind "$edu" qedu-mig qedu_mig
vt_run "$VT_TOOL" test "$edu"
echo "$VT_OUT" | sed 's/^/# qedu-mig: /'
check_edu_run "test $edu on qedu-mig"
if [ "$VT_KERNEL" = modern ]; then
  vt_check "test on qedu-mig says iommufd backend (the default with /dev/iommu and the cdev)" sh -c "echo '$VT_OUT' | grep -q 'qedu-mig, IOMMU group .*, iommufd backend'"
else
  vt_check "test on qedu-mig says type1 backend (no iommufd here)" sh -c "echo '$VT_OUT' | grep -q 'qedu-mig, IOMMU group .*, type1 backend'"
fi
vt_eq "the 2M hugepage pool is back to its size" "$pool_before" "$(cat $pool)"

vt_run "$VT_TOOL" test "$edu" --iommu iommufd
if [ "$VT_KERNEL" = modern ]; then
  echo "$VT_OUT" | sed 's/^/# qedu-mig iommufd: /'
  check_edu_run "test $edu --iommu iommufd on qedu-mig (modern kernel)"
else
  vt_eq "--iommu iommufd without /dev/iommu: exit 1, one line" "1 1" "$VT_RC $(printf '%s' "$VT_ERR" | grep -c '')"
fi

vt_check "edu rebinds to vfio-pci through sysfs" vt_bind "$edu" vfio-pci vfio_pci
vt_run "$VT_TOOL" test "$edu"
echo "$VT_OUT" | sed 's/^/# vfio-pci: /'
check_edu_run "test $edu on vfio-pci"
vt_eq "the 2M hugepage pool is back to its size again" "$pool_before" "$(cat $pool)"

vt_run "$VT_TOOL" test "$e1000e"
vt_eq "test $e1000e on its host driver: exit 4 (refused)" 4 "$VT_RC"
vt_eq "test $e1000e: nothing on stdout" "" "$VT_OUT"

vt_check "e1000e binds to vfio-pci through sysfs" vt_bind "$e1000e" vfio-pci vfio_pci
vt_run "$VT_TOOL" test "$e1000e"
echo "$VT_OUT" | sed 's/^/# e1000e: /'
vt_eq "test $e1000e on vfio-pci: exit 0" 0 "$VT_RC"
for c in config.ids config.bus_master_off_at_open bars.mmap irq.msi irq.msix dma.map_anonymous dma.map_top dma.map_bar dma.overflow; do
  vt_eq "e1000e: $c passes" "ok" "$(result "$c" | sed -n 's/^\(ok\) [0-9]* [^ ]*$/\1/p')"
done
vt_check "e1000e: the driver cases are skipped (no self-test driver)" sh -c "echo '$(result driver.memcpy)' | grep -q 'SKIP no self-test driver'"
