// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/qemu-version.h"

#include "util/hd-error.h"

#define VERSION_PREFIX "QEMU emulator version "

gboolean hd_qemu_version_known(const HdQemuVersion *version)
{
  return version->major > 0 || version->minor > 0;
}

gboolean hd_qemu_version_at_least(const HdQemuVersion *version, guint major, guint minor)
{
  return version->major > major || (version->major == major && version->minor >= minor);
}

/* One decimal component at *TEXT, at most 4 digits; moves *TEXT past it. */
static gboolean parse_component(const char **text, guint *out)
{
  guint value = 0, digits = 0;

  for (; g_ascii_isdigit(**text) && digits < 4; (*text)++, digits++)
    value = value * 10 + (guint)(**text - '0');
  *out = value;
  return digits > 0 && !g_ascii_isdigit(**text);
}

/* "X.Y" or "X.Y.Z" at TEXT, followed by END (NUL, or anything for the
 * binary's answer, which may go on with a package name). */
static gboolean parse_numbers(const char *text, gboolean to_end, HdQemuVersion *out)
{
  guint micro;

  if (!parse_component(&text, &out->major) || *text++ != '.' || !parse_component(&text, &out->minor))
    return FALSE;
  if (*text == '.' && (text++, !parse_component(&text, &micro)))
    return FALSE;
  return (!to_end || *text == '\0') && hd_qemu_version_known(out);
}

gboolean hd_qemu_version_parse(const char *text, HdQemuVersion *out, GError **error)
{
  if (!parse_numbers(text, TRUE, out)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "QEMU version \"%s\" is not X.Y or X.Y.Z", text);
    return FALSE;
  }
  return TRUE;
}

gboolean hd_qemu_version_query(const char *qemu, HdQemuVersion *out, GError **error)
{
  const char *argv[] = {qemu, "-version", NULL};
  g_autofree char *text = NULL;
  g_autoptr(GError) spawn_error = NULL;
  int status;

  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &text, NULL, &status,
                    &spawn_error)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "cannot run %s -version: %s", qemu, spawn_error->message);
    return FALSE;
  }
  if (!g_spawn_check_wait_status(status, NULL) || !g_str_has_prefix(text, VERSION_PREFIX) ||
      !parse_numbers(text + strlen(VERSION_PREFIX), FALSE, out)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s -version did not answer \"" VERSION_PREFIX "X.Y.Z\"", qemu);
    return FALSE;
  }
  return TRUE;
}
