// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/manager.h"

#include <stdio.h>

#include "util/fd-holders.h"
#include "util/kernel-release.h"

#define VFIO_ALIAS_PREFIX "vfio_pci:"

struct _HdManager {
  char *release;
  char *modules_dir;
  HdAliasTable *aliases; /* NULL until first use */
  GPtrArray *alias_sources;
  char *alias_problem;
  HdUdev *udev;
  GPtrArray *warnings;
  HdFdScan *fd_scan; /* NULL until first use */
  GMutex fd_scan_lock;
  GHashTable *once; /* key -> OnceValue*: hd_manager_once() */
  GMutex once_lock;
};

typedef struct {
  gpointer value;
  GDestroyNotify destroy;
} OnceValue;

static void once_value_free(OnceValue *once)
{
  if (once->destroy != NULL)
    once->destroy(once->value);
  g_free(once);
}

HdManager *hd_manager_new(const char *modules_dir, GError **error)
{
  g_autofree char *release = hd_kernel_release(error);

  if (release == NULL)
    return NULL;
  HdManager *self = g_new0(HdManager, 1);
  self->modules_dir = modules_dir != NULL ? g_strdup(modules_dir) : g_build_filename("/lib/modules", release, NULL);
  self->release = g_steal_pointer(&release);
  self->alias_sources = g_ptr_array_new_with_free_func(g_free);
  self->warnings = g_ptr_array_new_with_free_func(g_free);
  self->once = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)once_value_free);
  return self;
}

void hd_manager_free(HdManager *self)
{
  if (self == NULL)
    return;
  g_free(self->release);
  g_free(self->modules_dir);
  g_clear_pointer(&self->aliases, hd_alias_table_free);
  g_ptr_array_unref(self->alias_sources);
  g_free(self->alias_problem);
  g_clear_pointer(&self->udev, hd_udev_free);
  g_ptr_array_unref(self->warnings);
  g_clear_pointer(&self->fd_scan, hd_fd_scan_free);
  g_mutex_clear(&self->fd_scan_lock);
  g_hash_table_unref(self->once);
  g_mutex_clear(&self->once_lock);
  g_free(self);
}

const HdFdScan *hd_manager_fd_scan(HdManager *self)
{
  g_mutex_lock(&self->fd_scan_lock);
  if (self->fd_scan == NULL)
    self->fd_scan = hd_fd_scan_new();
  g_mutex_unlock(&self->fd_scan_lock);
  return self->fd_scan;
}

gpointer hd_manager_once(HdManager *self, const char *key, HdManagerLoad load, GDestroyNotify destroy)
{
  OnceValue *once;

  g_mutex_lock(&self->once_lock);
  once = g_hash_table_lookup(self->once, key);
  if (once == NULL) {
    once = g_new0(OnceValue, 1);
    once->value = load();
    once->destroy = destroy;
    g_hash_table_insert(self->once, g_strdup(key), once);
  }
  g_mutex_unlock(&self->once_lock);
  return once->value;
}

void hd_manager_forget_fd_scan(HdManager *self)
{
  g_mutex_lock(&self->fd_scan_lock);
  g_clear_pointer(&self->fd_scan, hd_fd_scan_free);
  g_mutex_unlock(&self->fd_scan_lock);
}

const char *hd_manager_kernel_release(HdManager *self)
{
  return self->release;
}

const char *hd_manager_modules_dir(HdManager *self)
{
  return self->modules_dir;
}

/* The running kernel is Linux >= WANT_MAJOR.WANT_MINOR by its release. */
static gboolean kernel_at_least(HdManager *self, unsigned want_major, unsigned want_minor)
{
  unsigned major = 0, minor = 0;

  if (sscanf(self->release, "%u.%u", &major, &minor) != 2)
    return TRUE; /* unparsable release: assume a current kernel */
  return major > want_major || (major == want_major && minor >= want_minor);
}

gboolean hd_manager_kernel_has_vfio_dev(HdManager *self)
{
  return kernel_at_least(self, 6, 1);
}

gboolean hd_manager_kernel_has_vfio_aliases(HdManager *self)
{
  return kernel_at_least(self, 5, 16);
}

/* Loads one alias file; returns FALSE (with the reason in *problem) when it
 * cannot be read. */
static gboolean load_alias_file(HdManager *self, const char *name, char **problem)
{
  g_autofree char *path = g_build_filename(self->modules_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!hd_alias_table_load(self->aliases, path, VFIO_ALIAS_PREFIX, &error)) {
    *problem = g_strdup(error->message);
    return FALSE;
  }
  g_ptr_array_add(self->alias_sources, g_steal_pointer(&path));
  return TRUE;
}

const HdAliasTable *hd_manager_vfio_aliases(HdManager *self)
{
  g_autofree char *builtin_problem = NULL;

  if (self->aliases != NULL)
    return self->aliases;
  self->aliases = hd_alias_table_new();
  /* Without modules.alias the choice falls back to vfio_pci, as documented:
   * a partial view from the builtin list alone could pick differently from
   * what the complete one would. */
  if (!load_alias_file(self, "modules.alias", &self->alias_problem))
    return self->aliases;
  /* modules.builtin.alias is absent on kernels before 5.11: not a problem. */
  load_alias_file(self, "modules.builtin.alias", &builtin_problem);
  return self->aliases;
}

const char *hd_manager_alias_problem(HdManager *self)
{
  hd_manager_vfio_aliases(self);
  return self->alias_problem;
}

const char *hd_manager_alias_source_name(HdManager *self, guint source)
{
  if (source >= self->alias_sources->len)
    return "?";
  return g_ptr_array_index(self->alias_sources, source);
}

HdUdev *hd_manager_udev(HdManager *self, GError **error)
{
  if (self->udev == NULL)
    self->udev = hd_udev_new(error);
  return self->udev;
}

void hd_manager_warn(HdManager *self, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start(args, format);
  text = g_strdup_vprintf(format, args);
  va_end(args);
  for (guint i = 0; i < self->warnings->len; i++)
    if (g_str_equal(g_ptr_array_index(self->warnings, i), text))
      return;
  g_ptr_array_add(self->warnings, g_steal_pointer(&text));
}

const GPtrArray *hd_manager_warnings(HdManager *self)
{
  return self->warnings;
}
