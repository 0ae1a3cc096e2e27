/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The running kernel's release, as uname(2) reports it. */
#pragma once

#include <glib.h>

char *hd_kernel_release(GError **error);
