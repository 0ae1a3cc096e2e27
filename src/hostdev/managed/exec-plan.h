/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `exec`: a VMM started with an owner's devices already open. The
 * descriptors are opened here, with this process's rights, and inherited
 * by the VMM, which then needs no access to the nodes itself and can run
 * as an unprivileged user:
 * - iommufd form (qemu-args.h decides it, as prepare does): /dev/iommu and
 *   each device's cdev, passed as `-object iommufd,id=iommufd0,fd=N` and
 *   `-device vfio-pci,host=BDF,iommufd=iommufd0,fd=M` (QEMU >= 9.0);
 * - group form: nothing is opened. QEMU has no descriptor property for a
 *   VFIO group and opens /dev/vfio/<group> itself, which the kernel allows
 *   once at a time: a descriptor held here would make QEMU's open fail.
 *   The group node must be the VMM user's (prepare --user).
 * Then the VMM runs as the user: supplementary groups, group and user
 * changed and checked (a VMM that could regain root is refused). */
#pragma once

#include "hostdev/device/manager.h"
#include "hostdev/managed/qemu-version.h"

/* The public VhExecPlan is this struct, opaque. */
typedef struct _VhExecPlan {
  char *owner;
  gboolean iommufd;
  GArray *fds;     /* int, open with FD_CLOEXEC until hd_exec_plan_exec() */
  GPtrArray *args; /* what to append to the VMM's arguments */
  char *user;      /* who the VMM runs as; NULL: as this process */
  guint uid;
  guint gid;
} HdExecPlan;

void hd_exec_plan_free(HdExecPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdExecPlan, hd_exec_plan_free)

/* The plan for OWNER's devices (its journal) and QEMU VERSION (NULL or not
 * known: the default of prepare). USER (NULL: the owner's --user, or
 * nobody's change) must be the owner's user; another user, or one for an
 * owner prepared without one, only with the iommufd form, where the
 * descriptors carry the access. Errors: HD_ERROR_INVALID (owner name,
 * user), HD_ERROR_NO_DEVICE (the owner holds nothing, or a device has
 * gone), HD_ERROR_REFUSED (an operation of the owner is running or was
 * interrupted; a device off VFIO; the user), HD_ERROR_FAILED (a node
 * cannot be opened). */
HdExecPlan *hd_exec_plan_new(HdManager *manager, const char *owner, const char *user, const HdQemuVersion *version,
                             GError **error);

/* Runs ARGV (ARGV[0] looked up in PATH) with the plan's arguments appended,
 * its descriptors inherited, as its user. Returns only on failure
 * (HD_ERROR_FAILED: dropping privileges or exec). */
gboolean hd_exec_plan_exec(HdExecPlan *plan, const char *const *argv, GError **error);
