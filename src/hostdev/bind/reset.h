/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* reset: a function-level reset through sysfs, naming the method that ran.
 * The kernel tries reset_method's methods in order and does not say which
 * one worked; to say it, we try them ourselves one at a time (reset_method
 * set to one method, then `reset`), and restore reset_method afterwards.
 * A bus reset hits every device behind the same bridge: it is refused while
 * a sibling is driven by a host driver or open by a VFIO user. */
#pragma once

#include "hostdev/device/manager.h"

/* The public VhResetResult is this struct, opaque. */
typedef struct _VhResetResult {
  char *address;
  char *method;     /* the method that ran */
  GPtrArray *tried; /* "flr: <why it failed>" for methods tried before it */
} HdResetResult;

void hd_reset_result_free(HdResetResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdResetResult, hd_reset_result_free)

/* Resets ADDRESS with METHOD (NULL: the kernel's order). HD_ERROR_INVALID
 * for a method the device lacks, HD_ERROR_FAILED when it has none or every
 * method failed, HD_ERROR_REFUSED when the device or a bus-reset sibling is
 * in use. */
HdResetResult *hd_reset(HdManager *manager, const char *address, const char *method, GError **error);
