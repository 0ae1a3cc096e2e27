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
