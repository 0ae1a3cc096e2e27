// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/shared/host-use.h"

#include <stdlib.h>

#include "hostdev/shared/deny-list.h"
#include "hostdev/shared/host-use-checks.h"
#include "util/string-list.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

/* Every check, in the order their findings are reported. */
static const HdHostUseCheck checks[] = {
  hd_host_use_block,
  hd_host_use_network,
  hd_host_use_network_storage,
  hd_host_use_display,
  hd_host_use_nodes,
};

void hd_host_user_free(HdHostUser *user)
{
  if (user == NULL)
    return;
  g_free(user->chain);
  g_free(user);
}

void hd_host_user_add(GPtrArray *users, HdHostUseKind kind, gboolean overridable, const char *format, ...)
{
  HdHostUser *user = g_new0(HdHostUser, 1);
  va_list args;

  va_start(args, format);
  user->chain = g_strdup_vprintf(format, args);
  va_end(args);
  user->kind = kind;
  user->overridable = overridable;
  g_ptr_array_add(users, user);
}

GPtrArray *hd_host_use(HdManager *manager, const HdDevice *device)
{
  GPtrArray *users = g_ptr_array_new_with_free_func((GDestroyNotify)hd_host_user_free);

  hd_deny_list_check(manager, device, users);
  for (guint i = 0; i < G_N_ELEMENTS(checks); i++)
    checks[i](manager, device, users);
  return users;
}

/* The refusal's sentences; HINTS says what --force does, for a command that
 * has it. */
static char *refusal_text(const HdDevice *device, const GPtrArray *users, gboolean force, GPtrArray *forced,
                          gboolean hints)
{
  g_autoptr(GPtrArray) denied = g_ptr_array_new();
  g_autoptr(GPtrArray) used = g_ptr_array_new();
  g_autoptr(GPtrArray) sentences = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < users->len; i++) {
    const HdHostUser *user = g_ptr_array_index(users, i);
    if (!user->overridable)
      g_ptr_array_add(denied, user->chain);
    else if (force)
      g_ptr_array_add(forced, g_strdup(user->chain));
    else
      g_ptr_array_add(used, user->chain);
  }
  if (denied->len > 0) {
    g_autofree char *why = hd_string_list_join(denied, ", ");
    g_ptr_array_add(sentences, g_strdup_printf("%s is protected: %s%s", device->address, why,
                                               hints ? "; --force does not override this" : ""));
  }
  if (used->len > 0) {
    g_autofree char *why = hd_string_list_join(used, ", ");
    g_ptr_array_add(sentences, g_strdup_printf("the host is using %s (%s): %s%s", device->address,
                                               device->driver != NULL ? device->driver : "no driver", why,
                                               hints ? "; --force unbinds it anyway" : ""));
  }
  return sentences->len > 0 ? hd_string_list_join(sentences, "; ") : NULL;
}

char *hd_host_use_refusal(const HdDevice *device, const GPtrArray *users, gboolean force, GPtrArray *forced)
{
  return refusal_text(device, users, force, forced, TRUE);
}

char *hd_host_use_refusal_unforceable(const HdDevice *device, const GPtrArray *users)
{
  return refusal_text(device, users, FALSE, NULL, FALSE);
}

/* TRUE when the class device CLS/NAME sits in sysfs below DEVICE (its
 * resolved path is inside the device's directory). */
static gboolean class_entry_on(const HdDevice *device, const char *cls, const char *name)
{
  g_autofree char *path = hd_path_class(cls, name, NULL);
  g_autofree char *resolved = realpath(path, NULL);
  g_autofree char *prefix = g_strconcat(device->syspath, "/", NULL);

  if (resolved == NULL || device->syspath == NULL)
    return FALSE;
  return g_str_equal(resolved, device->syspath) || g_str_has_prefix(resolved, prefix);
}

GPtrArray *hd_host_use_class_entries(const HdDevice *device, const char *cls)
{
  g_autofree char *dir = hd_path_class(cls, NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(dir, NULL);
  GPtrArray *found = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; names != NULL && i < names->len; i++)
    if (class_entry_on(device, cls, g_ptr_array_index(names, i)))
      g_ptr_array_add(found, g_strdup(g_ptr_array_index(names, i)));
  return found;
}
