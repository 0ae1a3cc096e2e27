// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: bindings persisted across reboots. */
#include "api/api-private.h"

#include "hostdev/bind/bind.h"
#include "util/hd-error.h"
#include "util/pci-address.h"
#include "config.h"
#include "hostdev/persist/persist-early.h"
#include "hostdev/persist/persist-sriov.h"
#include "hostdev/persist/persist.h"
#include "hostdev/status/status.h"

G_STATIC_ASSERT((int)VH_PERSIST_PLANNED == (int)HD_PERSIST_PLANNED);
G_STATIC_ASSERT((int)VH_PERSIST_ALREADY == (int)HD_PERSIST_ALREADY);
G_STATIC_ASSERT((int)VH_PERSIST_BOUND == (int)HD_PERSIST_BOUND);
G_STATIC_ASSERT((int)VH_PERSIST_GONE == (int)HD_PERSIST_GONE);
G_STATIC_ASSERT((int)VH_PERSIST_CHANGED == (int)HD_PERSIST_CHANGED);
G_STATIC_ASSERT((int)VH_PERSIST_FAILED == (int)HD_PERSIST_FAILED);
G_STATIC_ASSERT((int)VH_PERSIST_VFS_PLANNED == (int)HD_PERSIST_VFS_PLANNED);
G_STATIC_ASSERT((int)VH_PERSIST_VFS_CREATED == (int)HD_PERSIST_VFS_CREATED);
G_STATIC_ASSERT((int)VH_PERSIST_VFS_PRESENT == (int)HD_PERSIST_VFS_PRESENT);
G_STATIC_ASSERT((int)VH_PERSIST_VFS_OTHER == (int)HD_PERSIST_VFS_OTHER);

/* The internal readers want somewhere to put problems; callers may not. */
static GPtrArray *problems_or_scratch(GPtrArray *problems, GPtrArray **scratch)
{
  if (problems != NULL)
    return problems;
  *scratch = g_ptr_array_new_with_free_func(g_free);
  return *scratch;
}

char *vh_address_canonicalize(const char *address, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  HdPciAddress parsed;

  if (!hd_pci_address_parse(address, &parsed, error))
    return NULL;
  return hd_pci_address_to_string(&parsed);
}

gboolean vh_persist_check_writable(GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_persist_config_ensure_dir(error);
}

GPtrArray *vh_persist_bound(VhManager *manager, const GPtrArray *bind_results, VhBindFlags flags, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  if ((flags & VH_BIND_NOIOMMU) != 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "no-IOMMU bindings are never persisted");
    return NULL;
  }
  HdBindOptions options = {
    .group = (flags & VH_BIND_GROUP) != 0,
    .force = (flags & VH_BIND_FORCE) != 0,
    .dry_run = (flags & VH_BIND_DRY_RUN) != 0,
  };

  return hd_persist_bound(api_hd_manager(manager), bind_results, &options, error);
}

gboolean vh_unpersist(VhManager *manager, const char *const *addresses, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_unpersist(api_hd_manager(manager), addresses, error);
}

VhPersistConfig *vh_persist_sriov(VhManager *manager, const VhSriovResult *result, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_persist_sriov(api_hd_manager(manager), result, error);
}

gboolean vh_persist_update_early(VhManager *manager, gboolean *changed, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  gboolean scratch = FALSE;

  return hd_persist_early_update(api_hd_manager(manager), VFIO_HOSTDEV_EARLY_HELPER,
                                 changed != NULL ? changed : &scratch, error);
}

GPtrArray *vh_persist_apply(VhManager *manager, VhBindFlags flags, GPtrArray *problems, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  g_autoptr(GPtrArray) scratch = NULL;
  HdPersistApplyOptions options = {(flags & VH_BIND_DRY_RUN) != 0, api_unbind_timeout(manager)};

  if ((flags & ~VH_BIND_DRY_RUN) != 0) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "persisted bindings are applied without group or force");
    return NULL;
  }
  GError *local = NULL;
  GPtrArray *results =
    hd_persist_apply(api_hd_manager(manager), &options, problems_or_scratch(problems, &scratch), &local);
  return api_results_xor_error(results, local, error);
}

GPtrArray *vh_persist_list(GPtrArray *problems, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  g_autoptr(GPtrArray) scratch = NULL;

  return hd_persist_config_list(problems_or_scratch(problems, &scratch), error);
}

GPtrArray *vh_persist_sriov_list(GPtrArray *problems, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  g_autoptr(GPtrArray) scratch = NULL;

  return hd_persist_sriov_list(problems_or_scratch(problems, &scratch), error);
}

VhPersistConfig *vh_persist_load(const char *address, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_persist_config_load(address, error);
}
gboolean vh_persist_exists(const char *address) { return hd_persist_config_exists(address); }
char *vh_persist_path(const char *address) { return hd_persist_config_path(address); }
void vh_persist_config_free(VhPersistConfig *config) { hd_persist_config_free(config); }

const char *vh_persist_config_get_address(const VhPersistConfig *config) { return config->address; }
guint vh_persist_config_get_vendor_id(const VhPersistConfig *config) { return config->vendor_id; }
guint vh_persist_config_get_device_id(const VhPersistConfig *config) { return config->device_id; }
gboolean vh_persist_config_has_subsystem(const VhPersistConfig *config) { return config->has_subsystem; }
guint vh_persist_config_get_subsystem_vendor_id(const VhPersistConfig *config) { return config->subsystem_vendor_id; }
guint vh_persist_config_get_subsystem_device_id(const VhPersistConfig *config) { return config->subsystem_device_id; }
char *vh_persist_config_describe_ids(const VhPersistConfig *config) { return hd_persist_config_ids(config); }
const char *vh_persist_config_get_driver(const VhPersistConfig *config) { return config->driver; }
const char *vh_persist_config_get_module(const VhPersistConfig *config) { return config->module; }
gboolean vh_persist_config_is_group(const VhPersistConfig *config) { return config->group; }
gboolean vh_persist_config_is_group_member(const VhPersistConfig *config) { return config->group_member; }
gint64 vh_persist_config_get_created(const VhPersistConfig *config) { return config->created; }
guint vh_persist_config_get_sriov_numvfs(const VhPersistConfig *config) { return config->sriov_numvfs; }

const char *vh_persist_outcome_name(VhPersistOutcome outcome)
{
  return hd_persist_outcome_name((HdPersistOutcome)outcome);
}

const VhPersistConfig *vh_persist_apply_result_get_config(const VhPersistApplyResult *result) { return result->config; }
VhPersistOutcome vh_persist_apply_result_get_outcome(const VhPersistApplyResult *result) { return (VhPersistOutcome)result->outcome; }
const char *vh_persist_apply_result_get_driver(const VhPersistApplyResult *result) { return result->driver; }
const char *vh_persist_apply_result_get_vfio_device(const VhPersistApplyResult *result) { return result->vfio_device; }
const char *vh_persist_apply_result_get_found_ids(const VhPersistApplyResult *result) { return result->found_ids; }
const GError *vh_persist_apply_result_get_error(const VhPersistApplyResult *result) { return result->error; }
const char *vh_persist_apply_result_get_original_driver(const VhPersistApplyResult *result)
{
  return result->original_driver;
}

GPtrArray *vh_status_list_persisted(GPtrArray *problems, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  g_autoptr(GPtrArray) scratch = NULL;

  return hd_status_persisted(problems_or_scratch(problems, &scratch), error);
}

const VhPersistConfig *vh_persist_status_get_config(const VhPersistStatus *status) { return status->config; }
gboolean vh_persist_status_is_present(const VhPersistStatus *status) { return status->present; }
const char *vh_persist_status_get_current_driver(const VhPersistStatus *status) { return status->current_driver; }
const char *vh_persist_status_get_found_ids(const VhPersistStatus *status) { return status->found_ids; }

VhStatusEntry *vh_status_get(const char *address, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) entries = hd_status(problems, error);

  for (guint i = 0; entries != NULL && i < entries->len; i++) {
    HdStatusEntry *entry = g_ptr_array_index(entries, i);
    if (g_str_equal(entry->record->address, address))
      return g_ptr_array_steal_index(entries, i);
  }
  return NULL;
}

void vh_status_entry_free(VhStatusEntry *entry)
{
  hd_status_entry_free(entry);
}
