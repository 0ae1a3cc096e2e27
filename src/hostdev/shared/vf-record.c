// SPDX-License-Identifier: LGPL-2.1-or-later
/* The VF records' format (vf-record.h); reading and restoring VFs in sysfs
 * is vf-restore.c's, so that the record's parser links without sysfs. */
#include "hostdev/shared/vf-record.h"

#include "util/hd-error.h"
#include "util/pci-address.h"

#define GROUP_PREFIX "vf "
/* the PCI spec's limit: TotalVFs is 16 bits */
#define MAX_VF_INDEX 0xffff

void hd_vf_record_free(HdVfRecord *vf)
{
  if (vf == NULL)
    return;
  g_free(vf->address);
  g_free(vf->driver);
  g_free(vf->driver_override);
  g_free(vf->owner);
  g_free(vf);
}

static void set_optional(GKeyFile *file, const char *group, const char *key, const char *value)
{
  if (value != NULL)
    g_key_file_set_string(file, group, key, value);
}

void hd_vf_records_save(const GPtrArray *vfs, GKeyFile *file)
{
  for (guint i = 0; vfs != NULL && i < vfs->len; i++) {
    const HdVfRecord *vf = g_ptr_array_index(vfs, i);
    g_autofree char *group = g_strdup_printf(GROUP_PREFIX "%u", vf->index);
    g_key_file_set_string(file, group, "address", vf->address);
    set_optional(file, group, "driver", vf->driver);
    set_optional(file, group, "driver_override", vf->driver_override);
    set_optional(file, group, "owner", vf->owner);
  }
}

/* An empty value is as good as absent: sysfs never shows an empty name. */
static char *get_optional(GKeyFile *file, const char *group, const char *key)
{
  g_autofree char *value = g_key_file_get_string(file, group, key, NULL);

  return value != NULL && *value != '\0' ? g_steal_pointer(&value) : NULL;
}

static gint compare_index(gconstpointer a, gconstpointer b)
{
  guint ia = (*(const HdVfRecord *const *)a)->index;
  guint ib = (*(const HdVfRecord *const *)b)->index;

  return ia < ib ? -1 : ia > ib;
}

static HdVfRecord *load_one(GKeyFile *file, const char *group, const char *origin, GError **error)
{
  g_autoptr(HdVfRecord) vf = g_new0(HdVfRecord, 1);
  guint64 index = 0;

  if (!g_ascii_string_to_unsigned(group + strlen(GROUP_PREFIX), 10, 0, MAX_VF_INDEX, &index, NULL)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "state record %s is damaged ([%s] is no VF index)", origin, group);
    return NULL;
  }
  vf->index = (guint)index;
  vf->address = get_optional(file, group, "address");
  if (vf->address == NULL || !hd_pci_address_is_canonical(vf->address)) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "state record %s is damaged ([%s] has no canonical address)",
                origin, group);
    return NULL;
  }
  vf->driver = get_optional(file, group, "driver");
  vf->driver_override = get_optional(file, group, "driver_override");
  vf->owner = get_optional(file, group, "owner");
  return g_steal_pointer(&vf);
}

gboolean hd_vf_records_load(GKeyFile *file, const char *origin, GPtrArray **vfs, GError **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify)hd_vf_record_free);
  g_auto(GStrv) groups = g_key_file_get_groups(file, NULL);

  for (guint i = 0; groups[i] != NULL; i++) {
    if (!g_str_has_prefix(groups[i], GROUP_PREFIX))
      continue;
    HdVfRecord *vf = load_one(file, groups[i], origin, error);
    if (vf == NULL)
      return FALSE;
    g_ptr_array_add(found, vf);
  }
  g_ptr_array_sort(found, compare_index);
  for (guint i = 1; i < found->len; i++)
    if (((HdVfRecord *)g_ptr_array_index(found, i))->index == ((HdVfRecord *)g_ptr_array_index(found, i - 1))->index) {
      g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "state record %s is damaged (a VF index twice)", origin);
      return FALSE;
    }
  *vfs = g_steal_pointer(&found);
  return TRUE;
}
