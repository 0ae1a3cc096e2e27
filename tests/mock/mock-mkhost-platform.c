// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost-platform.c: see mock-mkhost-platform.h. */
#include "mock-mkhost-platform.h"
#include "mock-tree.h"
#include "mock-mkhost-keys.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

static gboolean fail(GError **error, const char *what, int rc)
{
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", what, g_strerror(-rc));
  return FALSE;
}

static char *get_str(GKeyFile *kf, const char *key)
{
  char *value = g_key_file_get_string(kf, "host", key, NULL);

  return value != NULL ? g_strstrip(value) : NULL;
}

/* TEXT gzipped as the kernel's IKCONFIG_PROC serves it. */
static GBytes *gzip(const char *text, GError **error)
{
  g_autoptr(GConverter) compressor = G_CONVERTER(g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1));
  g_autoptr(GInputStream) raw = g_memory_input_stream_new_from_data(text, (gssize)strlen(text), NULL);
  g_autoptr(GInputStream) stream = g_converter_input_stream_new(raw, compressor);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();

  if (g_output_stream_splice(out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
    return NULL;
  return g_memory_output_stream_steal_as_bytes(G_MEMORY_OUTPUT_STREAM(out));
}

/* kernel-config=boot (default when STEM.kconfig exists), proc or none. */
static gboolean write_kernel_config(GKeyFile *kf, const char *stem, const char *release, GError **error)
{
  g_autofree char *where = get_str(kf, "kernel-config");
  g_autofree char *source = g_strdup_printf("%s.kconfig", stem);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) compressed = NULL;
  g_autofree char *rel = NULL;
  int rc;

  if (g_strcmp0(where, "none") == 0)
    return TRUE;
  if (!g_file_get_contents(source, &text, NULL, NULL)) {
    if (where == NULL)
      return TRUE;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "kernel-config=%s needs %s", where, source);
    return FALSE;
  }
  if (where == NULL || strcmp(where, "boot") == 0) {
    rel = g_strdup_printf("/boot/config-%s", release);
    rc = mt_write(rel, text);
    return rc >= 0 || fail(error, rel, rc);
  }
  if (strcmp(where, "proc") != 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "kernel-config=%s: boot, proc or none", where);
    return FALSE;
  }
  compressed = gzip(text, error);
  if (compressed == NULL)
    return FALSE;
  rc = mt_write_bytes("/proc/config.gz", g_bytes_get_data(compressed, NULL), g_bytes_get_size(compressed), 0444);
  return rc >= 0 || fail(error, "/proc/config.gz", rc);
}

/* One processor's block of /proc/cpuinfo, as much as anyone parses. */
static gboolean write_cpuinfo(GKeyFile *kf, GError **error)
{
  g_autofree char *flags = get_str(kf, "cpu-flags");
  g_autofree char *vendor = get_str(kf, "cpu-vendor");
  int rc;

  if (flags == NULL && vendor == NULL)
    return TRUE;
  rc = mt_writef("/proc/cpuinfo",
                 "processor\t: 0\nvendor_id\t: %s\ncpu family\t: 6\nmodel name\t: %s\n"
                 "flags\t\t: %s\n\n",
                 vendor != NULL ? vendor : "GenuineIntel", "Mock CPU", flags != NULL ? flags : "fpu");
  return rc >= 0 || fail(error, "/proc/cpuinfo", rc);
}

/* /sys/class/dmi/id is a link to the virtual dmi device, as in the kernel. */
static gboolean write_dmi(GKeyFile *kf, GError **error)
{
  g_autofree char *vendor = get_str(kf, "dmi-sys-vendor");
  g_autofree char *product = get_str(kf, "dmi-product-name");
  int rc;

  if (vendor == NULL && product == NULL)
    return TRUE;
  mt_mkdir_p("/sys/devices/virtual/dmi/id");
  mt_mkdir_p("/sys/class/dmi");
  if ((rc = mt_link("/sys/class/dmi/id", "/sys/devices/virtual/dmi/id")) < 0 ||
      (rc = mt_writef("/sys/devices/virtual/dmi/id/sys_vendor", "%s\n", vendor != NULL ? vendor : "")) < 0 ||
      (rc = mt_writef("/sys/devices/virtual/dmi/id/product_name", "%s\n", product != NULL ? product : "")) < 0)
    return fail(error, "/sys/class/dmi/id", rc);
  return TRUE;
}

/* acpi-tables=SIG;SIG...: the firmware's ACPI tables (empty files). */
static gboolean write_acpi_tables(GKeyFile *kf, GError **error)
{
  g_auto(GStrv) tables = g_key_file_get_string_list(kf, "host", "acpi-tables", NULL, NULL);

  for (char **table = tables; table != NULL && *table != NULL; table++) {
    g_autofree char *rel = g_strdup_printf("/sys/firmware/acpi/tables/%s", g_strstrip(*table));
    int rc = mt_write_bytes(rel, "", 0, 0400);
    if (rc < 0)
      return fail(error, rel, rc);
  }
  return TRUE;
}

gboolean mk_platform_write(GKeyFile *kf, const char *stem, const char *release, GError **error)
{
  return write_kernel_config(kf, stem, release, error) && write_cpuinfo(kf, error) && write_dmi(kf, error) &&
         write_acpi_tables(kf, error);
}

/* Linux >= MAJOR.MINOR by the release string. */
static gboolean release_at_least(const char *release, guint major, guint minor)
{
  guint have_major = 0, have_minor = 0;

  if (sscanf(release, "%u.%u", &have_major, &have_minor) != 2)
    return TRUE;
  return have_major > major || (have_major == major && have_minor >= minor);
}

/* As mock-mkhost.c reads booleans: true, yes or 1 (any case); unset: DEF. */
static gboolean host_bool(GKeyFile *kf, const char *key, gboolean def)
{
  g_autofree char *v = get_str(kf, key);

  if (v == NULL || v[0] == '\0')
    return def;
  return g_ascii_strcasecmp(v, "true") == 0 || g_ascii_strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0;
}

gboolean mk_platform_vfio_model(GKeyFile *kf, const char *release, gboolean *vfio_dev, gboolean *group,
                                gboolean *cdev, GError **error)
{
  *vfio_dev = release_at_least(release, 6, 1);
  *group = host_bool(kf, "vfio-group", TRUE);
  *cdev = host_bool(kf, "vfio-cdev", FALSE);
  if (*cdev && !release_at_least(release, 6, 6))
    return mk_fail(error, "[host] vfio-cdev=true needs a release >= 6.6 (CONFIG_VFIO_DEVICE_CDEV)");
  if (!*group && !*cdev)
    return mk_fail(error, "[host] vfio-group=false needs vfio-cdev=true (Kconfig selects the cdev)");
  if (!*group && host_bool(kf, "dev-vfio", FALSE))
    return mk_fail(error, "[host] vfio-group=false has no /dev/vfio/vfio: drop dev-vfio=true");
  return TRUE;
}
