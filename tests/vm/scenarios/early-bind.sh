# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# early-bind (early-bind.vm: two e1000e, no host driver loaded at boot, udevd
# and kmod in the guest). The persisted NIC never meets e1000e:
# 1. the installed init-top script, as the initramfs runs it, then the
#    coldplug's module load (modprobe e1000e);
# 2. the modprobe.d install guard, with kmod's modprobe;
# 3. hotplug with systemd-udevd: with e1000e loaded (it probes the device
#    inside device_add(), before udev: the rule's RUN binds it with
#    persist-apply, which says it unbound e1000e) and with e1000e not
#    loaded (the rule's driver_override wins; the guard moved away).
# A persisted config whose IDs are not the device's (pci-testdev's address)
# is left alone with a warning.
A=0000:01:00.0 # persisted
B=0000:04:00.0 # the other NIC of the same model
TESTDEV=0000:00:06.0
INIT_TOP=/usr/share/initramfs-tools/scripts/init-top/0vfio-hostdev

probe_lines() { dmesg | grep "e1000e $1" ; }
driver_of() { vt_link "$1" driver; }

vt_eq "both NICs start without a driver" "- -" "$(driver_of $A) $(driver_of $B)"

# --- persisting, as an administrator does it (with e1000e loaded) ---------
modprobe e1000e
vt_eq "e1000e drives both NICs" "e1000e e1000e" "$(driver_of $A) $(driver_of $B)"
# a config whose IDs are not those of the device at its address (the way
# persist writes them; another card now sits in the slot)
mkdir -p /etc/vfio-hostdev/devices
printf '[device]\nformat=1\naddress=%s\nvendor_id=8086\ndevice_id=10d3\ndriver=vfio-pci\nmodule=vfio_pci\n' \
  $TESTDEV > /etc/vfio-hostdev/devices/$TESTDEV.conf
vt_run "$VT_TOOL" bind --persist $A
vt_eq "bind --persist exits 0" 0 "$VT_RC"
vt_has "without update-initramfs it says so" "$VT_ERR" "no update-initramfs"
list=$(grep -v '^#' /etc/vfio-hostdev/early.list)
vt_has "early.list has the NIC with its IDs, vfio_pci and host module e1000e" "$list" \
  "$A 8086 10d3 8086 0000 vfio-pci vfio_pci e1000e"
vt_has "modprobe guard for e1000e" "$(cat /etc/modprobe.d/vfio-hostdev.conf)" \
  "install e1000e " " module e1000e; /sbin/modprobe --ignore-install e1000e \$CMDLINE_OPTS"
# back to the state of a boot before any module: no driver, no override
vt_check "reattach" "$VT_TOOL" reattach $A
rmmod e1000e vfio_pci vfio_pci_core 2>/dev/null
vt_eq "no driver, no override before the 'boot'" "- - (null)" "$(driver_of $A) $(driver_of $B) $(vt_override $A)"
dmesg -c > /dev/null

# --- 1. the initramfs: init-top, then the coldplug loads e1000e -----------
"$INIT_TOP" 2> /tmp/init-top.err
vt_eq "init-top: the persisted NIC is on vfio-pci before any host driver" vfio-pci "$(driver_of $A)"
vt_has "init-top warns about the changed IDs on the console" "$(cat /tmp/init-top.err)" \
  "$TESTDEV was persisted as 8086:10d3" "left alone"
vt_has "... and in the kernel log" "$(dmesg)" "vfio-hostdev-early: warning: $TESTDEV was persisted"
vt_eq "the changed device is left alone" "- (null)" "$(driver_of $TESTDEV) $(vt_override $TESTDEV)"
modprobe e1000e
vt_eq "after modprobe e1000e: persisted on vfio-pci, the other on e1000e" "vfio-pci e1000e" \
  "$(driver_of $A) $(driver_of $B)"
vt_eq "e1000e never probed the persisted NIC (no probe line)" "" "$(probe_lines $A)"
vt_check "e1000e probed the other NIC (probe line)" probe_lines $B

# --- 2. the modprobe guard, with kmod's modprobe --------------------------
# (busybox sh runs its own modprobe applet for a bare "modprobe": kmod is
# called by path; the guard's "/sbin/modprobe --ignore-install" is kmod too)
ln -sf /sbin/kmod /sbin/modprobe
echo > /sys/bus/pci/devices/$A/driver_override
echo $A > /sys/bus/pci/drivers/vfio-pci/unbind
rmmod e1000e
vt_eq "no driver, no override before the guarded load" "- - (null)" "$(driver_of $A) $(driver_of $B) $(vt_override $A)"
dmesg -c > /dev/null
vt_check "kmod's modprobe e1000e" /sbin/modprobe e1000e
vt_has "... ran the guard (its note in the kernel log)" "$(dmesg)" "vfio-hostdev-early: $A: driver_override vfio-pci, by the modprobe guard of e1000e"
vt_eq "guard: persisted on vfio-pci, the other on e1000e" "vfio-pci e1000e" "$(driver_of $A) $(driver_of $B)"
vt_eq "guard: e1000e never probed the persisted NIC" "" "$(probe_lines $A)"

# --- 3. hotplug with systemd-udevd ----------------------------------------
# the rule's RUN runs the tool from the configured bindir
tool=$(sed -n 's/^tool=\([^ ]*\) .*$/\1/p' "$(sed -n 's|^\(/[^ ]*vfio-hostdev-early\) boot$|\1|p' $INIT_TOP)")
[ -x "$tool" ] || { mkdir -p "${tool%/*}"; ln -s "$VT_TOOL" "$tool"; }
mkdir -p /run/udev
/lib/systemd/systemd-udevd --daemon 2> /tmp/udevd.err
vt_check "systemd-udevd runs" udevadm control --ping
dmesg -c > /dev/null
echo 1 > /sys/bus/pci/devices/$A/remove
echo 1 > /sys/bus/pci/rescan
udevadm settle
vt_eq "hotplug with e1000e loaded: the persisted NIC ends on vfio-pci" vfio-pci "$(driver_of $A)"
vt_check "... e1000e had probed it inside device_add(), before udev (its probe line)" probe_lines $A
vt_has "... the rule's RUN said so and bound it with persist-apply" "$(dmesg)" \
  "vfio-hostdev-early: $A: e1000e took it before udev could"
vt_has "... persist-apply said it had to unbind e1000e" "$(dmesg)" \
  "$A: bound to vfio-pci" "$A: had to unbind e1000e first"
vt_eq "... the other NIC stays on e1000e" e1000e "$(driver_of $B)"

# e1000e not loaded, the modprobe guard away: only the rule's ATTR write
# stands between the kmod builtin's load of e1000e and the device
mv /etc/modprobe.d/vfio-hostdev.conf /tmp/
echo 1 > /sys/bus/pci/devices/$A/remove
rmmod e1000e
dmesg -c > /dev/null
echo 1 > /sys/bus/pci/rescan
udevadm settle
vt_eq "hotplug with e1000e not loaded: the rule's override keeps it for vfio-pci" "vfio-pci vfio-pci" \
  "$(driver_of $A) $(vt_override $A)"
vt_check "... udev's kmod builtin loaded e1000e (the other NIC is on it)" test "$(driver_of $B)" = e1000e
vt_eq "... e1000e never probed the persisted NIC" "" "$(probe_lines $A)"
udevadm control --exit
