// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/shared/device-record.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "hostdev/shared/vf-record.h"
#include "util/atomic-file.h"
#include "config.h"
#include "util/hd-error.h"
#include "util/pci-address.h"
#include "util/sysfs-paths.h"

#define GROUP "device"
#define SUFFIX ".record"

static const char *const state_names[] = {"binding", "bound", "stuck"};

HdDeviceRecord *hd_record_new(const char *address)
{
  HdDeviceRecord *record = g_new0(HdDeviceRecord, 1);

  record->address = g_strdup(address);
  record->since = g_get_real_time() / G_USEC_PER_SEC;
  record->tool_version = g_strdup(VFIO_HOSTDEV_VERSION);
  record->state = HD_RECORD_BINDING;
  record->sriov_autoprobe = -1;
  record->sriov_provisioned = -1;
  return record;
}

void hd_record_free(HdDeviceRecord *record)
{
  if (record == NULL)
    return;
  g_free(record->address);
  g_free(record->original_driver);
  g_free(record->original_override);
  g_free(record->target_driver);
  g_free(record->tool_version);
  g_free(record->problem);
  g_free(record->owner);
  g_clear_pointer(&record->vfs, g_ptr_array_unref);
  g_free(record);
}

const char *hd_record_state_name(HdRecordState state)
{
  return state_names[state];
}

static char *record_path(const char *address)
{
  g_autofree char *name = g_strconcat(address, SUFFIX, NULL);

  return hd_path_state_file(name);
}

gboolean hd_record_ensure_dir(GError **error)
{
  g_autofree char *dir = hd_path_state_dir();

  if (g_mkdir_with_parents(dir, 0755) < 0) {
    int saved = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot create %s: %s", dir, g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}

static void set_optional(GKeyFile *file, const char *key, const char *value)
{
  if (value != NULL)
    g_key_file_set_string(file, GROUP, key, value);
}

char *hd_record_to_data(const HdDeviceRecord *record, gsize *length)
{
  g_autoptr(GKeyFile) file = g_key_file_new();

  g_key_file_set_string(file, GROUP, "address", record->address);
  set_optional(file, "original_driver", record->original_driver);
  set_optional(file, "original_override", record->original_override);
  g_key_file_set_uint64(file, GROUP, "sriov_numvfs", record->sriov_numvfs);
  if (record->sriov_autoprobe >= 0)
    g_key_file_set_integer(file, GROUP, "sriov_drivers_autoprobe", record->sriov_autoprobe);
  if (record->sriov_provisioned >= 0)
    g_key_file_set_integer(file, GROUP, "sriov_provisioned", record->sriov_provisioned);
  set_optional(file, "target_driver", record->target_driver);
  g_key_file_set_boolean(file, GROUP, "group", record->group);
  /* only when set: records of plain binds stay as they were before it existed */
  if (record->functions)
    g_key_file_set_boolean(file, GROUP, "functions", TRUE);
  g_key_file_set_int64(file, GROUP, "since", record->since);
  g_key_file_set_string(file, GROUP, "tool_version", record->tool_version);
  g_key_file_set_string(file, GROUP, "state", hd_record_state_name(record->state));
  set_optional(file, "problem", record->problem);
  /* plain bind records stay as they were before owners existed */
  if (record->owner != NULL) {
    g_key_file_set_string(file, GROUP, "owner", record->owner);
    g_key_file_set_boolean(file, GROUP, "managed", record->managed);
    g_key_file_set_boolean(file, GROUP, "adopted", record->adopted);
  }
  hd_vf_records_save(record->vfs, file);
  return g_key_file_to_data(file, length, NULL);
}

gboolean hd_record_save(const HdDeviceRecord *record, GError **error)
{
  g_autofree char *path = record_path(record->address);
  gsize length = 0;
  g_autofree char *data = hd_record_to_data(record, &length);

  return hd_atomic_write(path, data, length, 0644, error);
}

static char *get_optional(GKeyFile *file, const char *key)
{
  return g_key_file_get_string(file, GROUP, key, NULL);
}

static gboolean parse_state(const char *text, HdRecordState *state)
{
  for (guint i = 0; i < G_N_ELEMENTS(state_names); i++)
    if (g_strcmp0(text, state_names[i]) == 0) {
      *state = (HdRecordState)i;
      return TRUE;
    }
  return FALSE;
}

static gboolean damaged(const char *path, const char *why, GError **error)
{
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "state record %s is damaged (%s); remove it after checking the device",
              path, why);
  return FALSE;
}

/* sriov_provisioned: a VF count (16 bits, as TotalVFs), -1 when absent
 * or not one. */
static int read_provisioned(GKeyFile *file)
{
  g_autoptr(GError) error = NULL;
  guint64 count = g_key_file_get_uint64(file, GROUP, "sriov_provisioned", &error);

  return error == NULL && count <= 0xffff ? (int)count : -1;
}

/* Fills RECORD's optional fields from FILE; absent keys keep defaults. */
static void read_fields(GKeyFile *file, HdDeviceRecord *record)
{
  record->original_driver = get_optional(file, "original_driver");
  record->original_override = get_optional(file, "original_override");
  record->sriov_numvfs = (guint)g_key_file_get_uint64(file, GROUP, "sriov_numvfs", NULL);
  if (g_key_file_has_key(file, GROUP, "sriov_drivers_autoprobe", NULL))
    record->sriov_autoprobe = g_key_file_get_integer(file, GROUP, "sriov_drivers_autoprobe", NULL) != 0;
  record->sriov_provisioned = read_provisioned(file);
  record->target_driver = get_optional(file, "target_driver");
  record->group = g_key_file_get_boolean(file, GROUP, "group", NULL);
  record->functions = g_key_file_get_boolean(file, GROUP, "functions", NULL);
  record->since = g_key_file_get_int64(file, GROUP, "since", NULL);
  g_free(record->tool_version);
  record->tool_version = get_optional(file, "tool_version");
  record->problem = get_optional(file, "problem");
  record->owner = get_optional(file, "owner");
  record->managed = g_key_file_get_boolean(file, GROUP, "managed", NULL);
  record->adopted = g_key_file_get_boolean(file, GROUP, "adopted", NULL);
}

/* A missing address or state makes a record unparsable, since restoring
 * from a guess could be worse than asking. */
HdDeviceRecord *hd_record_parse(const char *data, gsize length, const char *origin, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new();
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_data(file, data, length, G_KEY_FILE_NONE, &local)) {
    damaged(origin, local->message, error);
    return NULL;
  }
  g_autofree char *address = g_key_file_get_string(file, GROUP, "address", NULL);
  g_autofree char *state = g_key_file_get_string(file, GROUP, "state", NULL);
  if (address == NULL || state == NULL) {
    damaged(origin, "no address or state", error);
    return NULL;
  }
  /* the address names the files and sysfs paths every later step writes to */
  if (!hd_pci_address_is_canonical(address)) {
    damaged(origin, "not a canonical PCI address", error);
    return NULL;
  }
  g_autoptr(HdDeviceRecord) record = hd_record_new(address);
  if (!parse_state(state, &record->state)) {
    damaged(origin, "unknown state", error);
    return NULL;
  }
  read_fields(file, record);
  if (!hd_vf_records_load(file, origin, &record->vfs, error))
    return NULL;
  return g_steal_pointer(&record);
}

/* Reads the record file at PATH, which must be ADDRESS's: a record naming
 * another device would send every step to the wrong device and could never
 * be removed by the name it was found under. */
static HdDeviceRecord *load_record(const char *path, const char *address, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents(path, &data, &length, &local)) {
    damaged(path, local->message, error);
    return NULL;
  }
  g_autoptr(HdDeviceRecord) record = hd_record_parse(data, length, path, error);
  if (record != NULL && !g_str_equal(record->address, address)) {
    damaged(path, "it names another device", error);
    return NULL;
  }
  return g_steal_pointer(&record);
}

HdDeviceRecord *hd_record_load(const char *address, GError **error)
{
  g_autofree char *path = record_path(address);

  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return NULL;
  return load_record(path, address, error);
}

gboolean hd_record_remove(const char *address, GError **error)
{
  g_autofree char *path = record_path(address);

  return hd_atomic_remove(path, error);
}

static gint compare_records(gconstpointer a, gconstpointer b)
{
  const HdDeviceRecord *ra = *(const HdDeviceRecord *const *)a;
  const HdDeviceRecord *rb = *(const HdDeviceRecord *const *)b;

  return g_strcmp0(ra->address, rb->address);
}

GPtrArray *hd_record_list(GPtrArray *problems, GError **error)
{
  g_autofree char *dir_path = hd_path_state_dir();
  GPtrArray *records = g_ptr_array_new_with_free_func((GDestroyNotify)hd_record_free);
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &local);
  const char *name;

  if (dir == NULL) {
    /* no directory: nothing was ever bound since boot */
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return records;
    g_propagate_error(error, g_steal_pointer(&local));
    g_ptr_array_unref(records);
    return NULL;
  }
  while ((name = g_dir_read_name(dir)) != NULL) {
    if (!g_str_has_suffix(name, SUFFIX))
      continue;
    g_autofree char *path = g_build_filename(dir_path, name, NULL);
    g_autofree char *address = g_strndup(name, strlen(name) - strlen(SUFFIX));
    g_autoptr(GError) bad = NULL;
    HdDeviceRecord *record = load_record(path, address, &bad);
    if (record != NULL)
      g_ptr_array_add(records, record);
    else
      g_ptr_array_add(problems, g_strdup(bad->message));
  }
  g_ptr_array_sort(records, compare_records);
  return records;
}
