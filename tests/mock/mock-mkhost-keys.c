// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost-keys.c: the fixture-key helpers of mock-mkhost's usage
 * pieces: errors, strings, booleans and lists of a device group's keys,
 * the check that KIND.NAME.PROP keys refer to something declared, and a
 * [driver]'s migration= words. */
#include "mock-mkhost-keys.h"

#include "mock-tree.h"

#include <string.h>

gboolean mk_fail(GError **error, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start(ap, fmt);
  msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, msg);
  return FALSE;
}

gboolean mk_check(int rc, const char *what, GError **error)
{
  return rc >= 0 || mk_fail(error, "%s: %s", what, g_strerror(-rc));
}

char *mk_key_str(GKeyFile *kf, const char *group, const char *key, const char *def)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);

  return v != NULL ? g_strstrip(v) : g_strdup(def);
}

gboolean mk_key_bool(GKeyFile *kf, const char *group, const char *key, gboolean def, GError **error,
                     gboolean *out)
{
  g_autofree char *v = mk_key_str(kf, group, key, NULL);

  *out = def;
  if (v == NULL || v[0] == '\0')
    return TRUE;
  if (g_ascii_strcasecmp(v, "true") == 0 || g_ascii_strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp(v, "false") == 0 || g_ascii_strcasecmp(v, "no") == 0 || strcmp(v, "0") == 0)
    *out = FALSE;
  else
    return mk_fail(error, "[%s] %s: not a boolean: %s", group, key, v);
  return TRUE;
}

GStrv mk_key_list(GKeyFile *kf, const char *group, const char *key)
{
  g_auto(GStrv) raw = g_key_file_get_string_list(kf, group, key, NULL, NULL);
  g_autoptr(GStrvBuilder) list = g_strv_builder_new();

  for (char **v = raw; v != NULL && *v != NULL; v++)
    if (*g_strstrip(*v) != '\0')
      g_strv_builder_add(list, *v);
  return g_strv_builder_end(list);
}

gboolean mk_check_keys(GKeyFile *kf, const char *group, const char *kind, const char *const *names,
                       const char *const *props, GError **error)
{
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  g_autofree char *prefix = g_strconcat(kind, ".", NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++) {
    if (!g_str_has_prefix(*k, prefix))
      continue;
    const char *dot = strrchr(*k, '.');
    g_autofree char *name = g_strndup(*k + strlen(prefix), (gsize)MAX(dot - *k - (gssize)strlen(prefix), 0));
    if (!g_strv_contains(names, name))
      return mk_fail(error, "[%s] %s: %s is not one of its %s= entries", group, *k, name, kind);
    if (!g_strv_contains(props, dot + 1))
      return mk_fail(error, "[%s] %s: unknown property %s", group, *k, dot + 1);
  }
  return TRUE;
}

gboolean mk_key_migration(GKeyFile *kf, const char *group, unsigned *out, GError **error)
{
  g_autofree char *text = mk_key_str(kf, group, "migration", "");
  g_auto(GStrv) words = g_strsplit_set(text, " ,", -1);

  *out = 0;
  for (char **w = words; *w != NULL; w++) {
    if (**w == '\0')
      continue;
    if (g_str_equal(*w, "stop-copy"))
      *out |= MT_MIG_STOP_COPY;
    else if (g_str_equal(*w, "p2p"))
      *out |= MT_MIG_P2P;
    else if (g_str_equal(*w, "pre-copy"))
      *out |= MT_MIG_PRE_COPY;
    else if (g_str_equal(*w, "dirty-tracking"))
      *out |= MT_MIG_DIRTY_TRACKING;
    else
      return mk_fail(error, "[%s] migration: unknown \"%s\"", group, *w);
  }
  return TRUE;
}
