// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/persist/persist.h"

#include "hostdev/persist/persist-sriov.h"
#include "hostdev/shared/device-record.h"
#include "util/hd-error.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

static const char *const outcome_names[] = {"planned", "already-bound", "bound", "gone", "changed", "failed",
                                            "vfs-planned", "vfs-created", "vfs-present", "vfs-other-count"};

const char *hd_persist_outcome_name(HdPersistOutcome outcome)
{
  return outcome_names[outcome];
}

void hd_persist_apply_result_free(HdPersistApplyResult *result)
{
  if (result == NULL)
    return;
  hd_persist_config_free(result->config);
  g_free(result->driver);
  g_free(result->vfio_device);
  g_free(result->found_ids);
  g_free(result->original_driver);
  g_clear_error(&result->error);
  g_free(result);
}

char *hd_persist_device_ids(const HdDevice *device)
{
  return g_strdup_printf("%04x:%04x (subsystem %04x:%04x)", device->vendor_id, device->device_id,
                         device->subsystem_vendor_id, device->subsystem_device_id);
}

gboolean hd_persist_matches(const HdPersistConfig *config, const HdDevice *device)
{
  if (config->vendor_id != device->vendor_id || config->device_id != device->device_id)
    return FALSE;
  return !config->has_subsystem || (config->subsystem_vendor_id == device->subsystem_vendor_id &&
                                    config->subsystem_device_id == device->subsystem_device_id);
}

/* ---- persisting what a bind did -------------------------------------------- */

static gboolean on_vfio(const HdBindResult *result)
{
  return result->outcome == HD_BIND_BOUND || result->outcome == HD_BIND_ALREADY || result->outcome == HD_BIND_PLANNED;
}

/* The host driver the device was taken from: this bind's, or, when it was
 * on its VFIO driver already, the one its record names. */
static char *host_driver_of(const HdBindResult *result)
{
  if (result->outcome != HD_BIND_ALREADY)
    return g_strdup(result->original_driver);
  g_autoptr(HdDeviceRecord) record = hd_record_load(result->address, NULL);
  return record != NULL ? g_strdup(record->original_driver) : NULL;
}

/* The module of that driver, which the early binding's modprobe guard
 * holds back; without one (no driver, built in, not known now) the one a
 * previous persist recorded, so that persisting again loses nothing. */
static char *host_module_of(const HdBindResult *result)
{
  g_autofree char *driver = host_driver_of(result);
  g_autofree char *link = driver != NULL ? hd_path_pci_driver(driver, "module") : NULL;
  char *module = link != NULL ? hd_sysfs_link_basename(link, NULL) : NULL;

  if (module != NULL)
    return module;
  g_autoptr(HdPersistConfig) previous = hd_persist_config_load(result->address, NULL);
  return previous != NULL ? g_strdup(previous->host_module) : NULL;
}

/* DEVICE as it is now (on its VFIO driver, or about to be in a dry run). */
static HdPersistConfig *config_for(const HdBindResult *result, const HdDevice *device, const HdBindOptions *options)
{
  HdPersistConfig *config = hd_persist_config_new(result->address);

  config->vendor_id = device->vendor_id;
  config->device_id = device->device_id;
  config->has_subsystem = TRUE;
  config->subsystem_vendor_id = device->subsystem_vendor_id;
  config->subsystem_device_id = device->subsystem_device_id;
  /* a dry run may not know the driver's name before its module is loaded */
  config->driver = g_strdup(result->driver != NULL ? result->driver : result->requested);
  /* bind names no module when the driver was registered already; the
   * kernel knows which module registered it, and at boot it must be loaded */
  config->module = g_strdup(result->module != NULL ? result->module : device->driver_module);
  config->host_module = host_module_of(result);
  config->group = options->group;
  config->group_member = result->group_member;
  return config;
}

/* TRUE when DEVICE is a VF whose PF's count `sriov --persist` persisted. */
static gboolean pf_count_persisted(const HdDevice *device)
{
  g_autoptr(HdPersistConfig) pf = hd_persist_sriov_load(device->physfn, NULL);

  return pf != NULL && pf->sriov_vfs != NULL && g_strv_contains((const char *const *)pf->sriov_vfs, device->address);
}

static void warn_about(HdManager *manager, const HdDevice *device)
{
  if (device->physfn != NULL && !pf_count_persisted(device))
    hd_manager_warn(manager,
                    "%s is a VF of %s: at boot it exists only once its PF's VFs are enabled, which must happen "
                    "before vfio-hostdev-persist.service, otherwise it is skipped as gone",
                    device->address, device->physfn);
}

GPtrArray *hd_persist_bound(HdManager *manager, const GPtrArray *results, const HdBindOptions *options,
                            GError **error)
{
  g_autoptr(GPtrArray) configs = g_ptr_array_new_with_free_func((GDestroyNotify)hd_persist_config_free);

  if (options->force)
    hd_manager_warn(manager, "--force is not persisted: at boot a device the host uses is refused and left alone");
  for (guint i = 0; i < results->len; i++) {
    const HdBindResult *result = g_ptr_array_index(results, i);
    if (!on_vfio(result))
      continue;
    g_autoptr(HdDevice) device = hd_device_load_by_name(manager, result->address, error);
    if (device == NULL)
      return NULL;
    HdPersistConfig *config = config_for(result, device, options);
    g_ptr_array_add(configs, config);
    warn_about(manager, device);
    if (!options->dry_run && !hd_persist_config_save(config, error)) {
      g_prefix_error(error, "%s is bound but not persisted: ", result->address);
      return NULL;
    }
  }
  return g_steal_pointer(&configs);
}

gboolean hd_unpersist(HdManager *manager, const char *const *addresses, GError **error)
{
  for (; *addresses != NULL; addresses++) {
    gboolean pf = FALSE;
    if (!hd_unpersist_sriov(manager, *addresses, &pf, error))
      return FALSE;
    if (!hd_persist_config_exists(*addresses)) {
      if (pf)
        continue;
      hd_manager_warn(manager, "%s was not persisted; nothing to remove", *addresses);
      continue;
    }
    if (!hd_persist_config_remove(*addresses, error))
      return FALSE;
  }
  return TRUE;
}

/* ---- applying at boot ---------------------------------------------------- */

HdPersistApplyResult *hd_persist_apply_result_new(HdPersistConfig *config)
{
  HdPersistApplyResult *result = g_new0(HdPersistApplyResult, 1);

  result->config = config;
  result->outcome = HD_PERSIST_FAILED;
  return result;
}

gboolean hd_persist_check_device(HdManager *manager, HdPersistApplyResult *result, HdDevice **device)
{
  const HdPersistConfig *config = result->config;
  g_autoptr(GError) error = NULL;
  g_autoptr(HdDevice) found = hd_device_load_by_name(manager, config->address, &error);
  g_autofree char *ids = hd_persist_config_ids(config);

  if (found == NULL && g_error_matches(error, HD_ERROR, HD_ERROR_NO_DEVICE)) {
    result->outcome = HD_PERSIST_GONE;
    result->error = g_error_new(HD_ERROR, HD_ERROR_NO_DEVICE,
                                "%s (%s) is persisted but gone; skipped (`vfio-hostdev unpersist %s` forgets it)",
                                config->address, ids, config->address);
    return FALSE;
  }
  if (found == NULL) {
    result->error = g_steal_pointer(&error);
    return FALSE;
  }
  if (!hd_persist_matches(config, found)) {
    result->outcome = HD_PERSIST_CHANGED;
    result->found_ids = hd_persist_device_ids(found);
    result->error = g_error_new(HD_ERROR, HD_ERROR_REFUSED,
                                "%s was persisted as %s but is now %s: another device at that address, not bound; "
                                "`vfio-hostdev unpersist %s` forgets it",
                                config->address, ids, result->found_ids, config->address);
    return FALSE;
  }
  *device = g_steal_pointer(&found);
  return TRUE;
}

/* The results of one IOMMU group (or of one device without a group),
 * bound by one bind call. */
typedef struct {
  gint64 group;
  GPtrArray *results; /* HdPersistApplyResult*, not owned */
} Batch;

static void batch_free(Batch *batch)
{
  g_ptr_array_unref(batch->results);
  g_free(batch);
}

static Batch *find_batch(GPtrArray *batches, gint64 group)
{
  /* devices without an IOMMU group are refused by bind; alone each */
  for (guint i = 0; group >= 0 && i < batches->len; i++)
    if (((Batch *)g_ptr_array_index(batches, i))->group == group)
      return g_ptr_array_index(batches, i);
  Batch *batch = g_new0(Batch, 1);
  batch->group = group;
  batch->results = g_ptr_array_new();
  g_ptr_array_add(batches, batch);
  return batch;
}

static HdPersistOutcome outcome_of(HdBindOutcome outcome)
{
  switch (outcome) {
  case HD_BIND_PLANNED:
    return HD_PERSIST_PLANNED;
  case HD_BIND_ALREADY:
    return HD_PERSIST_ALREADY;
  case HD_BIND_BOUND:
    return HD_PERSIST_BOUND;
  case HD_BIND_ROLLED_BACK:
  case HD_BIND_STUCK:
    break;
  }
  return HD_PERSIST_FAILED;
}

static void take_bind_result(HdPersistApplyResult *result, HdBindResult *bound, const GError *error)
{
  result->outcome = outcome_of(bound->outcome);
  result->driver = g_strdup(bound->driver);
  result->vfio_device = g_strdup(bound->vfio_device);
  if (result->outcome == HD_PERSIST_BOUND || result->outcome == HD_PERSIST_PLANNED)
    result->original_driver = g_strdup(bound->original_driver);
  if (bound->error != NULL)
    result->error = g_error_copy(bound->error);
  else if (result->outcome == HD_PERSIST_FAILED)
    /* rolled back because another member of its group failed */
    result->error = g_error_copy(error);
}

static HdBindResult *find_bind_result(GPtrArray *bound, const char *address)
{
  for (guint i = 0; bound != NULL && i < bound->len; i++)
    if (g_str_equal(((HdBindResult *)g_ptr_array_index(bound, i))->address, address))
      return g_ptr_array_index(bound, i);
  return NULL;
}

/* The module when known: bind loads it when its driver is not registered yet. */
static const char *driver_request(const HdPersistConfig *config)
{
  return config->module != NULL ? config->module : config->driver;
}

static void bind_batch(HdManager *manager, Batch *batch, const HdPersistApplyOptions *options)
{
  g_autoptr(GArray) requests = g_array_new(FALSE, TRUE, sizeof(HdBindRequest));
  /* never --force and never --group: only the persisted, checked devices */
  HdBindOptions bind_options = {NULL, FALSE, FALSE, options->dry_run, options->unbind_timeout_ms, NULL, FALSE};
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < batch->results->len; i++) {
    const HdPersistConfig *config = ((HdPersistApplyResult *)g_ptr_array_index(batch->results, i))->config;
    HdBindRequest request = {config->address, driver_request(config), config->group_member};
    g_array_append_val(requests, request);
  }
  g_autoptr(GPtrArray) bound = hd_bind_requests(manager, (const HdBindRequest *)(void *)requests->data,
                                                requests->len, &bind_options, &error);
  for (guint i = 0; i < batch->results->len; i++) {
    HdPersistApplyResult *result = g_ptr_array_index(batch->results, i);
    HdBindResult *one = find_bind_result(bound, result->config->address);
    if (one != NULL)
      take_bind_result(result, one, error);
    else
      result->error = g_error_copy(error); /* refused or invalid: nothing changed */
  }
}

/* Checks every configuration against the host; the survivors go into
 * batches by IOMMU group. */
static gboolean has_address(const GPtrArray *addresses, const char *address)
{
  for (guint i = 0; i < addresses->len; i++)
    if (g_str_equal(g_ptr_array_index(addresses, i), address))
      return TRUE;
  return FALSE;
}

/* Dry run: a VF of a PF that would get its VFs does not exist yet. */
static void plan_vf(HdPersistApplyResult *result)
{
  result->outcome = HD_PERSIST_PLANNED;
  result->driver = g_strdup(result->config->driver);
  g_clear_error(&result->error);
}

static GPtrArray *check_all(HdManager *manager, GPtrArray *configs, const GPtrArray *planned, GPtrArray *results)
{
  GPtrArray *batches = g_ptr_array_new_with_free_func((GDestroyNotify)batch_free);

  while (configs->len > 0) {
    HdPersistApplyResult *result = hd_persist_apply_result_new(g_ptr_array_steal_index(configs, 0));
    g_autoptr(HdDevice) device = NULL;
    g_ptr_array_add(results, result);
    if (hd_persist_check_device(manager, result, &device))
      g_ptr_array_add(find_batch(batches, device->iommu_group)->results, result);
    else if (result->outcome == HD_PERSIST_GONE && has_address(planned, result->config->address))
      plan_vf(result);
  }
  return batches;
}

/* One error for the run: the worst failed device's code, every failed
 * device's message; skipped devices are warnings, not errors. */
static void summarise(GPtrArray *results, guint damaged, GError **error)
{
  g_autoptr(GString) text = g_string_new(NULL);
  int code = damaged > 0 ? HD_ERROR_FAILED : 0;

  for (guint i = 0; i < results->len; i++) {
    const HdPersistApplyResult *result = g_ptr_array_index(results, i);
    if (result->outcome != HD_PERSIST_FAILED)
      continue;
    code = MAX(code, hd_error_exit_code(result->error));
    g_string_append_printf(text, "%s%s", text->len > 0 ? "; " : "", result->error->message);
  }
  if (code == 0)
    return;
  if (text->len == 0)
    g_string_append_printf(text, "%u persisted binding%s could not be read", damaged, damaged == 1 ? "" : "s");
  g_set_error_literal(error, HD_ERROR, code, text->str);
}

GPtrArray *hd_persist_apply(HdManager *manager, const HdPersistApplyOptions *options, GPtrArray *problems,
                            GError **error)
{
  guint problems_before = problems->len;
  g_autoptr(GPtrArray) configs = hd_persist_config_list(problems, error);

  if (configs == NULL)
    return NULL;
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func((GDestroyNotify)hd_persist_apply_result_free);
  /* the VFs must exist before they are checked and bound */
  g_autoptr(GPtrArray) planned = hd_persist_apply_sriov(manager, options, results, problems);
  g_autoptr(GPtrArray) batches = check_all(manager, configs, planned, results);
  for (guint i = 0; i < batches->len; i++)
    bind_batch(manager, g_ptr_array_index(batches, i), options);
  summarise(results, problems->len - problems_before, error);
  return g_steal_pointer(&results);
}
