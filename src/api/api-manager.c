// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: errors, the manager, devices and the VFIO driver choice. */
#include "api/api-private.h"

#include "hostdev/device/device.h"
#include "hostdev/device/enumerate.h"
#include "util/hd-error.h"
#include "hostdev/device/iommu-group.h"
#include "hostdev/managed/recover.h"
#include "hostdev/device/vfio-choice.h"

/* The command's default: a healthy unbind takes well under a second. */
#define DEFAULT_UNBIND_TIMEOUT_MS (10 * 1000)

/* The public codes are the internal ones: callers compare against them. */
G_STATIC_ASSERT((int)VH_ERROR_FAILED == (int)HD_ERROR_FAILED);
G_STATIC_ASSERT((int)VH_ERROR_INVALID == (int)HD_ERROR_INVALID);
G_STATIC_ASSERT((int)VH_ERROR_NO_DEVICE == (int)HD_ERROR_NO_DEVICE);
G_STATIC_ASSERT((int)VH_ERROR_REFUSED == (int)HD_ERROR_REFUSED);
G_STATIC_ASSERT((int)VH_ERROR_UNFINISHED == (int)HD_ERROR_UNFINISHED);

struct _VhManager {
  HdManager *hd;
  guint unbind_timeout_ms;
};

G_STATIC_ASSERT(VH_CHECK_VERSION(VH_VERSION_MAJOR, VH_VERSION_MINOR, VH_VERSION_MICRO));

const char *vh_version(void)
{
  return VH_VERSION_STRING;
}

gboolean vh_check_version(guint major, guint minor, guint micro)
{
  static const guint ours[] = {VH_VERSION_MAJOR, VH_VERSION_MINOR, VH_VERSION_MICRO};
  const guint wanted[] = {major, minor, micro};

  for (guint i = 0; i < G_N_ELEMENTS(ours); i++)
    if (ours[i] != wanted[i])
      return ours[i] > wanted[i];
  return TRUE;
}

GQuark vh_error_quark(void)
{
  /* one domain: every layer's errors reach the caller unchanged */
  return hd_error_quark();
}

int vh_error_exit_code(const GError *error)
{
  return hd_error_exit_code(error);
}

void api_error_scope_end(ApiErrorScope *scope)
{
  GError **error = scope->error;

  if (error == NULL || *error == NULL || ((*error)->domain == HD_ERROR && hd_error_exit_code(*error) == (*error)->code))
    return;
  GError *wrapped = g_error_new_literal(HD_ERROR, HD_ERROR_FAILED, (*error)->message);
  g_error_free(*error);
  *error = wrapped;
}

GPtrArray *api_results_xor_error(GPtrArray *results, GError *local, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  if (results != NULL)
    g_clear_error(&local);
  else
    g_propagate_error(error, local);
  return results;
}

HdManager *api_hd_manager(VhManager *manager)
{
  return manager->hd;
}

guint api_unbind_timeout(const VhManager *manager)
{
  return manager->unbind_timeout_ms;
}

VhManager *vh_manager_new(const char *modules_dir, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  HdManager *hd = hd_manager_new(modules_dir, error);

  if (hd == NULL)
    return NULL;
  VhManager *manager = g_new0(VhManager, 1);
  manager->hd = hd;
  manager->unbind_timeout_ms = DEFAULT_UNBIND_TIMEOUT_MS;
  return manager;
}

void vh_manager_free(VhManager *manager)
{
  if (manager == NULL)
    return;
  hd_manager_free(manager->hd);
  g_free(manager);
}

void vh_manager_set_unbind_timeout(VhManager *manager, guint timeout_ms)
{
  manager->unbind_timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_UNBIND_TIMEOUT_MS;
}

const GPtrArray *vh_manager_get_warnings(VhManager *manager)
{
  return hd_manager_warnings(manager->hd);
}

void vh_manager_add_warning(VhManager *manager, const char *message)
{
  hd_manager_warn(manager->hd, "%s", message);
}

const char *vh_manager_get_iommu_problem(VhManager *manager)
{
  return hd_iommu_groups_present() ? NULL : hd_iommu_enable_hint();
}

void vh_manager_recover_interrupted(VhManager *manager)
{
  hd_recover_interrupted(manager->hd);
}

GPtrArray *vh_manager_list_devices(VhManager *manager, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_enumerate_devices(manager->hd, error);
}

VhDevice *vh_manager_get_device(VhManager *manager, const char *address, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_device_load_by_name(manager->hd, address, error);
}

GPtrArray *vh_manager_get_group_devices(VhManager *manager, const VhDevice *device, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  GPtrArray *members = g_ptr_array_new_with_free_func((GDestroyNotify)hd_device_free);

  if (device->iommu_group < 0)
    return members;
  g_autoptr(GPtrArray) names = hd_iommu_group_members(device->iommu_group, error);
  if (names == NULL) {
    g_ptr_array_unref(members);
    return NULL;
  }
  for (guint i = 0; i < names->len; i++) {
    HdDevice *member = hd_device_load_by_name(manager->hd, g_ptr_array_index(names, i), NULL);
    if (member != NULL)
      g_ptr_array_add(members, member);
  }
  return members;
}

void vh_device_free(VhDevice *device)
{
  hd_device_free(device);
}

const char *vh_device_get_address(const VhDevice *device) { return device->address; }
guint vh_device_get_vendor_id(const VhDevice *device) { return device->vendor_id; }
guint vh_device_get_device_id(const VhDevice *device) { return device->device_id; }
guint vh_device_get_subsystem_vendor_id(const VhDevice *device) { return device->subsystem_vendor_id; }
guint vh_device_get_subsystem_device_id(const VhDevice *device) { return device->subsystem_device_id; }
guint vh_device_get_class(const VhDevice *device) { return device->class_code; }
guint vh_device_get_revision(const VhDevice *device) { return device->revision; }
const char *vh_device_get_vendor_name(const VhDevice *device) { return device->vendor_name; }
const char *vh_device_get_device_name(const VhDevice *device) { return device->device_name; }
const char *vh_device_get_class_name(const VhDevice *device) { return device->class_name; }
const char *vh_device_get_modalias(const VhDevice *device) { return device->modalias; }
const char *vh_device_get_syspath(const VhDevice *device) { return device->syspath; }
gboolean vh_device_is_bridge(const VhDevice *device) { return device->is_bridge; }
const char *vh_device_get_driver(const VhDevice *device) { return device->driver; }
const char *vh_device_get_driver_module(const VhDevice *device) { return device->driver_module; }
const char *vh_device_get_driver_override(const VhDevice *device) { return device->driver_override; }
const char *vh_device_get_pending_write(const VhDevice *device) { return device->pending_write; }
gint64 vh_device_get_iommu_group(const VhDevice *device) { return device->iommu_group; }
gboolean vh_device_is_noiommu(const VhDevice *device) { return device->noiommu; }
gint64 vh_device_get_numa_node(const VhDevice *device) { return device->numa_node; }
guint vh_device_get_sriov_totalvfs(const VhDevice *device) { return device->sriov_totalvfs; }
guint vh_device_get_sriov_numvfs(const VhDevice *device) { return device->sriov_numvfs; }
const char *vh_device_get_physfn(const VhDevice *device) { return device->physfn; }
gboolean vh_device_is_vfio_bound(const VhDevice *device) { return device->vfio.bound; }
const char *vh_device_get_vfio_detected_by(const VhDevice *device) { return device->vfio.rule; }
const char *vh_device_get_vfio_device(const VhDevice *device) { return device->vfio.device; }
const char *vh_device_get_vfio_group_node(const VhDevice *device) { return device->vfio.group_node; }
const char *vh_device_get_vfio_cdev(const VhDevice *device) { return device->vfio.cdev; }

const char *const *vh_device_get_reset_methods(const VhDevice *device)
{
  return (const char *const *)device->reset_methods;
}

const GPtrArray *vh_device_get_vfs(const VhDevice *device)
{
  return device->vfs;
}

const GPtrArray *vh_device_get_functions(const VhDevice *device)
{
  return device->functions;
}

const GPtrArray *vh_device_get_link_consumers(const VhDevice *device)
{
  return device->link_consumers;
}

const GPtrArray *vh_device_get_link_suppliers(const VhDevice *device)
{
  return device->link_suppliers;
}

VhVfioChoice *vh_manager_choose_vfio_driver(VhManager *manager, const VhDevice *device)
{
  return hd_vfio_choose(manager->hd, device->modalias);
}

/* A modalias as sysfs shows it: "pci:" then printable, space-free text. */
static gboolean check_modalias(const char *modalias, GError **error)
{
  gboolean printable = TRUE;

  for (const char *p = modalias; *p != '\0'; p++)
    printable = printable && g_ascii_isgraph(*p);
  if (!g_str_has_prefix(modalias, "pci:") || !printable) {
    g_autofree char *shown = g_strescape(modalias, NULL);
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID,
                "invalid modalias \"%.80s\": expected a PCI modalias as sysfs shows it (pci:v...d...sv...)", shown);
    return FALSE;
  }
  return TRUE;
}

VhVfioChoice *vh_manager_choose_vfio_driver_for_modalias(VhManager *manager, const char *modalias, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  if (!check_modalias(modalias, error))
    return NULL;
  return hd_vfio_choose(manager->hd, modalias);
}

void vh_vfio_choice_free(VhVfioChoice *choice)
{
  hd_vfio_choice_free(choice);
}

const char *vh_vfio_choice_get_module(const VhVfioChoice *choice) { return choice->module; }
const char *vh_vfio_choice_get_reason(const VhVfioChoice *choice) { return choice->reason; }
gboolean vh_vfio_choice_is_fallback(const VhVfioChoice *choice) { return choice->fallback; }
const char *vh_vfio_choice_get_modalias(const VhVfioChoice *choice) { return choice->modalias; }
const char *vh_vfio_choice_get_key(const VhVfioChoice *choice) { return choice->key; }
const GPtrArray *vh_vfio_choice_get_candidates(const VhVfioChoice *choice) { return choice->candidates; }

const char *vh_vfio_candidate_get_module(const VhVfioCandidate *candidate) { return candidate->module; }
const char *vh_vfio_candidate_get_pattern(const VhVfioCandidate *candidate) { return candidate->pattern; }
guint vh_vfio_candidate_get_wildcards(const VhVfioCandidate *candidate) { return candidate->wildcards; }
const char *vh_vfio_candidate_get_file(const VhVfioCandidate *candidate) { return candidate->source; }
guint vh_vfio_candidate_get_line(const VhVfioCandidate *candidate) { return candidate->line; }
