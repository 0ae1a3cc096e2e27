// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: bind, reattach, reset and status. */
#include "api/api-private.h"

#include "hostdev/bind/bind.h"
#include "util/hd-error.h"
#include "hostdev/bind/reattach.h"
#include "hostdev/bind/reset.h"
#include "hostdev/status/status.h"

/* The public enums are the internal ones, value for value. */
G_STATIC_ASSERT((int)VH_BIND_PLANNED == (int)HD_BIND_PLANNED);
G_STATIC_ASSERT((int)VH_BIND_ALREADY == (int)HD_BIND_ALREADY);
G_STATIC_ASSERT((int)VH_BIND_BOUND == (int)HD_BIND_BOUND);
G_STATIC_ASSERT((int)VH_BIND_ROLLED_BACK == (int)HD_BIND_ROLLED_BACK);
G_STATIC_ASSERT((int)VH_BIND_STUCK == (int)HD_BIND_STUCK);
G_STATIC_ASSERT((int)VH_REATTACH_RESTORED == (int)HD_REATTACH_RESTORED);
G_STATIC_ASSERT((int)VH_REATTACH_REPROBED == (int)HD_REATTACH_REPROBED);
G_STATIC_ASSERT((int)VH_REATTACH_UNTOUCHED == (int)HD_REATTACH_UNTOUCHED);
G_STATIC_ASSERT((int)VH_REATTACH_STUCK == (int)HD_REATTACH_STUCK);
G_STATIC_ASSERT((int)VH_STATE_BINDING == (int)HD_RECORD_BINDING);
G_STATIC_ASSERT((int)VH_STATE_BOUND == (int)HD_RECORD_BOUND);
G_STATIC_ASSERT((int)VH_STATE_STUCK == (int)HD_RECORD_STUCK);

#define KNOWN_BIND_FLAGS (VH_BIND_GROUP | VH_BIND_FORCE | VH_BIND_DRY_RUN | VH_BIND_NOIOMMU | VH_BIND_FUNCTIONS)

GPtrArray *vh_bind(VhManager *manager, const char *const *addresses, const char *driver, VhBindFlags flags,
                   GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  if ((flags & ~KNOWN_BIND_FLAGS) != 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "unknown bind flags 0x%x", flags & ~KNOWN_BIND_FLAGS);
    return NULL;
  }
  HdBindOptions options = {
    .driver = driver,
    .group = (flags & VH_BIND_GROUP) != 0,
    .force = (flags & VH_BIND_FORCE) != 0,
    .dry_run = (flags & VH_BIND_DRY_RUN) != 0,
    .noiommu = (flags & VH_BIND_NOIOMMU) != 0,
    .functions = (flags & VH_BIND_FUNCTIONS) != 0,
    .unbind_timeout_ms = api_unbind_timeout(manager),
  };
  GError *local = NULL;
  GPtrArray *results = hd_bind(api_hd_manager(manager), addresses, &options, &local);
  return api_results_xor_error(results, local, error);
}

const char *vh_bind_outcome_name(VhBindOutcome outcome)
{
  return hd_bind_outcome_name((HdBindOutcome)outcome);
}

const char *vh_bind_result_get_address(const VhBindResult *result) { return result->address; }
VhBindOutcome vh_bind_result_get_outcome(const VhBindResult *result) { return (VhBindOutcome)result->outcome; }
gint64 vh_bind_result_get_iommu_group(const VhBindResult *result) { return result->group; }
gboolean vh_bind_result_is_group_member(const VhBindResult *result) { return result->group_member; }
gboolean vh_bind_result_is_function_member(const VhBindResult *result) { return result->function_member; }
const char *vh_bind_result_get_original_driver(const VhBindResult *result) { return result->original_driver; }
const char *vh_bind_result_get_original_override(const VhBindResult *result) { return result->original_override; }
const char *vh_bind_result_get_driver(const VhBindResult *result) { return result->driver; }
const char *vh_bind_result_get_module(const VhBindResult *result) { return result->module; }
const char *vh_bind_result_get_vfio_device(const VhBindResult *result) { return result->vfio_device; }
const char *vh_bind_result_get_group_node(const VhBindResult *result) { return result->group_node; }
guint vh_bind_result_get_disabled_vfs(const VhBindResult *result) { return result->disable_vfs; }
const GPtrArray *vh_bind_result_get_forced(const VhBindResult *result) { return result->forced; }
const GError *vh_bind_result_get_error(const VhBindResult *result) { return result->error; }

GPtrArray *vh_reattach(VhManager *manager, const char *const *addresses, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  GError *local = NULL;
  GPtrArray *results = hd_reattach(api_hd_manager(manager), addresses, api_unbind_timeout(manager), &local);
  return api_results_xor_error(results, local, error);
}

const char *vh_reattach_outcome_name(VhReattachOutcome outcome)
{
  return hd_reattach_outcome_name((HdReattachOutcome)outcome);
}

const char *vh_reattach_result_get_address(const VhReattachResult *result) { return result->address; }
VhReattachOutcome vh_reattach_result_get_outcome(const VhReattachResult *result) { return (VhReattachOutcome)result->outcome; }
gboolean vh_reattach_result_is_group_member(const VhReattachResult *result) { return result->group_member; }
gboolean vh_reattach_result_is_function_member(const VhReattachResult *result) { return result->function_member; }
const char *vh_reattach_result_get_original_driver(const VhReattachResult *result) { return result->original_driver; }
const char *vh_reattach_result_get_driver(const VhReattachResult *result) { return result->driver; }
guint vh_reattach_result_get_restored_vfs(const VhReattachResult *result) { return result->vfs; }
const GError *vh_reattach_result_get_error(const VhReattachResult *result) { return result->error; }

VhResetResult *vh_reset(VhManager *manager, const char *address, const char *method, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_reset(api_hd_manager(manager), address, method, error);
}

void vh_reset_result_free(VhResetResult *result)
{
  hd_reset_result_free(result);
}

const char *vh_reset_result_get_address(const VhResetResult *result) { return result->address; }
const char *vh_reset_result_get_method(const VhResetResult *result) { return result->method; }
const GPtrArray *vh_reset_result_get_failed_methods(const VhResetResult *result) { return result->tried; }

GPtrArray *vh_status_list(VhManager *manager, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  GPtrArray *entries = hd_status(problems, error);

  for (guint i = 0; i < problems->len; i++)
    hd_manager_warn(api_hd_manager(manager), "%s", (const char *)g_ptr_array_index(problems, i));
  return entries;
}

const char *vh_state_name(VhState state)
{
  return hd_record_state_name((HdRecordState)state);
}

const char *vh_status_entry_get_address(const VhStatusEntry *entry) { return entry->record->address; }
VhState vh_status_entry_get_state(const VhStatusEntry *entry) { return (VhState)entry->record->state; }
gboolean vh_status_entry_is_present(const VhStatusEntry *entry) { return entry->present; }
const char *vh_status_entry_get_original_driver(const VhStatusEntry *entry) { return entry->record->original_driver; }
const char *vh_status_entry_get_original_override(const VhStatusEntry *entry) { return entry->record->original_override; }
const char *vh_status_entry_get_current_driver(const VhStatusEntry *entry) { return entry->current_driver; }
const char *vh_status_entry_get_target_driver(const VhStatusEntry *entry) { return entry->record->target_driver; }
guint vh_status_entry_get_sriov_numvfs(const VhStatusEntry *entry) { return entry->record->sriov_numvfs; }
int vh_status_entry_get_sriov_provisioned(const VhStatusEntry *entry) { return entry->record->sriov_provisioned; }
gboolean vh_status_entry_is_group_member(const VhStatusEntry *entry) { return entry->record->group; }
const char *vh_status_entry_get_owner(const VhStatusEntry *entry) { return entry->record->owner; }
gboolean vh_status_entry_is_managed(const VhStatusEntry *entry) { return entry->record->managed; }
gint64 vh_status_entry_get_since(const VhStatusEntry *entry) { return entry->record->since; }
const char *vh_status_entry_get_problem(const VhStatusEntry *entry) { return entry->record->problem; }
const char *vh_status_entry_get_pending_write(const VhStatusEntry *entry) { return entry->pending_write; }
