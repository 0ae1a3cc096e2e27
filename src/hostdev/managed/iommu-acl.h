/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The user's POSIX ACL entry on /dev/iommu. /dev/iommu is one node for
 * every VM on the host (and every other iommufd user): its owner and mode
 * are never changed. A VMM running as an unprivileged user that opens it
 * itself (QEMU's `-object iommufd` without fd=) needs read and write on it,
 * which a "user:UID:rw-" entry gives that user alone.
 *
 * One entry per user serves all of that user's owners: each owner whose
 * journal says iommu_acl=pending|held counts, and the entry is removed when
 * the last of them gives it up. Granting writes the journal before the
 * entry; revoking removes the entry (when no other owner counts) before the
 * journal forgets it, so a crash at any point leaves either a journal that
 * recovery finishes, or nothing. Both run under the iommu-acl.lock flock,
 * so that two owners of one user cannot both see the other as gone. */
#pragma once

#include "hostdev/managed/owner-journal.h"

/* Gives JOURNAL's user (uid) its entry on /dev/iommu, marking the journal
 * pending first (saved) when it did not count yet. The caller holds the
 * owner lock, and marks the journal held when the prepare finishes. */
gboolean hd_iommu_acl_grant(HdJournal *journal, GError **error);

/* Gives up JOURNAL's count (only a pending one when PENDING_ONLY): the
 * entry is removed unless another owner of the same uid counts; then
 * JOURNAL (not saved) says none. Nothing to do without a count. */
gboolean hd_iommu_acl_revoke(HdJournal *journal, gboolean pending_only, GError **error);

/* The other owners (not JOURNAL's) of JOURNAL's uid, as HdJournal*, read
 * from their journals; a journal that cannot be read is skipped. */
GPtrArray *hd_iommu_acl_user_owners(const char *owner, guint uid);
