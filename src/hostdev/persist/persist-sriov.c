// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/persist/persist-sriov.h"

#include "util/hd-error.h"

HdPersistConfig *hd_persist_sriov(HdManager *manager, const HdSriovResult *result, GError **error)
{
  if (result->numvfs == 0) {
    hd_persist_sriov_remove(result->address, error);
    return NULL;
  }
  g_autoptr(HdDevice) pf = hd_device_load_by_name(manager, result->address, error);
  if (pf == NULL)
    return NULL;
  g_autoptr(HdPersistConfig) config = hd_persist_config_new(pf->address);
  config->vendor_id = pf->vendor_id;
  config->device_id = pf->device_id;
  config->has_subsystem = TRUE;
  config->subsystem_vendor_id = pf->subsystem_vendor_id;
  config->subsystem_device_id = pf->subsystem_device_id;
  config->sriov_numvfs = result->numvfs;
  config->sriov_vfs = g_new0(char *, result->vfs->len + 1);
  for (guint i = 0; i < result->vfs->len; i++)
    config->sriov_vfs[i] = g_strdup(g_ptr_array_index(result->vfs, i));
  if (!hd_persist_config_save(config, error)) {
    g_prefix_error(error, "the VFs of %s are made but their count is not persisted: ", pf->address);
    return NULL;
  }
  return g_steal_pointer(&config);
}

/* The persisted count on a PF that has none; the PF's record keeps what
 * reattach gives back, as after `sriov`. */
static void create_vfs(HdManager *manager, HdPersistApplyResult *result, const HdPersistApplyOptions *options)
{
  const HdSriovOptions sriov = {result->config->sriov_numvfs, FALSE, options->unbind_timeout_ms};
  g_autoptr(HdSriovResult) made = hd_sriov(manager, result->config->address, &sriov, &result->error);

  result->outcome = made != NULL ? HD_PERSIST_VFS_CREATED : HD_PERSIST_FAILED;
}

static void apply_one(HdManager *manager, HdPersistApplyResult *result, const HdPersistApplyOptions *options,
                      GPtrArray *planned)
{
  const HdPersistConfig *config = result->config;
  g_autoptr(HdDevice) pf = NULL;

  if (!hd_persist_check_device(manager, result, &pf))
    return;
  if (pf->sriov_numvfs == config->sriov_numvfs) {
    result->outcome = HD_PERSIST_VFS_PRESENT;
    return;
  }
  if (pf->sriov_numvfs != 0) {
    result->outcome = HD_PERSIST_VFS_OTHER;
    result->error = g_error_new(HD_ERROR, HD_ERROR_REFUSED,
                                "%s has %u VFs, not the %u persisted: someone else configured it; left alone",
                                config->address, pf->sriov_numvfs, config->sriov_numvfs);
    return;
  }
  if (!options->dry_run) {
    create_vfs(manager, result, options);
    return;
  }
  result->outcome = HD_PERSIST_VFS_PLANNED;
  for (guint i = 0; config->sriov_vfs != NULL && config->sriov_vfs[i] != NULL; i++)
    g_ptr_array_add(planned, g_strdup(config->sriov_vfs[i]));
}

GPtrArray *hd_persist_apply_sriov(HdManager *manager, const HdPersistApplyOptions *options, GPtrArray *results,
                                  GPtrArray *problems)
{
  GPtrArray *planned = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) configs = hd_persist_sriov_list(problems, &error);

  if (configs == NULL) {
    g_ptr_array_add(problems, g_strdup(error->message));
    return planned;
  }
  while (configs->len > 0) {
    HdPersistApplyResult *result = hd_persist_apply_result_new(g_ptr_array_steal_index(configs, 0));
    g_ptr_array_add(results, result);
    apply_one(manager, result, options, planned);
  }
  return planned;
}

gboolean hd_unpersist_sriov(HdManager *manager, const char *pf, gboolean *found, GError **error)
{
  g_autofree char *path = hd_persist_sriov_path(pf);
  g_autoptr(GError) damaged = NULL;

  *found = g_file_test(path, G_FILE_TEST_EXISTS);
  if (!*found)
    return TRUE;
  /* a damaged file is removed all the same; its VFs are then not known */
  g_autoptr(HdPersistConfig) config = hd_persist_sriov_load(pf, &damaged);
  for (guint i = 0; config != NULL && config->sriov_vfs != NULL && config->sriov_vfs[i] != NULL; i++) {
    const char *vf = config->sriov_vfs[i];
    if (!hd_persist_config_exists(vf))
      continue;
    if (!hd_persist_config_remove(vf, error))
      return FALSE;
    hd_manager_warn(manager, "%s: unpersisted too, as a VF of %s (it would not exist at boot)", vf, pf);
  }
  return hd_persist_sriov_remove(pf, error);
}
