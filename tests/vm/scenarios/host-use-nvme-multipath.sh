# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario host-use-nvme-multipath: two controllers of one NVMe subsystem
# share the namespace (host-use-nvme-multipath.vm), whose ext4 is mounted.
# bind of one controller is refused naming the other live path; --force
# binds it and the filesystem stays usable through the other path (write
# and sync); the remaining controller then holds the last live path and is
# refused; reattach brings the first path back.

pfs=$(for d in /sys/bus/pci/devices/*; do
  [ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1b36:0x0010 ] && [ -d "$d/nvme" ] && echo "${d##*/}"
done)
a=$(echo "$pfs" | sed -n 1p)
b=$(echo "$pfs" | sed -n 2p)
vt_check "two NVMe controllers with a host driver ($a, $b)" [ -n "$a" ] && [ -n "$b" ]
vt_state > /tmp/start.state

# The controller below PCI device $1 (nvmeN).
controller() { ls "/sys/bus/pci/devices/$1/nvme" 2>/dev/null | head -n1; }

# The head's path devices, once both controllers have scanned the namespace.
for _ in $(seq 1 40); do
  [ "$(ls -d /sys/block/nvme*c*n1 2>/dev/null | wc -l)" = 2 ] && break
  sleep 0.25
done
head=$(for b in /sys/block/nvme*n1; do case ${b##*/} in *c*) ;; *) echo "${b##*/}" ;; esac; done | head -n1)
vt_diag "controllers: $a=$(controller "$a") $b=$(controller "$b"); block: $(ls /sys/class/block | tr '\n' ' ')"
vt_eq "two path devices to the head $head" 2 "$(ls -d /sys/block/nvme*c*n1 2>/dev/null | wc -l)"
case $(readlink -f "/sys/block/$head") in
  */nvme-subsystem/*) vt_ok "the head is under nvme-subsystem" ;;
  *) vt_fail "the head is under nvme-subsystem"; vt_diag "$(readlink -f "/sys/block/$head")" ;;
esac

vt_check "mke2fs /dev/$head" mke2fs -q "/dev/$head"
vt_check "modprobe ext4" modprobe ext4
mkdir -p /mnt/disk
vt_check "mount /dev/$head on /mnt/disk" mount -t ext4 "/dev/$head" /mnt/disk

# Another live path remains: refused, naming it, and nothing changed.
other=$(controller "$b")
vt_expect_rc 4 "bind $a while $head is mounted" "$VT_TOOL" bind "$a"
vt_has "the refusal names the mount and the other live path" "$VT_ERR" "mounted on /mnt/disk" \
  "another live path remains through $other" "--force"
vt_same_state "the refused bind changed nothing" /tmp/start.state
vt_eq "no record after the refusal" none "$(vt_records)"

# --force: the controller goes to vfio-pci, the filesystem stays usable
# through the other path.
vt_expect_rc 0 "bind --force $a" "$VT_TOOL" bind --force "$a"
vt_vfio_bound "$a" vfio-pci
vt_check "write to /mnt/disk through the other path" sh -c 'echo through-the-other-path > /mnt/disk/f'
vt_check "sync /mnt/disk" sync -f /mnt/disk/f
vt_check "drop caches" sh -c 'echo 3 > /proc/sys/vm/drop_caches'
vt_eq "the file reads back" through-the-other-path "$(cat /mnt/disk/f 2>&1)"

# Now the other controller holds the last live path.
vt_expect_rc 4 "bind $b while it holds the last path" "$VT_TOOL" bind "$b"
vt_has "the refusal says it holds the last live path" "$VT_ERR" "mounted on /mnt/disk" "holds the last live path"

vt_expect_rc 0 "reattach $a" "$VT_TOOL" reattach "$a"
for _ in $(seq 1 40); do
  [ "$(ls -d /sys/block/nvme*c*n1 2>/dev/null | wc -l)" = 2 ] && break
  sleep 0.25
done
vt_eq "both paths are back after reattach" 2 "$(ls -d /sys/block/nvme*c*n1 2>/dev/null | wc -l)"
vt_eq "the file is still there" through-the-other-path "$(cat /mnt/disk/f 2>&1)"
vt_check "umount /mnt/disk" umount /mnt/disk
vt_same_state "every device as at boot" /tmp/start.state
