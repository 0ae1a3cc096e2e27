# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh disable=SC2034 # KVER, VMLINUZ, BASE_INITRD are for run.sh
# Preparation of the real-kernel suite (sourced by run.sh; POSIX sh).
#
# Two guest kernels:
#   stock   Debian's linux-image-6.12-amd64 (no iommufd, no VFIO cdev)
#   modern  6.12 built from Debian's linux-source-6.12 with iommufd, the
#           VFIO cdev and virtio_vfio_pci (kernel/modern.sh, modern.config)
#
# vm_prepare KERNEL makes sure, once per kernel version and source hash, that
# the cache holds everything a boot of KERNEL needs, and sets:
#   KVER        the guest kernel release (e.g. 6.12.117+deb12-amd64)
#   VMLINUZ     the guest kernel image
#   BASE_INITRD the cached base initramfs (busybox + decompressed modules +
#               module indexes, qedu_mig included); run.sh appends the tool
#               and the scripts as a second cpio archive on every run.
# It is idempotent and serialised by a lock per kernel in the cache, so
# parallel callers (several scenarios, vm-prepare*) wait for one another
# instead of repeating it.
#
# Cache layout, stock ($VM_CACHE/<kver>/):
#   kernel/             dpkg -x of linux-image-<kver>-unsigned (or signed)
#   headers/            linux-headers-<kver> and friends, unpacked
#   qedu_mig-<hash>/    the variant module built against the headers
#   base-<hash>.cpio.gz the base initramfs
# modern ($VM_CACHE/modern-<srcversion>-<hash>/, see kernel/modern.sh):
#   vmlinuz, modules/lib/modules/<kver>/, kbuild/ (pruned build tree),
#   config, build.log, and qedu_mig-<hash>/, base-<hash>.cpio.gz as above.
# <hash> covers the sources that go into the artefact, so editing them
# rebuilds it; stale entries can be deleted at any time (rm -rf the cache).

. "$VM_DIR/kernel/modern.sh"

# Host drivers loaded at boot, the VFIO stack, and what scenarios modprobe.
GUEST_MODULES="e1000e nvme virtio_net ahci i2c_i801 \
  vfio vfio_iommu_type1 vfio_pci_core vfio_pci irqbypass qedu_mig pci_stub ext4 bridge 8021q"
# The modern kernel adds iommufd, the virtio-net variant driver and what
# "in use" scenarios stack on devices (loop, ext4 and md are built in or
# pulled by these).
GUEST_MODULES_MODERN="$GUEST_MODULES iommufd virtio_vfio_pci \
  bonding macvlan dm_mod md_mod linear raid1"

KERNEL_META=linux-image-6.12-amd64

# apt-get as root, non-interactive and quiet; $1.. are its arguments.
vm_apt() {
  DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 "$@" >&2
}

# apt-get download as root: skip the _apt sandbox user, which cannot write
# into the cache (it only makes apt warn).
vm_apt_dl_opts() {
  [ "$(id -u)" -eq 0 ] && echo "-o APT::Sandbox::User=root"
  return 0
}

vm_apt_updated=0
vm_apt_update() {
  [ "$vm_apt_updated" = 1 ] && return 0
  vm_apt_updated=1
  log "apt-get update"
  vm_apt update
}

# Host tools: install the missing ones when root, else skip.
vm_host_tools() {
  missing=""
  command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu-system-x86"
  # The guest has no libc: busybox must be the static build (ldd fails on it).
  [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || missing="$missing busybox-static"
  command -v depmod >/dev/null || [ -x /sbin/depmod ] || missing="$missing kmod"
  command -v cpio >/dev/null || missing="$missing cpio"
  command -v xz >/dev/null || missing="$missing xz-utils"
  command -v flock >/dev/null || missing="$missing util-linux"
  [ -z "$missing" ] && return 0
  [ "$(id -u)" -eq 0 ] || prereq_missing "packages$missing (run as root or: apt-get install$missing)"
  command -v apt-get >/dev/null || prereq_missing "packages$missing and no apt-get"
  log "installing$missing"
  # busybox-static conflicts with busybox: apt removes the latter.
  # shellcheck disable=SC2086
  vm_apt install --no-install-recommends $missing \
    || { vm_apt_update && vm_apt install --no-install-recommends $missing; } \
    || prereq_missing "cannot install$missing (no network to the apt archive?)"
}

# Resolve the guest kernel version from the meta package (security updates
# replace the versioned package). VFIO_HOSTDEV_VM_KVER overrides.
vm_resolve_kver() {
  if [ -n "${VFIO_HOSTDEV_VM_KVER:-}" ]; then
    KVER=$VFIO_HOSTDEV_VM_KVER
    return 0
  fi
  KVER=$(apt-cache depends "$KERNEL_META" 2>/dev/null |
    sed -n 's/^ *Depends: linux-image-\(6\.12\.[^ ]*\)$/\1/p' | head -n1)
  if [ -z "$KVER" ] && [ "$(id -u)" -eq 0 ]; then
    vm_apt_update || true
    KVER=$(apt-cache depends "$KERNEL_META" 2>/dev/null |
      sed -n 's/^ *Depends: linux-image-\(6\.12\.[^ ]*\)$/\1/p' | head -n1)
  fi
  if [ -z "$KVER" ]; then
    # Offline: fall back to the newest kernel already in the cache.
    KVER=$(for d in "$VM_CACHE"/6.12.*/kernel/.done; do
      [ -f "$d" ] && { d=${d%/kernel/.done}; echo "${d##*/}"; }; done | sort -V | tail -n1)
    [ -n "$KVER" ] || prereq_missing "cannot resolve $KERNEL_META with apt-cache (no apt lists/network?)"
    log "apt cannot resolve $KERNEL_META; using cached kernel $KVER"
  fi
}

# Download and unpack the kernel package (unsigned preferred).
vm_kernel() {
  kdir=$KROOT/kernel
  [ -f "$kdir/.done" ] && return 0
  tmp=$KROOT/dl.tmp
  rm -rf "$tmp" "$kdir.tmp"
  mkdir -p "$tmp"
  log "downloading linux-image-$KVER"
  ok=0
  for _ in 1 2; do
    for pkg in "linux-image-$KVER-unsigned" "linux-image-$KVER"; do
      # shellcheck disable=SC2046
      if (cd "$tmp" && apt-get -qq $(vm_apt_dl_opts) download "$pkg" >&2); then ok=1; break 2; fi
    done
    [ "$(id -u)" -eq 0 ] || break
    vm_apt_update || break
  done
  [ "$ok" = 1 ] || prereq_missing "cannot download linux-image-$KVER(-unsigned) (no network to the apt archive?)"
  dpkg -x "$tmp"/*.deb "$kdir.tmp" || die "dpkg -x failed for $(ls "$tmp")"
  rm -rf "$tmp"
  [ -f "$kdir.tmp/boot/vmlinuz-$KVER" ] || die "no boot/vmlinuz-$KVER in the kernel package"
  [ -d "$kdir.tmp/lib/modules/$KVER" ] || die "no lib/modules/$KVER in the kernel package"
  touch "$kdir.tmp/.done"
  mv "$kdir.tmp" "$kdir"
}

# Headers for the out-of-tree variant module, unpacked into the cache.
# Not "apt-get install linux-headers-<kver>": that package depends on
# linux-image-<kver>, which would install a kernel into the host's /boot and
# run update-initramfs. The three packages below are all kbuild needs; the
# compiler and kbuild's runtime dependencies (gcc-12, make, pahole for BTF,
# libelf1, libssl3) are installed on the host when missing.
vm_headers() {
  hroot=$KROOT/headers
  HEADERS=$hroot/usr/src/linux-headers-$KVER
  [ -f "$hroot/.done" ] && return 0
  kbase=${KVER%-amd64}
  need=""
  for t in gcc-12:gcc-12 make:make pahole:pahole; do
    command -v "${t%%:*}" >/dev/null || need="$need ${t#*:}"
  done
  for p in libelf1 libssl3 libc6-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
  done
  if [ -n "$need" ]; then
    [ "$(id -u)" -eq 0 ] || prereq_missing "packages$need to build the test module (run as root)"
    log "installing$need"
    # shellcheck disable=SC2086
    vm_apt install --no-install-recommends $need \
      || { vm_apt_update && vm_apt install --no-install-recommends $need; } \
      || prereq_missing "cannot install$need (no network to the apt archive?)"
  fi
  tmp=$KROOT/hdl.tmp
  rm -rf "$tmp" "$hroot.tmp"
  mkdir -p "$tmp"
  log "downloading linux-headers-$KVER"
  pkgs="linux-headers-$KVER linux-headers-$kbase-common linux-kbuild-$kbase"
  # shellcheck disable=SC2086,SC2046
  (cd "$tmp" && apt-get -qq $(vm_apt_dl_opts) download $pkgs >&2) ||
    { [ "$(id -u)" -eq 0 ] && vm_apt_update && (cd "$tmp" && apt-get -qq $(vm_apt_dl_opts) download $pkgs >&2); } ||
    prereq_missing "cannot download $pkgs (no network to the apt archive?)"
  for d in "$tmp"/*.deb; do dpkg -x "$d" "$hroot.tmp" || die "dpkg -x $d failed"; done
  rm -rf "$tmp"
  mk=$hroot.tmp/usr/src/linux-headers-$KVER/Makefile
  [ -f "$mk" ] || die "no Makefile in linux-headers-$KVER"
  # The arch Makefile includes the common one by absolute path; point it
  # into the cache (scripts/ and tools/ are relative symlinks already).
  sed -i "s|^include /usr/src/|include $hroot/usr/src/|" "$mk"
  touch "$hroot.tmp/.done"
  mv "$hroot.tmp" "$hroot"
}

vm_hash() { cat "$@" | sha256sum | cut -c1-16; }

# Build qedu_mig.ko out of tree, cached by source hash.
vm_module() {
  src=$VM_DIR/qedu_mig
  h=$(vm_hash "$src/qedu_mig.c" "$src/Kbuild")
  QEDU_KO=$KROOT/qedu_mig-$h/qedu_mig.ko
  [ -f "$QEDU_KO" ] && return 0
  [ "$VM_KERNEL" = stock ] && vm_headers
  b=$KROOT/qedu_mig-$h.tmp
  rm -rf "$b"
  mkdir -p "$b"
  cp "$src/qedu_mig.c" "$src/Kbuild" "$b/"
  log "building qedu_mig.ko against $HEADERS"
  make -s -C "$HEADERS" M="$b" modules >&2 || die "building qedu_mig.ko failed (see above)"
  [ -f "$b/qedu_mig.ko" ] || die "make produced no qedu_mig.ko"
  mkdir -p "${QEDU_KO%/*}"
  mv "$b/qedu_mig.ko" "$QEDU_KO"
  rm -rf "$b"
}

# The guest module tree: the full set of module indexes (modules.dep,
# modules.alias, modules.builtin.alias... of the real kernel plus qedu_mig in
# extra/), and the files of GUEST_MODULES and their dependencies, decompressed
# so that busybox modprobe loads them.
vm_modroot() {
  root=$1
  kmods=$KMODS
  stage=$root.stage
  rm -rf "$stage"
  mkdir -p "$stage/lib/modules"
  # Hard links: cheap, and we only ever replace files, never edit them.
  cp -al "$kmods" "$stage/lib/modules/$KVER"
  mkdir -p "$stage/lib/modules/$KVER/extra"
  cp "$QEDU_KO" "$stage/lib/modules/$KVER/extra/qedu_mig.ko"
  depmod -b "$stage" "$KVER" || die "depmod failed"
  mods=$GUEST_MODULES
  [ "$VM_KERNEL" = modern ] && mods=$GUEST_MODULES_MODERN
  files=$(for m in $mods; do
      modprobe -d "$stage" -S "$KVER" --show-depends "$m" || echo "MISSING $m"
    done | awk '$1 == "insmod" { print $2 } $1 == "MISSING" { print }' | sort -u)
  echo "$files" | grep -q "^MISSING" && die "modules not found in $KVER: $(echo "$files" | grep '^MISSING' | tr '\n' ' ')"
  mkdir -p "$root/lib/modules/$KVER"
  for f in $files; do
    rel=${f#"$stage"/lib/modules/"$KVER"/}
    case $rel in
      *.ko.xz) out=${rel%.xz} ;;
      *.ko) out=$rel ;;
      *) die "unsupported module compression: $rel" ;;
    esac
    dst=$root/lib/modules/$KVER/$out
    mkdir -p "${dst%/*}"
    case $rel in
      *.xz) xz -dc "$f" > "$dst" || die "cannot decompress $rel" ;;
      *) cp "$f" "$dst" || die "cannot copy $rel" ;;
    esac
    # Replace the compressed file in the stage so depmod names the .ko.
    rm -f "$f"
    cp "$dst" "$stage/lib/modules/$KVER/$out"
  done
  depmod -b "$stage" "$KVER" || die "depmod failed"
  cp "$stage/lib/modules/$KVER"/modules.* "$root/lib/modules/$KVER/"
  rm -rf "$stage"
  grep -q "^alias vfio_pci:v00001234d000011E8sv\*sd\*bc\*sc\*i\* qedu_mig\$" \
    "$root/lib/modules/$KVER/modules.alias" || die "depmod did not list qedu_mig's vfio_pci alias"
  if [ "$VM_KERNEL" = modern ]; then
    grep -q "^alias vfio_pci:v00001AF4d00001041sv\*sd\*bc\*sc\*i\* virtio_vfio_pci\$" \
      "$root/lib/modules/$KVER/modules.alias" || die "modules.alias of $KVER lacks virtio_vfio_pci's alias for 1af4:1041"
  fi
}

# Base initramfs: busybox and the guest module tree.
vm_base_initrd() {
  h=$(vm_hash "$QEDU_KO" /bin/busybox "$VM_DIR/prepare.sh")
  BASE_INITRD=$KROOT/base-$h.cpio.gz
  # touch: marks it in use for the clean-up below
  [ -f "$BASE_INITRD" ] && { touch "$BASE_INITRD" "${QEDU_KO%/*}"; return 0; }
  log "building the base initramfs for $KVER ($VM_KERNEL)"
  root=$KROOT/base-$h.root
  rm -rf "$root"
  mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
    "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  # the kernel's config where Debian installs it, for doctor to read (a
  # kernel package without one leaves doctor /proc/config.gz, if built in)
  kconfig=$KROOT/kernel/boot/config-$KVER
  [ "$VM_KERNEL" = modern ] && kconfig=$KROOT/config
  if [ -f "$kconfig" ]; then
    mkdir -p "$root/boot"
    cp "$kconfig" "$root/boot/config-$KVER" || die "cannot copy boot/config-$KVER"
  fi
  vm_modroot "$root"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) \
    > "$BASE_INITRD.tmp" || die "cpio of the base initramfs failed"
  mv "$BASE_INITRD.tmp" "$BASE_INITRD"
  rm -rf "$root"
  # Drop the archives and modules of older sources, once unused for a day:
  # other checkouts (worktrees) sharing the cache may still use theirs, and a
  # run reads its base after the lock is released.
  for f in "$KROOT"/base-*.cpio.gz "$KROOT"/qedu_mig-*; do
    [ "$f" = "$BASE_INITRD" ] || [ "$f" = "${QEDU_KO%/*}" ] ||
      [ -z "$(find "$f" -maxdepth 0 -mtime +0 2>/dev/null)" ] || rm -rf "$f"
  done
}

# vm_prepare KERNEL (stock or modern); sets VM_KERNEL too.
vm_prepare() {
  VM_KERNEL=${1:-stock}
  { mkdir -p "$VM_CACHE" 2>/dev/null && [ -w "$VM_CACHE" ]; } ||
    prereq_missing "cache directory $VM_CACHE is not writable (set VFIO_HOSTDEV_VM_CACHE)"
  vm_host_tools
  case $VM_KERNEL in
    stock)
      exec 9>"$VM_CACHE/.lock"
      flock 9
      vm_resolve_kver
      KROOT=$VM_CACHE/$KVER
      KMODS=$KROOT/kernel/lib/modules/$KVER
      mkdir -p "$KROOT"
      vm_kernel
      VMLINUZ=$KROOT/kernel/boot/vmlinuz-$KVER ;;
    modern)
      # A lock of its own: a first build takes minutes and stock scenarios
      # need not wait for it.
      exec 9>"$VM_CACHE/.lock-modern"
      flock 9
      vm_modern_kernel ;;
    *) die "unknown kernel $VM_KERNEL (stock or modern)" ;;
  esac
  vm_module
  vm_base_initrd
  exec 9>&-
}
