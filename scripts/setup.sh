#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what vfio-hostdev needs to build and test on Debian 12, then
# configures and builds it in ./build. Idempotent: safe to run again.
# Usage: scripts/setup.sh [--vm]   (--vm also installs the real-kernel suite's packages)
set -eu
cd "$(dirname "$0")/.."

BUILD_PACKAGES="meson ninja-build pkg-config gcc clang libc6-dev \
  libglib2.0-dev libxml2-dev libudev-dev libmount-dev libjson-glib-dev \
  udev pciutils hwdata valgrind bc scdoc libclang-rt-dev"
# The CDI tests: the CDI schema Debian ships, a validator, and a real CDI
# consumer (podman, with runc: crun refuses hybrid cgroup hosts) running a
# busybox rootfs.
CDI_TEST_PACKAGES="golang-github-container-orchestrated-devices-container-device-interface-dev \
  python3-jsonschema podman runc busybox-static"
VM_PACKAGES="qemu-system-x86 busybox-static kmod cpio xz-utils"
# The VM suite's modern guest kernel is built from source (tests/vm/kernel/).
VM_PACKAGES="$VM_PACKAGES linux-source-6.12 make bc bison flex libelf-dev libssl-dev"
# The early-initramfs scenarios make the guest's initramfs with Debian's own
# mkinitramfs (initramfs-tools-core, not initramfs-tools: no kernel hooks).
VM_PACKAGES="$VM_PACKAGES initramfs-tools-core"

want="$BUILD_PACKAGES $CDI_TEST_PACKAGES"
[ "${1:-}" = "--vm" ] && want="$want $VM_PACKAGES"

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages:$missing (run as root to install them)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $missing
fi

if [ ! -f build/build.ninja ]; then
  meson setup build --werror -Dtest_hooks=true
fi
ninja -C build
