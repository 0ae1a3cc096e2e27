/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether the VMM that will use an owner's devices can pin the guest's RAM.
 * VFIO pins all guest RAM (for DMA) and charges it against RLIMIT_MEMLOCK
 * unless the pinning process has CAP_IPC_LOCK: the legacy container (type1,
 * and iommufd's /dev/vfio/vfio compatibility) charges each VMM process on
 * its own, iommufd charges all the processes of one user together.
 *
 * What can be known from here: this process's own limit and capabilities,
 * which a VMM started from here (the QEMU wrapper) inherits. What cannot:
 * the limit of a VMM running as another user, set by whatever starts it
 * (systemd LimitMEMLOCK=, pam_limits for login sessions, libvirt's own
 * prlimit), or whether a root VMM keeps CAP_IPC_LOCK (libvirt's QEMU drops
 * its capabilities and raises the limit itself). */
#pragma once

#include <glib.h>

/* A warning for OWNER's VMM that needs NEEDED bytes pinned, running as USER
 * (a name or uid; NULL: root, the group nodes stay root's) through iommufd
 * (IOMMUFD) or the legacy container; NULL when nothing is in doubt. With
 * iommufd the need said is USER's whole: NEEDED plus what the journals of
 * USER's other owners say (their --memlock-needed). */
char *hd_memlock_warning(guint64 needed, const char *user, gboolean iommufd, const char *owner);
