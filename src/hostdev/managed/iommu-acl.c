// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/iommu-acl.h"

#include "util/file-lock.h"
#include "util/host-paths.h"
#include "util/node-owner.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

#define LOCK_NAME "iommu-acl.lock"
/* the lock is held for a few file reads and one setxattr */
#define LOCK_TIMEOUT_MS (60 * 1000)

static HdFileLock *acl_lock(GError **error)
{
  g_autofree char *path = hd_path_state_file(LOCK_NAME);

  return hd_file_lock_acquire(path, LOCK_TIMEOUT_MS, error);
}

GPtrArray *hd_iommu_acl_user_owners(const char *owner, guint uid)
{
  GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)hd_journal_free);
  g_autoptr(GPtrArray) owners = hd_journal_list_owners(NULL);

  for (guint i = 0; owners != NULL && i < owners->len; i++) {
    const char *other = g_ptr_array_index(owners, i);
    HdJournal *journal = g_str_equal(other, owner) ? NULL : hd_journal_load(other, NULL);
    if (journal != NULL && journal->user != NULL && journal->uid == uid)
      g_ptr_array_add(found, journal);
    else
      hd_journal_free(journal);
  }
  return found;
}

/* Another owner of UID counts on the entry. A journal that cannot be read
 * counts too: better an entry left behind than a running VM cut off. */
static gboolean other_owner_counts(const char *owner, guint uid)
{
  g_autoptr(GPtrArray) owners = hd_journal_list_owners(NULL);

  for (guint i = 0; owners != NULL && i < owners->len; i++) {
    const char *other = g_ptr_array_index(owners, i);
    g_autoptr(GError) error = NULL;
    g_autoptr(HdJournal) journal = g_str_equal(other, owner) ? NULL : hd_journal_load(other, &error);
    if (error != NULL || (journal != NULL && journal->user != NULL && journal->uid == uid &&
                          journal->iommu_acl != HD_JOURNAL_ACL_NONE))
      return TRUE;
  }
  return FALSE;
}

gboolean hd_iommu_acl_grant(HdJournal *journal, GError **error)
{
  g_autofree char *iommu = hd_path_iommufd();
  g_autoptr(HdFileLock) lock = acl_lock(error);

  if (lock == NULL)
    return FALSE;
  if (journal->iommu_acl == HD_JOURNAL_ACL_NONE) {
    journal->iommu_acl = HD_JOURNAL_ACL_PENDING;
    if (!hd_journal_save(journal, error))
      return FALSE;
  }
  return hd_node_acl_user_add(iommu, journal->uid, error);
}

gboolean hd_iommu_acl_revoke(HdJournal *journal, gboolean pending_only, GError **error)
{
  g_autofree char *iommu = hd_path_iommufd();

  if (journal->iommu_acl == HD_JOURNAL_ACL_NONE || (pending_only && journal->iommu_acl != HD_JOURNAL_ACL_PENDING))
    return TRUE;
  g_autoptr(HdFileLock) lock = acl_lock(error);
  if (lock == NULL)
    return FALSE;
  if (!other_owner_counts(journal->owner, journal->uid) && hd_sysfs_exists(iommu) &&
      !hd_node_acl_user_remove(iommu, journal->uid, error))
    return FALSE;
  journal->iommu_acl = HD_JOURNAL_ACL_NONE;
  return TRUE;
}
