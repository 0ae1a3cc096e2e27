# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# early-initramfs (early-initramfs.vm): the guest boots an initramfs made by
# Debian's own mkinitramfs (tests/vm/initramfs/mkinitramfs.sh) with
# vfio-hostdev's hook, init-top script, helper, a persisted e1000e
# (01:00.0: early.list and the modprobe.d guard) and udev's own hook and
# init-top script. Debian's /init ran init-top (ours, then udev's coldplug,
# which loads e1000e), then this, from init-premount; `debug` on the command
# line made it trace every step into /run/initramfs/initramfs.debug.
# With vfio-hostdev.early=0 (early-initramfs-off) nothing is overridden.
A=0000:01:00.0 # persisted
B=0000:04:00.0 # the other NIC of the same model
TRACE=/run/initramfs/initramfs.debug

probe_lines() { dmesg | grep "e1000e $1" ; }
driver_of() { vt_link "$1" driver; }
# The line number of the first kernel log line holding $1, or "-".
kmsg_line() { dmesg | grep -n -F -m1 -- "$1" | cut -d: -f1 | grep . || echo -; }

vt_diag "ORDER of init-top: $(grep -o 'init-top/[^ ]*' /scripts/init-top/ORDER | tr '\n' ' ')"
# mkinitramfs.sh's configuration lists no module: udev's coldplug loads e1000e
vt_check "e1000e was loaded" grep -q '^e1000e ' /proc/modules
vt_check "no modules list of the initramfs names it (udev's coldplug loaded it)" \
  sh -c '! grep -qsw e1000e /conf/modules /etc/modules'

# ok when line $1 comes before line $2 of the kernel log (both found)
before() { [ "$1" != - ] && [ "$2" != - ] && [ "$1" -lt "$2" ]; }

early_off_checks() {
  vt_eq "early=0: both NICs on e1000e" "e1000e e1000e" "$(driver_of $A) $(driver_of $B)"
  vt_eq "early=0: no override on the persisted NIC" "(null)" "$(vt_override $A)"
  vt_check "early=0: e1000e probed the persisted NIC (its probe line)" probe_lines $A
  vt_has "early=0: the helper said early binding is off (kernel log)" "$(dmesg)" \
    "vfio-hostdev-early: vfio-hostdev.early=0: early binding is off"
}

early_on_checks() {
  # tsort's order, as mkinitramfs cached it, and the order /init really ran them
  order=$(grep -o 'init-top/[^ ]*' /scripts/init-top/ORDER | sed 's|init-top/||' | tr '\n' ' ')
  ours=$(echo "$order" | tr ' ' '\n' | grep -n -x 0vfio-hostdev | cut -d: -f1)
  udev=$(echo "$order" | tr ' ' '\n' | grep -n -x udev | cut -d: -f1)
  vt_check "ORDER runs 0vfio-hostdev before udev ($order)" [ "${ours:-99}" -lt "${udev:-0}" ]
  ran=$(grep -o '^+ /scripts/init-top/[^ ]*' "$TRACE" | sed 's|.*/||' | tr '\n' ' ')
  vt_eq "/init ran our init-top script first, then udev's (trace)" "0vfio-hostdev udev" \
    "$(echo "$ran" | tr ' ' '\n' | grep -x -e 0vfio-hostdev -e udev | tr '\n' ' ' | sed 's/ $//')"

  vt_eq "the persisted NIC is on vfio-pci, the other on e1000e" "vfio-pci e1000e" \
    "$(driver_of $A) $(driver_of $B)"
  vt_eq "the persisted NIC's override is vfio-pci" vfio-pci "$(vt_override $A)"
  vt_eq "e1000e never probed the persisted NIC (no probe line)" "" "$(probe_lines $A)"
  vt_check "e1000e probed the other NIC (probe line)" probe_lines $B
  # the guard would have saved it too (an init-top script after udev's did
  # that): the note names the path that wrote the override
  vt_has "init-top wrote the override, not the modprobe guard (kernel log)" "$(dmesg)" \
    "vfio-hostdev-early: $A: driver_override vfio-pci, by init-top"
  vt_eq "... and nothing else did (one note)" 1 "$(dmesg | grep -c "vfio-hostdev-early: $A: driver_override")"
  note=$(kmsg_line "vfio-hostdev-early: $A: driver_override vfio-pci")
  e1000e=$(kmsg_line "e1000e: Intel(R) PRO/1000 Network Driver")
  vt_check "the helper's note (kernel log line $note) came before e1000e's init (line $e1000e)" \
    before "$note" "$e1000e"
}

if grep -qw 'vfio-hostdev.early=0' /proc/cmdline; then early_off_checks; else early_on_checks; fi
