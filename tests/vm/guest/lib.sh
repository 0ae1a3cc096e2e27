# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh disable=SC2034 # VT_* are for the scenarios
# TAP helpers for guest scenarios (busybox sh, sourced before the scenario).
#
# A scenario prints result lines "ok - DESC" / "not ok - DESC" (the host side
# numbers them and writes the plan), "# ..." diagnostics, and blobs:
#   vt_blob NAME CMD...   runs CMD, prints its stdout between markers
#                         (the host's scenarios/<name>.py can check it) and
#                         records its exit status as NAME.rc.
# Anything else on stdout is passed through as a TAP comment.

VT_TOOL=/usr/bin/vfio-hostdev
# The suite's name of the running kernel: stock (Debian's linux-image-6.12:
# no iommufd, no VFIO cdev) or modern (iommufd, /dev/vfio/devices/vfioN,
# virtio_vfio_pci). Scenarios assert what their kernel must do.
VT_KERNEL=${VMTEST_KERNEL:-stock}
VT_FAILED=0

vt_desc() { echo "$*" | tr '#\n' '_ '; }

vt_ok() { echo "ok - $(vt_desc "$*")"; }
vt_fail() { echo "not ok - $(vt_desc "$*")"; VT_FAILED=$((VT_FAILED + 1)); }
vt_skip() { echo "ok - $(vt_desc "$1") # SKIP $(vt_desc "$2")"; }
vt_diag() { echo "$*" | sed 's/^/# /'; }

# vt_check DESC CMD...: ok when CMD succeeds.
# CMD's output is shown only when it fails.
vt_check() {
  d=$1; shift
  if "$@" > /tmp/vt.chk 2>&1; then vt_ok "$d"; else
    vt_fail "$d"; vt_diag "command failed: $*"; vt_diag "$(cat /tmp/vt.chk)"; fi
}

# vt_eq DESC EXPECTED ACTUAL
vt_eq() {
  if [ "$2" = "$3" ]; then vt_ok "$1"; else
    vt_fail "$1"; vt_diag "expected: '$2'"; vt_diag "     got: '$3'"; fi
}

# vt_run CMD...: runs CMD, sets VT_OUT (stdout), VT_ERR (stderr), VT_RC.
vt_run() {
  "$@" > /tmp/vt.out 2> /tmp/vt.err
  VT_RC=$?
  VT_OUT=$(cat /tmp/vt.out)
  VT_ERR=$(cat /tmp/vt.err)
}

vt_blob() {
  n=$1; shift
  echo "vmtest: BLOB-BEGIN $n"
  "$@" 2>/tmp/vt.blob.err
  r=$?
  echo
  echo "vmtest: BLOB-END $n rc=$r"
  [ -s /tmp/vt.blob.err ] && vt_diag "$n stderr: $(cat /tmp/vt.blob.err)"
  return 0
}

# The first PCI address whose vendor:device is $1:$2 (hex, no 0x).
vt_find() {
  for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor")" = "0x$1" ] && [ "$(cat "$d/device")" = "0x$2" ] &&
      { echo "${d##*/}"; return 0; }
  done
  return 1
}

# Bind BDF to the driver named $2 through sysfs (module $3 loaded first).
vt_bind() {
  modprobe "$3" || return 1
  echo "$2" > "/sys/bus/pci/devices/$1/driver_override" || return 1
  if [ -e "/sys/bus/pci/devices/$1/driver" ]; then
    echo "$1" > "/sys/bus/pci/devices/$1/driver/unbind" || return 1
  fi
  echo "$1" > /sys/bus/pci/drivers_probe
  [ "$(basename "$(readlink "/sys/bus/pci/devices/$1/driver")")" = "$2" ]
}

# Called by /init after the scenario returns: a scenario that exits early
# (or dies) never prints this, and the host reports that.
vt_complete() { echo "vmtest: COMPLETE failed=$VT_FAILED"; }

# The basename of link $2 under device $1, or "-".
vt_link() {
  if [ -L "/sys/bus/pci/devices/$1/$2" ]; then basename "$(readlink "/sys/bus/pci/devices/$1/$2")"; else echo -; fi
}

# The VFIO module the guest's modules.alias names for device $1, by a rule
# independent of the tool: a variant's alias naming the device's exact
# vendor and device (depmod's form "vfio_pci:v0000VVVVd0000DDDDsv*sd*bc*sc*i*")
# wins over the catch-all; else vfio_pci.
vt_vfio_module() {
  v=$(sed 's/^0x//' "/sys/bus/pci/devices/$1/vendor" | tr a-f A-F)
  d=$(sed 's/^0x//' "/sys/bus/pci/devices/$1/device" | tr a-f A-F)
  [ -f /tmp/vt.vfio.alias ] ||
    grep '^alias vfio_pci:' "/lib/modules/$(uname -r)/modules.alias" > /tmp/vt.vfio.alias
  m=$(grep -i "^alias vfio_pci:v0000${v}d0000${d}sv\*sd\*bc\*sc\*i\* " /tmp/vt.vfio.alias |
    head -n1 | awk '{ print $3 }')
  echo "${m:-vfio_pci}"
}

# One line per PCI device, what sysfs says, for host-side checkers:
# address vendor device class driver group vfio-dev-entry group-node cdev vfio-module
vt_sysfs_facts() {
  for p in /sys/bus/pci/devices/*; do
    a=${p##*/}
    vf=$(ls "$p/vfio-dev" 2>/dev/null | head -n1)
    g=$(vt_link "$a" iommu_group)
    node=-; [ "$g" != - ] && [ -c "/dev/vfio/$g" ] && node=/dev/vfio/$g
    cdev=-; [ -n "$vf" ] && [ -c "/dev/vfio/devices/$vf" ] && cdev=/dev/vfio/devices/$vf
    echo "$a $(cat "$p/vendor") $(cat "$p/device") $(cat "$p/class") $(vt_link "$a" driver) $g ${vf:--} $node $cdev $(vt_vfio_module "$a") $(cat "$p/modalias")"
  done
}

# ---- helpers of the bind/reattach/reset scenarios --------------------------
# (their variables start with "_": scenarios keep theirs)

# One line per PCI device, straight from sysfs:
# address driver driver_override sriov_numvfs(or -)
vt_state() {
  for _p in /sys/bus/pci/devices/*; do
    _n=-; [ -f "$_p/sriov_numvfs" ] && _n=$(cat "$_p/sriov_numvfs")
    echo "${_p##*/} $(vt_link "${_p##*/}" driver) $(cat "$_p/driver_override") $_n"
  done
}

# vt_same_state DESC FILE: ok when vt_state is now what FILE holds.
vt_same_state() {
  vt_state > /tmp/vt.state.now
  if cmp -s "$2" /tmp/vt.state.now; then vt_ok "$1"; else
    vt_fail "$1"; vt_diag "$(diff "$2" /tmp/vt.state.now)"; fi
}

# The records vfio-hostdev keeps, as "A.record B.record", or "none".
vt_records() {
  _r=$(cd /run/vfio-hostdev 2>/dev/null && ls -- *.record 2>/dev/null | tr '\n' ' ')
  _r=${_r% }
  echo "${_r:-none}"
}

# driver_override of $1 as sysfs shows it ("(null)" when clear).
vt_override() { cat "/sys/bus/pci/devices/$1/driver_override"; }

# vt_vfio_bound BDF DRIVER: the checks of a VFIO binding, from sysfs and
# /dev alone: the driver link, vfio-dev/vfioN, the group's /dev/vfio node.
vt_vfio_bound() {
  vt_eq "$1: driver link is $2" "$2" "$(vt_link "$1" driver)"
  _vf=$(ls "/sys/bus/pci/devices/$1/vfio-dev" 2>/dev/null)
  case $_vf in vfio[0-9]*) vt_ok "$1: vfio-dev/$_vf exists" ;;
    *) vt_fail "$1: vfio-dev/vfioN exists"; vt_diag "vfio-dev holds '$_vf'" ;; esac
  _g=$(vt_link "$1" iommu_group)
  vt_check "$1: /dev/vfio/$_g is a character device" [ -c "/dev/vfio/$_g" ]
}

# vt_expect_rc RC DESC CMD...: CMD exits RC; when RC is not 0, with one line
# on stderr and nothing on stdout.
vt_expect_rc() {
  _want=$1 _d=$2; shift 2
  vt_run "$@"
  vt_eq "$_d: exit $_want" "$_want" "$VT_RC"
  [ "$VT_RC" = "$_want" ] || { vt_diag "stdout: $VT_OUT"; vt_diag "stderr: $VT_ERR"; }
  if [ "$_want" != 0 ]; then
    vt_eq "$_d: one line on stderr" 1 "$(printf '%s' "$VT_ERR" | grep -c '')"
    vt_eq "$_d: nothing on stdout" "" "$VT_OUT"
  fi
}

# vt_has DESC TEXT WORD...: every WORD occurs in TEXT (fixed strings).
vt_has() {
  _d=$1 _text=$2; shift 2
  for _w in "$@"; do
    if ! printf '%s\n' "$_text" | grep -qF -- "$_w"; then
      vt_fail "$_d"; vt_diag "no '$_w' in: $_text"; return 0
    fi
  done
  vt_ok "$_d"
}
