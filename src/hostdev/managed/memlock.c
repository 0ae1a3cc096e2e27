// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/memlock.h"

#include <linux/capability.h>
#include <stdio.h>
#include <sys/resource.h>

#include "hostdev/managed/iommu-acl.h"
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

/* With iommufd, the user's other VMs held here count against the same
 * limit: their needs as their prepares said them. */
static char *accounting(gboolean iommufd, const char *owner, guint uid, guint64 needed)
{
  guint64 others = 0;
  guint counted = 0;

  if (!iommufd)
    return g_strdup("the legacy container (type1) counts each VMM process on its own");
  g_autoptr(GPtrArray) journals = hd_iommu_acl_user_owners(owner, uid);
  for (guint i = 0; i < journals->len; i++) {
    const HdJournal *journal = g_ptr_array_index(journals, i);
    others += journal->memlock;
    counted += journal->memlock > 0;
  }
  if (journals->len == 0)
    return g_strdup("iommufd counts the pinned memory of all of that user's processes together");
  return g_strdup_printf("iommufd counts the pinned memory of all of that user's processes together: with its %u "
                         "other VM(s) held here (%u of them saying %" G_GUINT64_FORMAT " KiB), at least %"
                         G_GUINT64_FORMAT " KiB in all",
                         journals->len, counted, others / 1024, (needed + others) / 1024);
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

char *hd_memlock_warning(guint64 needed, const char *user, gboolean iommufd, const char *owner)
{
  guint uid = 0, gid = 0;

  if (user == NULL || (hd_user_lookup(user, &uid, &gid, NULL) && uid == 0))
    return root_warning(needed);
  g_autofree char *counted = accounting(iommufd, owner, uid, needed);
  return g_strdup_printf("cannot check from here whether a VMM running as %s may pin the %" G_GUINT64_FORMAT
                         " KiB the VM needs: its locked-memory limit is set by whatever starts it (systemd "
                         "LimitMEMLOCK=, limits.conf for login sessions, libvirt itself); it needs CAP_IPC_LOCK "
                         "or an RLIMIT_MEMLOCK of at least that, and %s",
                         user, needed / 1024, counted);
}
