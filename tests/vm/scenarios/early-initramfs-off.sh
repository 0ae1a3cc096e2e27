# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh source=/dev/null # the guest's path
# early-initramfs-off (early-initramfs-off.vm): early-initramfs's boot with
# vfio-hostdev.early=0 on the kernel command line.
. /vmtest/scenarios/early-initramfs.sh
