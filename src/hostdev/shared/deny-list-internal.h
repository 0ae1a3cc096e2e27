// SPDX-License-Identifier: LGPL-2.1-or-later
/* Between the deny list's parser (deny-list.c) and its defaults
 * (deny-defaults.c). */
#pragma once

#include "hostdev/shared/deny-list.h"

/* Appends a default rule (HdDenyRule*) for each PCI device holding the
 * root filesystem or an active swap area to RULES. */
gboolean hd_deny_defaults(GPtrArray *rules, GError **error);
