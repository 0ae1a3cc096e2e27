#include "status.h"

#include "driver-switch.h"
#include "sysfs-paths.h"
#include "sysfs.h"

void hd_status_entry_free(HdStatusEntry *entry)
{
  if (entry == NULL)
    return;
  hd_record_free(entry->record);
  g_free(entry->current_driver);
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
    g_ptr_array_add(entries, entry);
  }
  return entries;
}
