#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Real-kernel tests: boots a 6.12 guest under QEMU (TCG) with an emulated
# IOMMU and a small zoo of PCI devices, runs one scenario with the freshly
# built vfio-hostdev inside, and reports TAP.
#
# Usage: tests/vm/run.sh [-k KERNEL] [-b BUILDDIR] [-t TOOL] [-T SECONDS] [--tap] SCENARIO
#        tests/vm/run.sh [-k KERNEL] [-b BUILDDIR] -s  interactive shell in the guest
#        tests/vm/run.sh [-k KERNEL] --prepare         only download/build the cache
#
#   -k KERNEL    stock (Debian's linux-image-6.12, the default) or modern
#                (built from linux-source-6.12 with iommufd and the VFIO cdev)
#   -b BUILDDIR  meson build directory (default: ./build); the tool is
#                BUILDDIR/tools/vfio-hostdev unless -t names it
#   -T SECONDS   QEMU wall-clock limit (default 180); the guest is killed then
#   --tap        meson mode: a missing prerequisite is a TAP skip plan
# Files of the last run: BUILDDIR/tests/vm/work/[modern-]SCENARIO/
# (console.log, results.log, initrd.gz). See tests/vm/README.md.
# Exit: 0 all checks passed, 1 a check failed or the guest did not finish,
# 77 a prerequisite is missing (1 instead when CI=true).
set -u

# TAP (and anything meant for the caller) goes to fd 3; the rest to stderr.
exec 3>&1 1>&2

. "$(dirname "$0")/common.sh"
. "$VM_DIR/prepare.sh"

usage() { sed -n '7,18p' "$VM_DIR/run.sh" | sed 's/^# \{0,1\}//' >&2; exit 2; }

BUILDDIR=build
KERNEL=stock
TOOL=
TIMEOUT=180
TIMEOUT_GIVEN=0
VM_TAP=0
MODE=scenario
SCENARIO=
while [ $# -gt 0 ]; do
  case $1 in
    -b) BUILDDIR=${2:?}; shift ;;
    -k) KERNEL=${2:?}; shift ;;
    -t) TOOL=${2:?}; shift ;;
    -T) TIMEOUT=${2:?}; TIMEOUT_GIVEN=1; shift ;;
    --tap) VM_TAP=1 ;;
    -s|--shell) MODE=shell; SCENARIO=shell ;;
    --prepare) MODE=prepare ;;
    -h|--help) usage ;;
    -*) echo "run.sh: unknown option $1" >&2; usage ;;
    *) [ -z "$SCENARIO" ] || usage; SCENARIO=$1 ;;
  esac
  shift
done
export VM_TAP
case $KERNEL in stock | modern) ;; *) echo "run.sh: -k takes stock or modern, not $KERNEL" >&2; usage ;; esac

if [ "$MODE" = prepare ]; then
  t0=$(date +%s)
  vm_prepare "$KERNEL"
  log "prepared the $KERNEL kernel $KVER in $(( $(date +%s) - t0 ))s (cache: $VM_CACHE)"
  if [ "$VM_TAP" = 1 ]; then
    printf '1..1\nok 1 - %s guest kernel %s, qedu_mig and base initramfs are cached\n' "$KERNEL" "$KVER" >&3
  fi
  exit 0
fi

[ -n "$SCENARIO" ] || usage
if [ "$MODE" = scenario ] && [ ! -f "$VM_DIR/scenarios/$SCENARIO.sh" ]; then
  echo "run.sh: no scenario $SCENARIO (tests/vm/scenarios/$SCENARIO.sh)" >&2
  exit 2
fi
[ -n "$TOOL" ] || TOOL=$BUILDDIR/tools/vfio-hostdev
if [ ! -x "$TOOL" ]; then
  if [ "$MODE" = shell ]; then
    log "no tool at $TOOL: the guest will not have vfio-hostdev"
    TOOL=
  else
    die "no vfio-hostdev at $TOOL: build first (ninja -C $BUILDDIR) or pass -b/-t"
  fi
fi

vm_prepare "$KERNEL"

WORK=$BUILDDIR/tests/vm/work/$SCENARIO
[ "$KERNEL" = stock ] || WORK=$BUILDDIR/tests/vm/work/$KERNEL-$SCENARIO
[ -d "$BUILDDIR" ] || WORK=$(mktemp -d /tmp/vfio-hostdev-vm.XXXXXX)
rm -rf "$WORK"
mkdir -p "$WORK/root" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)

# A scenario may ask for more guest memory or kernel arguments (hugepages
# reserved at boot) or no vIOMMU in scenarios/NAME.vm: VM_MEM=MiB,
# VM_APPEND="...", VM_IOMMU="", VM_QEMU_ARGS="..." (more devices, appended
# to the command line) and VM_NVME_SHARED=true (the namespace is shared by
# every controller of the subsystem, so that a second controller given in
# VM_QEMU_ARGS is another path to it: NVMe multipath). VM_UDEV=true puts
# Debian's systemd-udevd and kmod into the guest's initramfs. VM_INITRAMFS=debian: see debian_initrd.
VM_MEM=1536
VM_APPEND=
VM_QEMU_ARGS=
VM_NVME_SHARED=false
VM_UDEV=false
VM_INITRAMFS=
# The guest's vIOMMU; a scenario about a VM without one sets VM_IOMMU= .
VM_IOMMU="-device intel-iommu,intremap=on,caching-mode=on"
# One vCPU per guest: two guests side by side (meson runs the scenarios in
# parallel) finish sooner on a 2-core machine than one guest with two vCPUs
# at a time. A scenario that needs more says VM_SMP=2 in its .vm file.
VM_SMP=${VM_SMP:-1}
if [ -f "$VM_DIR/scenarios/$SCENARIO.vm" ]; then
  . "$VM_DIR/scenarios/$SCENARIO.vm"
fi
# VM_TIMEOUT=SECONDS in the .vm file: a longer default QEMU limit for a
# scenario that boots several long runs (-T still wins).
[ -n "${VM_TIMEOUT:-}" ] && [ "$TIMEOUT_GIVEN" = 0 ] && TIMEOUT=$VM_TIMEOUT

# The per-run part of the initramfs: /init, the scenarios, the tool and the
# libraries it links (as ldd resolves them, with the loader). It is a second
# cpio archive appended to the cached base; the kernel unpacks both.
root=$WORK/root

# Copies the libraries (ldd's list) into the guest's root.
copy_libs() {
  for l in $1; do
    # the build tree's libvfio-hostdev.so.0 is found through the tool's
    # RUNPATH ($ORIGIN/../src), which means nothing in the guest's /usr/bin:
    # it goes where the guest's loader looks by default
    case $l in
      /lib/* | /lib64/* | /usr/lib/* | /usr/lib64/*) dest=$l ;;
      *) dest=/usr/lib/${l##*/} ;;
    esac
    mkdir -p "$root${dest%/*}"
    cp -L "$l" "$root$dest" || die "cannot copy $l"
  done
}

# The early binding's files where `meson install` puts them (data/meson.build,
# default directories): the helper in the configured libexecdir, the
# initramfs-tools init-top script and the udev rule. The hook is not needed:
# the guest's initramfs is this one.
install_early() {
  early_helper=$(sed -n 's/^#define VFIO_HOSTDEV_EARLY_HELPER "\(.*\)"$/\1/p' "$BUILDDIR/config.h" 2>/dev/null)
  [ -n "$early_helper" ] && [ -f "$BUILDDIR/data/vfio-hostdev-early" ] || die "no early binding helper in $BUILDDIR/data"
  mkdir -p "$root${early_helper%/*}" "$root/usr/share/initramfs-tools/scripts/init-top" "$root/lib/udev/rules.d"
  cp "$BUILDDIR/data/vfio-hostdev-early" "$root$early_helper"
  cp "$BUILDDIR/data/init-top" "$root/usr/share/initramfs-tools/scripts/init-top/0vfio-hostdev"
  cp "$BUILDDIR/data/70-vfio-hostdev.rules" "$root/lib/udev/rules.d/"
  chmod 755 "$root$early_helper" "$root/usr/share/initramfs-tools/scripts/init-top/0vfio-hostdev"
}

# Debian's systemd-udevd (udevadm) and kmod from the host, with their
# libraries, and the one stock rule that loads drivers (80-drivers.rules),
# for a scenario that sets VM_UDEV=true. kmod goes to /sbin/kmod: busybox's
# modprobe stays the default, the scenario links modprobe to kmod itself.
install_udev() {
  for prog in /bin/udevadm /bin/kmod; do
    [ -x "$prog" ] || prereq_missing "$prog (packages udev, kmod)"
    libs=$(ldd "$prog" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }') || die "ldd $prog failed"
    copy_libs "$libs"
  done
  mkdir -p "$root/sbin" "$root/lib/systemd" "$root/lib/udev/rules.d" "$root/etc/udev"
  cp /bin/udevadm "$root/sbin/udevadm"
  ln -sf /sbin/udevadm "$root/lib/systemd/systemd-udevd"
  cp /bin/kmod "$root/sbin/kmod"
  cp /lib/udev/rules.d/80-drivers.rules "$root/lib/udev/rules.d/"
}
# VM_INITRAMFS=debian in the .vm file: the guest boots an initramfs made by
# Debian's own mkinitramfs (initramfs/mkinitramfs.sh: vfio-hostdev's early
# binding and a persisted e1000e; Debian's /init, udev's coldplug), not the
# suite's. It runs in a private mount namespace on overlays (the host's
# initramfs-tools, /etc and /lib/modules stay as they are), cached per
# kernel and inputs under BUILDDIR/tests/vm/initramfs/.
debian_initrd() {
  [ -x /usr/sbin/mkinitramfs ] || prereq_missing "mkinitramfs (package initramfs-tools-core)"
  [ "$(id -u)" -eq 0 ] || prereq_missing "root (mkinitramfs runs in a private mount namespace)"
  command -v unshare > /dev/null || prereq_missing "unshare (package util-linux)"
  [ -f "$BUILDDIR/data/init-top" ] || die "no early binding files in $BUILDDIR/data: build first"
  h=$( { echo "$KVER $KMODS"; cat "$BUILDDIR/config.h" "$BUILDDIR/data/vfio-hostdev-early" \
    "$BUILDDIR/data/hook" "$BUILDDIR/data/init-top" "$VM_DIR"/initramfs/* "$VM_DIR/guest/lib.sh" \
    "$VM_DIR"/scenarios/early-initramfs*.sh /usr/sbin/mkinitramfs; } | sha256sum | cut -c1-16)
  cache=$BUILDDIR/tests/vm/initramfs
  img=$cache/$KERNEL-$h.img
  mkdir -p "$cache"
  # early-initramfs and early-initramfs-off share the image and meson runs
  # them side by side: one makes it, the other waits for it
  exec 8>"$cache/.lock-$KERNEL"
  flock 8
  if [ ! -f "$img" ]; then
    rm -f "$cache/$KERNEL"-*.img
    log "making the guest's initramfs with Debian's mkinitramfs for $KVER (log: $WORK/mkinitramfs.log)"
    t0=$(date +%s)
    kconfig=$KROOT/kernel/boot/config-$KVER # stock; the modern kernel's:
    [ -f "$kconfig" ] || kconfig=$KROOT/config
    unshare -m --propagation private sh "$VM_DIR/initramfs/mkinitramfs.sh" \
      "$(cd "$BUILDDIR" && pwd)" "$KVER" "$KMODS" "$kconfig" "$img" > "$WORK/mkinitramfs.log" 2>&1 ||
      { tail -n 20 "$WORK/mkinitramfs.log" >&2; die "mkinitramfs failed (see $WORK/mkinitramfs.log)"; }
    log "mkinitramfs took $(( $(date +%s) - t0 ))s"
  fi
  cp "$img" "$WORK/initrd.gz"
  exec 8>&-
}

mkdir -p "$root/vmtest/scenarios" "$root/usr/bin"
cp "$VM_DIR/guest/init" "$root/init"
chmod 755 "$root/init"
cp "$VM_DIR/guest/lib.sh" "$root/vmtest/lib.sh"
cp "$VM_DIR"/scenarios/*.sh "$root/vmtest/scenarios/" 2>/dev/null
if [ -n "$TOOL" ]; then
  cp "$TOOL" "$root/usr/bin/vfio-hostdev"
  libs=$(ldd "$TOOL" | awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]*ld-linux/ { print $1 }') ||
    die "ldd $TOOL failed"
  # the library runs its kernel write helper from the configured libexecdir
  # (BUILDDIR/config.h), built next to the tool
  helper=${TOOL%/*}/vfio-hostdev-write
  helper_path=$(sed -n 's/^#define VFIO_HOSTDEV_WRITE_HELPER "\(.*\)"$/\1/p' "$BUILDDIR/config.h" 2>/dev/null)
  [ -x "$helper" ] && [ -n "$helper_path" ] ||
    die "no kernel write helper ($helper, path in $BUILDDIR/config.h): build first (ninja -C $BUILDDIR)"
  mkdir -p "$root${helper_path%/*}"
  cp "$helper" "$root$helper_path"
  copy_libs "$libs"
  install_early
fi
[ "$VM_UDEV" = true ] && install_udev
if [ "$VM_INITRAMFS" = debian ]; then
  debian_initrd
else
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$WORK/overlay.cpio.gz" ||
    die "cpio of the overlay failed"
  cat "$BASE_INITRD" "$WORK/overlay.cpio.gz" > "$WORK/initrd.gz"
fi
truncate -s 4M "$WORK/nvme.img"


# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer check
# can time out and panic at boot ("timer doesn't work through
# Interrupt-remapped IO-APIC"); the emulated timer works, so skip the check.
# shellcheck disable=SC2086 # VM_IOMMU and VM_QEMU_ARGS are words, or nothing
set -- qemu-system-x86_64 \
  -accel tcg,thread=multi -cpu max -smp "$VM_SMP" -m "$VM_MEM" \
  -machine q35,kernel-irqchip=split \
  $VM_IOMMU \
  -kernel "$VMLINUZ" -initrd "$WORK/initrd.gz" \
  -append "console=ttyS0 intel_iommu=on panic=-1 quiet no_timer_check vmtest.scenario=$SCENARIO vmtest.kernel=$KERNEL${VM_APPEND:+ $VM_APPEND}" \
  -no-reboot -net none \
  -device edu,addr=02.0 \
  -device pcie-root-port,id=rp1,chassis=1,slot=1,addr=03.0 \
  -netdev user,id=n1,restrict=on \
  -device e1000e,bus=rp1,netdev=n1,romfile= \
  -device pcie-root-port,id=rp2,chassis=2,slot=2,addr=04.0 \
  -netdev user,id=n2,restrict=on \
  -device virtio-net-pci,disable-legacy=on,bus=rp2,netdev=n2,romfile= \
  -device pcie-root-port,id=rp3,chassis=3,slot=3,addr=05.0 \
  -device nvme-subsys,id=nvmesubsys,nqn=vfio-hostdev-vmtest \
  -device nvme,id=nvme0,bus=rp3,serial=vmtest0,subsys=nvmesubsys,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=6 \
  -drive if=none,id=nvm,file="$WORK/nvme.img",format=raw \
  -device nvme-ns,drive=nvm,bus=nvme0,nsid=1,shared=$VM_NVME_SHARED \
  -device pci-testdev,addr=06.0 \
  $VM_QEMU_ARGS

if [ "$MODE" = shell ]; then
  # Serial 0 (console) on this terminal, Ctrl-A X quits; serial 1 to a file.
  "$@" -nographic -serial mon:stdio -serial "file:$WORK/results.log" <&0 >&3
  exit 0
fi

log "booting $KVER ($KERNEL) for scenario $SCENARIO (log: $WORK/console.log)"
t0=$(date +%s)
timeout -k 10 "$TIMEOUT" "$@" -display none -monitor none \
  -serial "file:$WORK/console.log" -serial "file:$WORK/results.log" </dev/null
qrc=$?
log "guest ran $(( $(date +%s) - t0 ))s, qemu exit status $qrc"

python3 "$VM_DIR/report.py" --scenario "$SCENARIO" --dir "$VM_DIR" \
  --results "$WORK/results.log" --console "$WORK/console.log" \
  --qemu-rc "$qrc" --timeout "$TIMEOUT" >&3
rrc=$?
[ "$VM_TAP" = 1 ] && exit 0
exit $rrc
