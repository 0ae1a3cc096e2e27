// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/memlock.h"

#include <linux/capability.h>
#include <stdio.h>
#include <sys/resource.h>

#include "util/node-owner.h"

/* CAP_IPC_LOCK in this process's effective set, from /proc/self/status
 * (no libcap for one bit). Unknown counts as absent. */
static gboolean has_ipc_lock(void)
{
  g_autofree char *status = NULL;

  if (!g_file_get_contents("/proc/self/status", &status, NULL, NULL))
    return FALSE;
  const char *line = strstr(status, "\nCapEff:");
  guint64 effective = 0;
  return line != NULL && sscanf(line + strlen("\nCapEff:"), "%" G_GINT64_MODIFIER "x", &effective) == 1 &&
         (effective & ((guint64)1 << CAP_IPC_LOCK)) != 0;
}

static const char *accounting(gboolean iommufd)
{
  return iommufd ? "iommufd counts the pinned memory of all of that user's processes together"
                 : "the legacy container (type1) counts each VMM process on its own";
}

/* Root VMM: started from here it inherits this process's capabilities and
 * limit, and CAP_IPC_LOCK lifts the limit. */
static char *root_warning(guint64 needed)
{
  struct rlimit limit;

  if (has_ipc_lock() || getrlimit(RLIMIT_MEMLOCK, &limit) < 0 || limit.rlim_cur == RLIM_INFINITY ||
      limit.rlim_cur >= needed)
    return NULL;
  return g_strdup_printf("this process has no CAP_IPC_LOCK and its locked-memory limit (RLIMIT_MEMLOCK) is %"
                         G_GUINT64_FORMAT " KiB, below the %" G_GUINT64_FORMAT " KiB the VM needs (VFIO pins all "
                         "guest RAM): a VMM started from here inherits both; give it CAP_IPC_LOCK or raise the "
                         "limit (ulimit -l, systemd LimitMEMLOCK=)",
                         (guint64)limit.rlim_cur / 1024, needed / 1024);
}

char *hd_memlock_warning(guint64 needed, const char *user, gboolean iommufd)
{
  guint uid = 0, gid = 0;

  if (user == NULL || (hd_user_lookup(user, &uid, &gid, NULL) && uid == 0))
    return root_warning(needed);
  return g_strdup_printf("cannot check from here whether a VMM running as %s may pin the %" G_GUINT64_FORMAT
                         " KiB the VM needs: its locked-memory limit is set by whatever starts it (systemd "
                         "LimitMEMLOCK=, limits.conf for login sessions, libvirt itself); it needs CAP_IPC_LOCK "
                         "or an RLIMIT_MEMLOCK of at least that, and %s",
                         user, needed / 1024, accounting(iommufd));
}
