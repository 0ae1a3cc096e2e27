// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: SR-IOV provisioning. */
#include "api/api-private.h"

#include "hostdev/bind/sriov.h"
#include "util/hd-error.h"

#define KNOWN_SRIOV_FLAGS (VH_SRIOV_BIND)

VhSriovResult *vh_sriov(VhManager *manager, const char *address, guint numvfs, VhSriovFlags flags, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  if ((flags & ~KNOWN_SRIOV_FLAGS) != 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "unknown sriov flags 0x%x", flags & ~KNOWN_SRIOV_FLAGS);
    return NULL;
  }
  const HdSriovOptions options = {
    .numvfs = numvfs,
    .bind = (flags & VH_SRIOV_BIND) != 0,
    .unbind_timeout_ms = api_unbind_timeout(manager),
  };
  return hd_sriov(api_hd_manager(manager), address, &options, error);
}

void vh_sriov_result_free(VhSriovResult *result)
{
  hd_sriov_result_free(result);
}

const char *vh_sriov_result_get_address(const VhSriovResult *result) { return result->address; }
guint vh_sriov_result_get_numvfs(const VhSriovResult *result) { return result->numvfs; }
guint vh_sriov_result_get_previous_numvfs(const VhSriovResult *result) { return result->previous_numvfs; }
guint vh_sriov_result_get_original_numvfs(const VhSriovResult *result) { return result->original_numvfs; }
gboolean vh_sriov_result_is_recorded(const VhSriovResult *result) { return result->recorded; }
int vh_sriov_result_get_autoprobe(const VhSriovResult *result) { return result->autoprobe; }
const GPtrArray *vh_sriov_result_get_vfs(const VhSriovResult *result) { return result->vfs; }
const GPtrArray *vh_sriov_result_get_bind_results(const VhSriovResult *result) { return result->bound; }
