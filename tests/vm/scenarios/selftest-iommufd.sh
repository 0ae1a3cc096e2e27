# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario selftest-iommufd (modern kernel only): `vfio-hostdev test` through
# the IOMMU backends the modern kernel offers, iommufd (/dev/iommu + the
# device cdev /dev/vfio/devices/vfioN) and type1 (the legacy container and
# group), on edu bound to the variant qedu-mig, on edu bound to vfio-pci, and
# on virtio-net bound to the upstream variant virtio_vfio_pci (all through
# sysfs directly); on edu on vfio-pci also the original type1 (v1) IOMMU,
# which the container offers (VFIO_CHECK_EXTENSION(VFIO_TYPE1_IOMMU)). Each
# run exits 0 with well-formed KTAP (version line, a plan, results numbered
# 1..plan, no failure), names the backend asked for, and passes what applies
# to the device (the kernel's iommufd setup cases, bus mastering off at
# open, a BAR's mmap mapped for DMA by type1 and refused by iommufd; edu:
# DMA through the IOMMU, DMA from and to an unmapped IOVA blocked, MSI,
# driver init/remove and mixed rounds, hugepage maps; virtio-net: config,
# BARs, MSI-X, DMA maps).

edu=$(vt_find 1234 11e8)
vio=$(vt_find 1af4 1041)
pool=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

# busybox modprobe ignores vfio's softdep on the type1 IOMMU driver.
vt_check "vfio_iommu_type1 loads" modprobe vfio_iommu_type1
vt_check "iommufd loads" modprobe iommufd
vt_check "/dev/iommu exists" [ -c /dev/iommu ]

IOMMUFD_CASES="iommufd.bind iommufd.get_info_without_bind_fails iommufd.bind_bad_iommufd_fails
  iommufd.repeated_bind_fails iommufd.attach_detach_pt iommufd.attach_invalid_pt_fails"
EDU_PASS="open $IOMMUFD_CASES device.info config.ids config.bus_master_off_at_open config.bus_master bars.mmap
  irq.msi dma.iova_ranges dma.map_anonymous dma.map_hugetlb_2m dma.map_hugetlb_1g dma.map_top dma.unmap_all
  dma.map_bar dma.overflow driver.memcpy driver.memcpy_from_unmapped driver.memcpy_to_unmapped driver.msi
  driver.init_remove driver.mix_and_match"
VIO_PASS="open $IOMMUFD_CASES device.info config.ids config.bus_master_off_at_open config.bus_master bars.mmap
  irq.msix dma.iova_ranges dma.map_anonymous dma.map_hugetlb_2m dma.map_top dma.unmap_all dma.map_bar dma.overflow"

# result NAME: the KTAP result line of case NAME in $VT_OUT.
result() { echo "$VT_OUT" | grep -E "^(not )?ok [0-9]+ $1( |\$)"; }

# ktap LABEL BACKEND DRIVER CASES: checks of the last `test` run ($VT_*).
ktap() {
  label=$1 backend=$2 drv=$3 cases=$4
  vt_eq "$label: exit 0" 0 "$VT_RC"
  [ "$VT_RC" = 0 ] || { vt_diag "stdout: $VT_OUT"; vt_diag "stderr: $VT_ERR"; }
  vt_eq "$label: KTAP version line" "KTAP version 1" "$(echo "$VT_OUT" | head -n1)"
  plan=$(echo "$VT_OUT" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p')
  vt_check "$label: one plan line with a count ($plan)" [ "$(echo "$VT_OUT" | grep -c '^1\.\.')" = 1 -a -n "$plan" ]
  nums=$(echo "$VT_OUT" | sed -nE 's/^(not )?ok ([0-9]+) .*/\2/p' | tr '\n' ' ')
  want=$(i=1; while [ "$i" -le "${plan:-0}" ]; do printf '%s ' "$i"; i=$((i + 1)); done)
  vt_eq "$label: results numbered 1..plan in order" "$want" "$nums"
  vt_check "$label: says $drv and the $backend backend" \
    sh -c "echo '$VT_OUT' | grep -q '$drv, IOMMU group .*, $backend backend'"
  for c in $cases; do
    got=$(result "$c")
    case $got in
      "ok "*" $c" | "ok "*" $c "*) case $got in *"# SKIP"*) vt_fail "$label: $c passes"; vt_diag "$got" ;; *) vt_ok "$label: $c passes" ;; esac ;;
      *) vt_fail "$label: $c passes"; vt_diag "result line: '${got:-none}'" ;;
    esac
  done
  bad=$(echo "$VT_OUT" | grep '^not ok')
  vt_eq "$label: no case failed" "" "$bad"
  # A failure's KTAP diagnostics follow its result line: show them.
  [ -z "$bad" ] || vt_diag "$(echo "$VT_OUT" | grep -A6 '^not ok')"
}

# bar_dma LABEL BACKEND: the BAR's mmap was mapped by type1, refused by iommufd.
bar_dma() {
  case $2 in
    iommufd) want="map refused: Bad address" label="refused (EFAULT)" ;;
    *) want="mapped and unmapped [0-9]* bytes at IOVA" label="mapped and unmapped" ;;
  esac
  vt_check "$1: dma.map_bar: the BAR's mmap $label" sh -c "echo '$VT_OUT' | grep -q '^# $want'"
}

# run LABEL BDF DRIVER CASES [BACKENDS]: the backends (iommufd and type1 by
# default) on one binding.
run() {
  for b in ${5:-iommufd type1}; do
    vt_run "$VT_TOOL" test "$2" --iommu "$b"
    echo "$VT_OUT" | sed "s/^/# $1 $b: /"
    [ -n "$VT_ERR" ] && echo "$VT_ERR" | sed "s/^/# $1 $b stderr: /"
    ktap "test $2 on $3 --iommu $b" "$b" "$3" "$4"
    case " $4 " in *" dma.map_bar "*) bar_dma "test $2 on $3 --iommu $b" "$b" ;; esac
    if [ "$VT_RC" != 0 ] || echo "$VT_OUT" | grep -q '^not ok'; then
      vt_diag "kernel log (last 30 lines) after $1 --iommu $b:"
      vt_diag "$(dmesg | tail -n 30)"
    fi
  done
}

pool_before=$(cat $pool)

vt_check "edu binds to qedu-mig through sysfs" vt_bind "$edu" qedu-mig qedu_mig
vt_check "edu has a VFIO cdev" [ -c "/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$edu/vfio-dev")" ]
run qedu-mig "$edu" qedu-mig "$EDU_PASS"

vt_check "edu rebinds to vfio-pci through sysfs" vt_bind "$edu" vfio-pci vfio_pci
run vfio-pci "$edu" vfio-pci "$EDU_PASS" "iommufd type1 type1-legacy"
vt_check "type1-legacy: the container offers VFIO_TYPE1_IOMMU" sh -c "echo '$VT_OUT' | grep -q 'VFIO_SET_IOMMU(VFIO_TYPE1_IOMMU)'"

vt_check "virtio-net binds to virtio_vfio_pci through sysfs" vt_bind "$vio" virtio_vfio_pci virtio_vfio_pci
vt_check "virtio-net has a VFIO cdev" [ -c "/dev/vfio/devices/$(ls "/sys/bus/pci/devices/$vio/vfio-dev")" ]
run virtio_vfio_pci "$vio" virtio_vfio_pci "$VIO_PASS"

vt_eq "the 2M hugepage pool is back to its size" "$pool_before" "$(cat $pool)"
