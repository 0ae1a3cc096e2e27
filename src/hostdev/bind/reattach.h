/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reattach (alias unbind): back to exactly the driver a device had before
 * `bind`, from its record: the original driver (not merely the kernel's
 * default), driver_override and VFs, verified, then the record removed.
 * Members bound by `bind --group` come back with any member of their group,
 * and the functions bound by `bind --functions` with any function of their
 * device (hostdev/device/functions.h).
 * A device still open through its VFIO group node or cdev (a running VM)
 * is refused, naming the process, instead of blocking in the kernel; so is
 * a device held by an owner (prepare --owner): its release gives it back. */
#pragma once

#include "hostdev/device/manager.h"

typedef enum {
  HD_REATTACH_RESTORED,  /* back as the record says; record removed */
  HD_REATTACH_REPROBED,  /* no record: override cleared, the kernel chose */
  HD_REATTACH_UNTOUCHED, /* no record and not VFIO-bound: nothing to do */
  HD_REATTACH_STUCK,     /* unfinished; the record says what */
} HdReattachOutcome;

/* The public VhReattachResult is this struct, opaque. */
typedef struct _VhReattachResult {
  char *address;
  gboolean group_member;  /* came along with its group (bind --group) */
  gboolean function_member; /* came along with another function of its device (bind --functions) */
  char *original_driver;  /* from the record; NULL when unbound or unknown */
  char *driver;           /* the driver it ended on */
  guint vfs;              /* VFs re-enabled */
  HdReattachOutcome outcome;
  GError *error;
} HdReattachResult;

void hd_reattach_result_free(HdReattachResult *result);

/* "restored", "reprobed", "untouched", "stuck". */
const char *hd_reattach_outcome_name(HdReattachOutcome outcome);

/* Reattaches ADDRESSES (NULL-terminated). NULL with ERROR when nothing was
 * done (bad address, no device, HD_ERROR_REFUSED while a process holds a
 * device); otherwise the results, with ERROR set (HD_ERROR_UNFINISHED) when
 * a device could not be finished. */
GPtrArray *hd_reattach(HdManager *manager, const char *const *addresses, guint unbind_timeout_ms, GError **error);
