# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh disable=SC2034 # KVER, VMLINUZ, KMODS, HEADERS, KROOT are for prepare.sh
# The "modern" guest kernel of the real-kernel suite (sourced by prepare.sh;
# POSIX sh): Linux 6.12 from Debian's linux-source-6.12, configured with
# x86_64_defconfig + kvm_guest.config + modern.config (iommufd, the VFIO
# cdev, virtio_vfio_pci...: what Debian's stock 6.12 lacks), built once per
# machine and cached.
#
# vm_modern_kernel sets:
#   KROOT    $VM_CACHE/modern-<key>/, the kernel's cache directory
#   KVER     its release (6.12.<n>-vmtest-modern)
#   VMLINUZ  KROOT/vmlinuz (arch/x86/boot/bzImage)
#   KMODS    KROOT/modules/lib/modules/KVER (make modules_install)
#   HEADERS  KROOT/kbuild, the build tree pruned to what out-of-tree module
#            builds (make -C HEADERS M=dir modules) need
# <key> = the linux-source-6.12 package version + a hash of modern.config
# and of this file: a security update of the source package or an edit of
# either file builds a new kernel in a new directory (older ones are
# removed once the new one is complete).
#
# The build happens in $VM_CACHE/modern-build-<srcversion>-<fragment hash>/
# (keyed by what goes into the kernel only, so an interrupted build, or one
# whose later steps failed, resumes there after an edit of this file: make
# is incremental) and takes ~10 minutes on an idle 2-core machine; a line
# per minute on stderr shows it is alive. It is removed once the kernel is
# cached. Callers hold the modern lock.

MODERN_SRC_PKG=linux-source-6.12
MODERN_TARBALL=/usr/src/linux-source-6.12.tar.xz
MODERN_FRAGMENT=$VM_DIR/kernel/modern.config
# Host packages the build needs (gcc and make come with the stock kernel's
# module build too; bc, bison, flex, libelf-dev, libssl-dev are kbuild's).
MODERN_BUILD_PACKAGES="$MODERN_SRC_PKG gcc make bc bison flex libelf-dev libssl-dev libc6-dev xz-utils"

vm_modern_host_packages() {
  need=""
  for p in $MODERN_BUILD_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need="$need $p"
  done
  [ -z "$need" ] && return 0
  [ "$(id -u)" -eq 0 ] || prereq_missing "packages$need to build the modern guest kernel (run as root or: apt-get install$need)"
  command -v apt-get >/dev/null || prereq_missing "packages$need and no apt-get"
  log "installing$need"
  # shellcheck disable=SC2086
  vm_apt -o DPkg::Lock::Timeout=900 install --no-install-recommends $need \
    || { vm_apt_update && vm_apt -o DPkg::Lock::Timeout=900 install --no-install-recommends $need; } \
    || prereq_missing "cannot install$need (no network to the apt archive?)"
}

# The configuration: defconfig, the KVM guest fragment, ours; then every
# line of ours must be in .config as written (a "# CONFIG_X is not set"
# line: X must not be set).
vm_modern_config() {
  src=$1
  (cd "$src" && make -s x86_64_defconfig >&2 && make -s kvm_guest.config >&2 &&
    scripts/kconfig/merge_config.sh -m .config "$MODERN_FRAGMENT" >"$src/../merge_config.log" 2>&1 &&
    make -s olddefconfig >&2) || die "configuring the modern kernel failed (see $src/../merge_config.log)"
  bad=""
  while IFS= read -r line; do
    case $line in
      "# CONFIG_"*" is not set")
        opt=${line#\# }; opt=${opt%% *}
        grep -q "^$opt=" "$src/.config" && bad="$bad
  $line (but .config has $(grep "^$opt=" "$src/.config"))" ;;
      CONFIG_*=*)
        grep -qxF -- "$line" "$src/.config" || bad="$bad
  $line (but .config has $(grep "^${line%%=*}=" "$src/.config" || echo "${line%%=*} not set"))" ;;
    esac
  done < "$MODERN_FRAGMENT"
  [ -z "$bad" ] || die "modern.config lines that did not survive olddefconfig (unmet dependencies?):$bad"
}

# make with a line per minute on stderr (elapsed time, compile steps so far);
# the full output goes to $log.
vm_modern_make() {
  log_file=$1; what=$2; shift 2
  mk_t0=$(date +%s)
  parent=$$
  (
    while sleep 60; do
      kill -0 "$parent" 2>/dev/null || exit 0
      log "$what: $(( $(date +%s) - mk_t0 ))s, $(grep -c '^  [A-Z]' "$log_file" 2>/dev/null) build steps so far"
    done
  ) &
  ticker=$!
  "$@" >>"$log_file" 2>&1
  mrc=$?
  kill "$ticker" 2>/dev/null
  wait "$ticker" 2>/dev/null
  if [ "$mrc" != 0 ]; then
    tail -n 40 "$log_file" >&2
    die "$what failed (exit $mrc; full log: $log_file)"
  fi
  log "$what: done in $(( $(date +%s) - mk_t0 ))s"
}

# What out-of-tree module builds need from the build tree: the top Makefile,
# .config, Module.symvers, the generated and arch headers, scripts/ (fixdep,
# modpost...) and objtool; no object files.
vm_modern_prune() {
  src=$1 dst=$2
  rm -rf "$dst"
  mkdir -p "$dst"
  (cd "$src" && tar -cf - --exclude='*.o' --exclude='.*.cmd' --exclude='*.a' \
      Makefile .config Module.symvers include scripts \
      arch/x86/Makefile arch/x86/Makefile_32.cpu arch/x86/include \
      tools/objtool/objtool) | (cd "$dst" && tar -xf -) ||
    die "pruning the modern kernel's build tree failed"
}

vm_modern_kernel() {
  vm_modern_host_packages
  [ -f "$MODERN_TARBALL" ] || die "$MODERN_SRC_PKG is installed but $MODERN_TARBALL is missing"
  srcver=$(dpkg-query -W -f='${Version}' "$MODERN_SRC_PKG")
  srckey=$(echo "$srcver" | tr -c 'A-Za-z0-9.+\n' '_')
  KROOT=$VM_CACHE/modern-$srckey-$(vm_hash "$MODERN_FRAGMENT" "$VM_DIR/kernel/modern.sh")
  HEADERS=$KROOT/kbuild
  VMLINUZ=$KROOT/vmlinuz
  if [ ! -f "$KROOT/.done" ]; then
    build=$VM_CACHE/modern-build-$srckey-$(vm_hash "$MODERN_FRAGMENT")
    blog=$build.log
    t0=$(date +%s)
    log "building the modern guest kernel ($MODERN_SRC_PKG $srcver + modern.config) in $build; ~10 min on 2 cores"
    src=$build/linux-source-6.12
    if [ ! -f "$build/.unpacked" ]; then
      rm -rf "$build" "$blog"
      mkdir -p "$build"
      log "unpacking $MODERN_TARBALL"
      tar -xJf "$MODERN_TARBALL" -C "$build" || die "cannot unpack $MODERN_TARBALL"
      [ -f "$src/Makefile" ] || die "no linux-source-6.12/Makefile in $MODERN_TARBALL"
      touch "$build/.unpacked"
    else
      log "resuming the build left in $build"
    fi
    vm_modern_config "$src"
    jobs=$(nproc 2>/dev/null || echo 2)
    vm_modern_make "$blog" "make -j$jobs bzImage modules" make -C "$src" -j"$jobs" bzImage modules
    kver=$(make -s -C "$src" kernelrelease) || die "make kernelrelease failed"
    out=$KROOT.tmp
    rm -rf "$out"
    mkdir -p "$out/modules"
    vm_modern_make "$blog" "make modules_install" \
      make -C "$src" INSTALL_MOD_PATH="$out/modules" DEPMOD=/bin/true modules_install
    # modules_install links build/ to the build tree, which goes away.
    rm -f "$out/modules/lib/modules/$kver/build" "$out/modules/lib/modules/$kver/source"
    depmod -b "$out/modules" "$kver" || die "depmod failed for $kver"
    cp "$src/arch/x86/boot/bzImage" "$out/vmlinuz" || die "no bzImage"
    cp "$src/.config" "$out/config"
    echo "$kver" > "$out/kernel.release"
    vm_modern_prune "$src" "$out/kbuild"
    touch "$out/.done"
    rm -rf "$KROOT"
    mv "$out" "$KROOT"
    mv "$blog" "$KROOT/build.log"
    rm -rf "$build"
    # Kernels (and left-over builds) of older sources, fragments or scripts.
    for d in "$VM_CACHE"/modern-*; do
      case $d in "$KROOT") ;; *) rm -rf "$d" ;; esac
    done
    log "modern guest kernel $kver built and cached in $(( $(date +%s) - t0 ))s ($(du -sh "$KROOT" | cut -f1))"
  fi
  KVER=$(cat "$KROOT/kernel.release")
  KMODS=$KROOT/modules/lib/modules/$KVER
}
