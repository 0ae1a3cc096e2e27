/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The version of the QEMU that will run the VM, which decides the form of
 * its VFIO arguments (qemu-args.h): given as "X.Y" (or "X.Y.Z"), or asked
 * of the binary (`qemu -version` prints "QEMU emulator version X.Y.Z"). */
#pragma once

#include <glib.h>

typedef struct {
  guint major;
  guint minor;
} HdQemuVersion; /* {0, 0}: not known */

/* The first QEMU given iommufd forms (`-object iommufd`, `iommufd=`).
 * The backend appeared in 8.2; we emit it from 9.0 on (issue #11) and the
 * group forms, which every QEMU with vfio-pci accepts, before. Debian 12's
 * 7.2 rejects the iommufd forms. */
#define HD_QEMU_IOMMUFD_MAJOR 9
#define HD_QEMU_IOMMUFD_MINOR 0

gboolean hd_qemu_version_known(const HdQemuVersion *version);
gboolean hd_qemu_version_at_least(const HdQemuVersion *version, guint major, guint minor);

/* TEXT: "X.Y" or "X.Y.Z" (decimal). HD_ERROR_INVALID otherwise. */
gboolean hd_qemu_version_parse(const char *text, HdQemuVersion *out, GError **error);

/* Runs `QEMU -version` once and reads "QEMU emulator version X.Y.Z" from
 * its first line. HD_ERROR_INVALID when it cannot run or says otherwise. */
gboolean hd_qemu_version_query(const char *qemu, HdQemuVersion *out, GError **error);
