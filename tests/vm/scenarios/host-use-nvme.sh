# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario host-use-nvme: the host uses the nvme namespace, in the layout the
# guest's kernel gives it (native multipath: the head under nvme-subsystem
# and only the path device below the controller; host-use-nvme-client boots
# with nvme_core.multipath=N for the namespace below the controller). Active
# swap on it (also on the default deny list: --force does not take it), a
# process holding it open, and a mounted filesystem on it: each makes bind
# refuse (exit 4, the user named with its chain, nothing changed), and once
# freed the device binds and reattaches.

pf=$(vt_find 1b36 0010)
vt_state > /tmp/start.state
vt_diag "nvme_core.multipath=$(cat /sys/module/nvme_core/parameters/multipath 2>/dev/null)"

# The namespace's block device once the controller has scanned it.
namespace() {
  for _ in $(seq 1 40); do
    for b in /sys/block/nvme*n*; do
      case ${b##*/} in *c*) continue ;; esac
      [ -e "/dev/${b##*/}" ] && { echo "${b##*/}"; return 0; }
    done
    sleep 0.25
  done
}
ns=$(namespace)
vt_check "the namespace block device exists ($ns)" [ -n "$ns" ]
case $(readlink -f "/sys/block/$ns") in
  */nvme-subsystem/*) layout=multipath ;;
  *) layout=client ;;
esac
vt_diag "layout: $layout ($(readlink -f "/sys/block/$ns"))"
vt_diag "block devices: $(ls /sys/class/block | tr '\n' ' '); below the controller: $(ls /sys/bus/pci/devices/$pf/nvme/* | tr '\n' ' ')"
[ "${VMTEST_SCENARIO}" = host-use-nvme-client ] && want=client || want=multipath
vt_eq "the namespace is in the $want layout" "$want" "$layout"

# bind is refused naming WORDS, and changes nothing.
refused() {
  _d=$1; shift
  vt_expect_rc 4 "bind $pf while $_d" "$VT_TOOL" bind "$pf"
  vt_has "the refusal names $_d" "$VT_ERR" "$@"
  vt_same_state "the refused bind changed nothing ($_d)" /tmp/start.state
  vt_eq "no record after the refusal ($_d)" none "$(vt_records)"
}

# once freed: bind, reattach, and the namespace comes back.
binds_when_free() {
  vt_expect_rc 0 "bind $pf once $1" "$VT_TOOL" bind "$pf"
  vt_vfio_bound "$pf" vfio-pci
  vt_expect_rc 0 "reattach $pf" "$VT_TOOL" reattach "$pf"
  ns=$(namespace)
  vt_check "the namespace is back after reattach ($ns)" [ -n "$ns" ]
  vt_same_state "every device as at boot after $1" /tmp/start.state
}

# Active swap: refused, and not even --force takes the swap's controller.
vt_check "mkswap /dev/$ns" mkswap "/dev/$ns"
vt_check "swapon /dev/$ns" swapon "/dev/$ns"
refused "its namespace is active swap" "$ns" "active swap" "is protected"
vt_expect_rc 4 "bind --force $pf while swap is on it" "$VT_TOOL" bind --force "$pf"
vt_has "--force does not override the deny list" "$VT_ERR" "on the deny list by default: active swap /dev/$ns" \
  "--force does not override"
vt_check "swapoff /dev/$ns" swapoff "/dev/$ns"
binds_when_free "swapoff"

# A process holding the disk open.
sleep 600 < "/dev/$ns" &
holder=$!
sleep 0.5
refused "a process holds /dev/$ns open" "$ns" "open by process $holder (sleep)"
kill "$holder"
wait "$holder" 2>/dev/null
binds_when_free "the process exited"

# A mounted filesystem.
vt_check "mke2fs /dev/$ns" mke2fs -q "/dev/$ns"
vt_check "modprobe ext4" modprobe ext4
mkdir -p /mnt/disk
vt_check "mount /dev/$ns on /mnt/disk" mount -t ext4 "/dev/$ns" /mnt/disk
refused "its filesystem is mounted" "$ns" "mounted on /mnt/disk"
vt_check "umount /mnt/disk" umount /mnt/disk
binds_when_free "umount"
