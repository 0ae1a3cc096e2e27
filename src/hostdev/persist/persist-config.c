// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/persist/persist-config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "util/atomic-file.h"
#include "config.h"
#include "util/hd-error.h"
#include "util/pci-address.h"
#include "util/sysfs-paths.h"

#define GROUP "device"
#define SUFFIX ".conf"

HdPersistConfig *hd_persist_config_new(const char *address)
{
  HdPersistConfig *config = g_new0(HdPersistConfig, 1);

  config->address = g_strdup(address);
  config->created = g_get_real_time() / G_USEC_PER_SEC;
  config->tool_version = g_strdup(VFIO_HOSTDEV_VERSION);
  return config;
}

void hd_persist_config_free(HdPersistConfig *config)
{
  if (config == NULL)
    return;
  g_free(config->address);
  g_free(config->driver);
  g_free(config->module);
  g_free(config->host_module);
  g_free(config->tool_version);
  g_strfreev(config->sriov_vfs);
  g_free(config);
}

/* The PFs' VF counts, next to the devices' directory. */
static char *sriov_dir(void)
{
  g_autofree char *devices = hd_path_persist_dir();
  g_autofree char *parent = g_path_get_dirname(devices);

  return g_build_filename(parent, "sriov", NULL);
}

static char *dir_of(gboolean sriov)
{
  return sriov ? sriov_dir() : hd_path_persist_dir();
}

static char *path_in(gboolean sriov, const char *address)
{
  g_autofree char *dir = dir_of(sriov);
  g_autofree char *name = g_strconcat(address, SUFFIX, NULL);

  return g_build_filename(dir, name, NULL);
}

char *hd_persist_config_path(const char *address)
{
  return path_in(FALSE, address);
}

char *hd_persist_sriov_path(const char *address)
{
  return path_in(TRUE, address);
}

static gboolean set_errno_error(GError **error, int saved, const char *what, const char *path)
{
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot %s %s: %s", what, path, g_strerror(saved));
  return FALSE;
}

static gboolean ensure_dir(gboolean sriov, GError **error)
{
  g_autofree char *dir = dir_of(sriov);

  if (g_mkdir_with_parents(dir, 0755) < 0)
    return set_errno_error(error, errno, "create", dir);
  /* the configuration is written after the bind: find out now */
  if (access(dir, W_OK) < 0)
    return set_errno_error(error, errno, "write to", dir);
  return TRUE;
}

gboolean hd_persist_config_ensure_dir(GError **error)
{
  return ensure_dir(FALSE, error);
}

static char *format_id(guint16 id)
{
  return g_strdup_printf("%04x", id);
}

static void set_id(GKeyFile *file, const char *key, guint16 id)
{
  g_autofree char *text = format_id(id);

  g_key_file_set_string(file, GROUP, key, text);
}

/* When and by which version: a hand-written file may have neither. */
static void set_provenance(GKeyFile *file, const HdPersistConfig *config)
{
  g_key_file_set_int64(file, GROUP, "created", config->created);
  if (config->tool_version != NULL)
    g_key_file_set_string(file, GROUP, "tool_version", config->tool_version);
}

static GKeyFile *sriov_to_keyfile(GKeyFile *file, const HdPersistConfig *config)
{
  g_key_file_set_integer(file, GROUP, "numvfs", (int)config->sriov_numvfs);
  if (config->sriov_vfs != NULL)
    g_key_file_set_string_list(file, GROUP, "vfs", (const char *const *)config->sriov_vfs,
                               g_strv_length(config->sriov_vfs));
  set_provenance(file, config);
  g_key_file_set_comment(file, NULL, NULL,
                         " This PF gets numvfs VFs at every boot from vfio-hostdev-persist.service\n"
                         " (`vfio-hostdev persist-apply`) while it has these IDs and no VFs.\n"
                         " Written by `vfio-hostdev sriov --persist`, removed by `vfio-hostdev unpersist`.",
                         NULL);
  return file;
}

static GKeyFile *config_to_keyfile(const HdPersistConfig *config)
{
  GKeyFile *file = g_key_file_new();

  g_key_file_set_integer(file, GROUP, "format", HD_PERSIST_FORMAT);
  g_key_file_set_string(file, GROUP, "address", config->address);
  set_id(file, "vendor_id", config->vendor_id);
  set_id(file, "device_id", config->device_id);
  if (config->has_subsystem) {
    set_id(file, "subsystem_vendor_id", config->subsystem_vendor_id);
    set_id(file, "subsystem_device_id", config->subsystem_device_id);
  }
  if (config->sriov_numvfs > 0)
    return sriov_to_keyfile(file, config);
  g_key_file_set_string(file, GROUP, "driver", config->driver);
  if (config->module != NULL)
    g_key_file_set_string(file, GROUP, "module", config->module);
  if (config->host_module != NULL)
    g_key_file_set_string(file, GROUP, "host_module", config->host_module);
  g_key_file_set_boolean(file, GROUP, "group", config->group);
  g_key_file_set_boolean(file, GROUP, "group_member", config->group_member);
  set_provenance(file, config);
  /* for whoever finds the file in /etc and wonders */
  g_key_file_set_comment(file, NULL, NULL,
                         " Bound to its VFIO driver at every boot by vfio-hostdev-persist.service\n"
                         " (`vfio-hostdev persist-apply`) while the device at this address has these IDs.\n"
                         " Written by `vfio-hostdev bind --persist`, removed by `vfio-hostdev unpersist`.",
                         NULL);
  return file;
}

char *hd_persist_config_to_data(const HdPersistConfig *config, gsize *length)
{
  g_autoptr(GKeyFile) file = config_to_keyfile(config);

  return g_key_file_to_data(file, length, NULL);
}

gboolean hd_persist_config_save(const HdPersistConfig *config, GError **error)
{
  gboolean sriov = config->sriov_numvfs > 0;
  g_autofree char *path = path_in(sriov, config->address);

  if (sriov && !ensure_dir(TRUE, error))
    return FALSE;
  gsize length = 0;
  g_autofree char *data = hd_persist_config_to_data(config, &length);

  return hd_atomic_write(path, data, length, 0644, error);
}

static gboolean damaged(const char *path, const char *why, GError **error)
{
  g_set_error(error, HD_ERROR, HD_ERROR_FAILED,
              "persisted binding %s is damaged (%s); fix it, or remove it with `vfio-hostdev unpersist`", path, why);
  return FALSE;
}

/* 1 to 4 hex digits, "0x" allowed: hand-written files copy from lspci -n. */
static gboolean parse_id(const char *text, guint16 *id)
{
  guint64 value = 0;

  if (text == NULL)
    return FALSE;
  if (g_str_has_prefix(text, "0x") || g_str_has_prefix(text, "0X"))
    text += 2;
  if (*text == '\0' || strlen(text) > 4)
    return FALSE;
  if (!g_ascii_string_to_unsigned(text, 16, 0, G_MAXUINT16, &value, NULL))
    return FALSE;
  *id = (guint16)value;
  return TRUE;
}

static gboolean read_id(GKeyFile *file, const char *key, guint16 *id, const char *path, GError **error)
{
  g_autofree char *text = g_key_file_get_string(file, GROUP, key, NULL);
  g_autofree char *why = NULL;

  if (parse_id(text, id))
    return TRUE;
  why = text == NULL ? g_strdup_printf("no %s", key) : g_strdup_printf("%s=%s is not a 4-digit hex ID", key, text);
  return damaged(path, why, error);
}

/* Both subsystem IDs or neither: half a subsystem would match too much. */
static gboolean read_subsystem(GKeyFile *file, HdPersistConfig *config, const char *path, GError **error)
{
  gboolean has_vendor = g_key_file_has_key(file, GROUP, "subsystem_vendor_id", NULL);
  gboolean has_device = g_key_file_has_key(file, GROUP, "subsystem_device_id", NULL);

  if (!has_vendor && !has_device)
    return TRUE;
  if (has_vendor != has_device)
    return damaged(path, "subsystem_vendor_id and subsystem_device_id go together", error);
  config->has_subsystem = TRUE;
  return read_id(file, "subsystem_vendor_id", &config->subsystem_vendor_id, path, error) &&
         read_id(file, "subsystem_device_id", &config->subsystem_device_id, path, error);
}

/* The address inside must be the one the file is named after: a copied
 * file must not bind the device it was copied from. */
static gboolean check_address(GKeyFile *file, const char *expected, const char *path, GError **error)
{
  g_autofree char *text = g_key_file_get_string(file, GROUP, "address", NULL);
  HdPciAddress address;

  if (text == NULL)
    return damaged(path, "no address", error);
  if (!hd_pci_address_parse(text, &address, NULL))
    return damaged(path, "malformed address", error);
  g_autofree char *canonical = hd_pci_address_to_string(&address);
  if (!g_str_equal(canonical, expected))
    return damaged(path, "its address is not the one in its name", error);
  return TRUE;
}

static gboolean check_format(GKeyFile *file, const char *path, GError **error)
{
  g_autoptr(GError) local = NULL;
  gint format = g_key_file_get_integer(file, GROUP, "format", &local);

  if (g_error_matches(local, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND))
    return TRUE;
  if (local != NULL || format < 1)
    return damaged(path, "malformed format", error);
  if (format > HD_PERSIST_FORMAT) {
    g_autofree char *why = g_strdup_printf("format %d is newer than this version reads (%d)", format,
                                           HD_PERSIST_FORMAT);
    return damaged(path, why, error);
  }
  return TRUE;
}

static void read_optional_fields(GKeyFile *file, HdPersistConfig *config)
{
  config->module = g_key_file_get_string(file, GROUP, "module", NULL);
  config->host_module = g_key_file_get_string(file, GROUP, "host_module", NULL);
  config->group = g_key_file_get_boolean(file, GROUP, "group", NULL);
  config->group_member = g_key_file_get_boolean(file, GROUP, "group_member", NULL);
  config->created = g_key_file_get_int64(file, GROUP, "created", NULL);
  g_free(config->tool_version);
  config->tool_version = g_key_file_get_string(file, GROUP, "tool_version", NULL);
}

/* A PF's VF count: 1 to the PCI limit; its VFs' addresses, when listed,
 * are what `unpersist` of the PF forgets with it. */
static HdPersistConfig *read_sriov(GKeyFile *file, HdPersistConfig *config, const char *path, GError **error)
{
  g_autoptr(HdPersistConfig) owned = config;
  g_autofree char *text = g_key_file_get_string(file, GROUP, "numvfs", NULL);
  guint64 numvfs = 0;
  HdPciAddress vf;

  if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 1, G_MAXUINT16, &numvfs, NULL)) {
    damaged(path, "numvfs is not a count of VFs from 1 to 65535", error);
    return NULL;
  }
  owned->sriov_numvfs = (guint)numvfs;
  owned->sriov_vfs = g_key_file_get_string_list(file, GROUP, "vfs", NULL, NULL);
  for (guint i = 0; owned->sriov_vfs != NULL && owned->sriov_vfs[i] != NULL; i++)
    if (!hd_pci_address_parse(owned->sriov_vfs[i], &vf, NULL)) {
      damaged(path, "vfs lists a malformed address", error);
      return NULL;
    }
  read_optional_fields(file, owned);
  return g_steal_pointer(&owned);
}

HdPersistConfig *hd_persist_config_parse(const char *data, gsize length, gboolean sriov, const char *address,
                                         const char *path, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new();
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_data(file, data, length, G_KEY_FILE_NONE, &local)) {
    damaged(path, local->message, error);
    return NULL;
  }
  if (!check_format(file, path, error) || !check_address(file, address, path, error))
    return NULL;
  g_autoptr(HdPersistConfig) config = hd_persist_config_new(address);
  if (!read_id(file, "vendor_id", &config->vendor_id, path, error) ||
      !read_id(file, "device_id", &config->device_id, path, error) || !read_subsystem(file, config, path, error))
    return NULL;
  if (sriov)
    return read_sriov(file, g_steal_pointer(&config), path, error);
  config->driver = g_key_file_get_string(file, GROUP, "driver", NULL);
  if (config->driver == NULL || *config->driver == '\0') {
    damaged(path, "no driver", error);
    return NULL;
  }
  read_optional_fields(file, config);
  return g_steal_pointer(&config);
}

/* Reads PATH, which must be ADDRESS's file. */
static HdPersistConfig *read_config(gboolean sriov, const char *path, const char *address, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents(path, &data, &length, &local)) {
    damaged(path, local->message, error);
    return NULL;
  }
  return hd_persist_config_parse(data, length, sriov, address, path, error);
}

gboolean hd_persist_config_exists(const char *address)
{
  g_autofree char *path = hd_persist_config_path(address);

  return g_file_test(path, G_FILE_TEST_EXISTS);
}

static HdPersistConfig *load_in(gboolean sriov, const char *address, GError **error)
{
  g_autofree char *path = path_in(sriov, address);


  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return NULL;
  return read_config(sriov, path, address, error);
}

HdPersistConfig *hd_persist_config_load(const char *address, GError **error)
{
  return load_in(FALSE, address, error);
}

HdPersistConfig *hd_persist_sriov_load(const char *address, GError **error)
{
  return load_in(TRUE, address, error);
}

static gboolean remove_in(gboolean sriov, const char *address, GError **error)
{
  g_autofree char *path = path_in(sriov, address);

  if (g_unlink(path) < 0 && errno != ENOENT)
    return set_errno_error(error, errno, "remove", path);
  return TRUE;
}

gboolean hd_persist_config_remove(const char *address, GError **error)
{
  return remove_in(FALSE, address, error);
}

gboolean hd_persist_sriov_remove(const char *address, GError **error)
{
  return remove_in(TRUE, address, error);
}

static gint compare_configs(gconstpointer a, gconstpointer b)
{
  const HdPersistConfig *ca = *(const HdPersistConfig *const *)a;
  const HdPersistConfig *cb = *(const HdPersistConfig *const *)b;
  HdPciAddress pa, pb;

  /* both parsed when they were loaded */
  hd_pci_address_parse(ca->address, &pa, NULL);
  hd_pci_address_parse(cb->address, &pb, NULL);
  return hd_pci_address_compare(&pa, &pb);
}

/* The canonical address a file name stands for, or NULL (with a problem
 * noted) when the name is not "<address>.conf". */
static char *address_of_name(const char *name, const char *path, GPtrArray *problems)
{
  g_autofree char *stem = g_strndup(name, strlen(name) - strlen(SUFFIX));
  HdPciAddress address;
  g_autoptr(GError) error = NULL;

  if (hd_pci_address_parse(stem, &address, NULL))
    return hd_pci_address_to_string(&address);
  damaged(path, "its name is not <address>.conf", &error);
  g_ptr_array_add(problems, g_strdup(error->message));
  return NULL;
}

static void list_one(gboolean sriov, const char *dir_path, const char *name, GPtrArray *configs,
                     GPtrArray *problems)
{
  g_autofree char *path = g_build_filename(dir_path, name, NULL);
  g_autofree char *address = address_of_name(name, path, problems);
  g_autoptr(GError) bad = NULL;

  if (address == NULL)
    return;
  HdPersistConfig *config = read_config(sriov, path, address, &bad);
  if (config != NULL)
    g_ptr_array_add(configs, config);
  else
    g_ptr_array_add(problems, g_strdup(bad->message));
}

static GPtrArray *list_in(gboolean sriov, GPtrArray *problems, GError **error)
{
  g_autofree char *dir_path = dir_of(sriov);
  g_autoptr(GPtrArray) configs = g_ptr_array_new_with_free_func((GDestroyNotify)hd_persist_config_free);
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, &local);
  const char *name;

  if (dir == NULL) {
    /* nothing was ever persisted */
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return g_steal_pointer(&configs);
    g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
  }
  /* only "*.conf": editors' backups and atomic-write temporaries are not ours to read */
  while ((name = g_dir_read_name(dir)) != NULL)
    if (g_str_has_suffix(name, SUFFIX) && !g_str_has_prefix(name, "."))
      list_one(sriov, dir_path, name, configs, problems);
  g_ptr_array_sort(configs, compare_configs);
  return g_steal_pointer(&configs);
}

GPtrArray *hd_persist_config_list(GPtrArray *problems, GError **error)
{
  return list_in(FALSE, problems, error);
}

GPtrArray *hd_persist_sriov_list(GPtrArray *problems, GError **error)
{
  return list_in(TRUE, problems, error);
}

char *hd_persist_config_ids(const HdPersistConfig *config)
{
  if (!config->has_subsystem)
    return g_strdup_printf("%04x:%04x", config->vendor_id, config->device_id);
  return g_strdup_printf("%04x:%04x (subsystem %04x:%04x)", config->vendor_id, config->device_id,
                         config->subsystem_vendor_id, config->subsystem_device_id);
}
