// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/kernel-release.h"

#include <errno.h>
#include <sys/utsname.h>

#include "util/hd-error.h"

char *hd_kernel_release(GError **error)
{
  struct utsname uts;

  if (uname(&uts) < 0) {
    int saved = errno;
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "uname: %s", g_strerror(saved));
    return NULL;
  }
  return g_strdup(uts.release);
}
