# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh disable=SC2034 # the variables are for the sourcing scripts
# Shared helpers of the host side of the real-kernel suite (sourced, POSIX sh).
# Provides: VM_DIR, VM_CACHE, log, die, prereq_missing.

PATH=$PATH:/usr/sbin:/sbin
VM_DIR=$(cd "$(dirname "$0")" && pwd)

# Cache of downloads and built artefacts, outside the repository.
if [ -n "${VFIO_HOSTDEV_VM_CACHE:-}" ]; then
  VM_CACHE=$VFIO_HOSTDEV_VM_CACHE
elif [ "$(id -u)" -eq 0 ]; then
  VM_CACHE=/var/cache/vfio-hostdev-vm
else
  VM_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/vfio-hostdev-vm
fi

# Packages the suite needs on the host (same list as scripts/setup.sh --vm).
VM_PACKAGES="qemu-system-x86 busybox-static kmod cpio xz-utils initramfs-tools-core"

log() { echo "vm: $*" >&2; }

die() { echo "vm: error: $*" >&2; exit 1; }

# A prerequisite is missing (no network for apt, no qemu, not root...):
# one clear line, then skip (77) when run by hand, fail when CI=true.
# In --tap mode (meson), a skip is reported as a TAP "1..0 # SKIP" plan
# with exit 0, since meson's TAP protocol treats exit 77 as an error.
prereq_missing() {
  if [ "${CI:-}" = true ]; then
    echo "vm: missing prerequisite: $* (CI=true: failing)" >&2
    [ "${VM_TAP:-0}" = 1 ] && echo "Bail out! missing prerequisite: $*" >&3
    exit 1
  fi
  echo "vm: missing prerequisite: $* (skipping)" >&2
  if [ "${VM_TAP:-0}" = 1 ]; then
    echo "1..0 # SKIP missing prerequisite: $*" >&3
    exit 0
  fi
  exit 77
}
