// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/status/status.h"

#include "hostdev/shared/driver-switch.h"
#include "hostdev/persist/persist.h"
#include "util/kernel-write.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

void hd_status_entry_free(HdStatusEntry *entry)
{
  if (entry == NULL)
    return;
  hd_record_free(entry->record);
  g_free(entry->current_driver);
  g_free(entry->pending_write);
  g_free(entry);
}

GPtrArray *hd_status(GPtrArray *problems, GError **error)
{
  g_autoptr(GPtrArray) records = hd_record_list(problems, error);

  if (records == NULL)
    return NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)hd_status_entry_free);
  while (records->len > 0) {
    HdStatusEntry *entry = g_new0(HdStatusEntry, 1);
    entry->record = g_ptr_array_steal_index(records, 0);
    g_autofree char *dir = hd_path_pci_device(entry->record->address, NULL);
    entry->present = hd_sysfs_exists(dir);
    entry->current_driver = hd_switch_current_driver(entry->record->address);
    entry->persisted = hd_persist_config_exists(entry->record->address);
    entry->pending_write = hd_kernel_write_pending(entry->record->address);
    g_ptr_array_add(entries, entry);
  }
  return entries;
}

void hd_status_persisted_free(HdStatusPersisted *persisted)
{
  if (persisted == NULL)
    return;
  hd_persist_config_free(persisted->config);
  g_free(persisted->current_driver);
  g_free(persisted->found_ids);
  g_free(persisted);
}

/* A record hd_status() lists: vfio-hostdev bound it. */
static gboolean has_record(const char *address)
{
  g_autoptr(HdDeviceRecord) record = hd_record_load(address, NULL);

  return record != NULL;
}

/* What is at the persisted address now. A manager only for reading the
 * device: status works without one otherwise, and its IDs come from the
 * same reader persist-apply compares with. */
static void read_persisted_device(HdManager *manager, HdStatusPersisted *persisted)
{
  HdPciAddress address;
  g_autoptr(HdDevice) device = NULL;

  /* the address was checked when the file was read */
  if (hd_pci_address_parse(persisted->config->address, &address, NULL))
    device = hd_device_load_summary(manager, &address, NULL);
  if (device == NULL)
    return;
  persisted->present = TRUE;
  persisted->current_driver = g_strdup(device->driver);
  if (!hd_persist_matches(persisted->config, device))
    persisted->found_ids = hd_persist_device_ids(device);
}

GPtrArray *hd_status_persisted(GPtrArray *problems, GError **error)
{
  g_autoptr(GPtrArray) configs = hd_persist_config_list(problems, error);
  g_autoptr(HdManager) manager = NULL;

  if (configs == NULL)
    return NULL;
  GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)hd_status_persisted_free);
  while (configs->len > 0) {
    HdPersistConfig *config = g_ptr_array_steal_index(configs, 0);
    if (has_record(config->address)) {
      hd_persist_config_free(config);
      continue;
    }
    if (manager == NULL && (manager = hd_manager_new(NULL, error)) == NULL) {
      hd_persist_config_free(config);
      g_ptr_array_unref(list);
      return NULL;
    }
    HdStatusPersisted *persisted = g_new0(HdStatusPersisted, 1);
    persisted->config = config;
    read_persisted_device(manager, persisted);
    g_ptr_array_add(list, persisted);
  }
  return list;
}
