/* The running kernel's release, as uname(2) reports it. */
#pragma once

#include <glib.h>

char *hd_kernel_release(GError **error);
