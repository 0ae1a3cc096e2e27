// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/doctor/kernel-config.h"

#include <gio/gio.h>
#include <string.h>

#include "util/host-paths.h"

struct _HdKernelConfig {
  char *source;
  GHashTable *symbols; /* "CONFIG_X" -> value; "" for "is not set" */
};

/* "# CONFIG_X is not set": the symbol, or NULL for any other comment. */
static char *not_set_symbol(const char *line)
{
  const char *start = line + strlen("# ");
  const char *end;

  /* the prefix first: START is inside LINE only then */
  if (!g_str_has_prefix(line, "# CONFIG_"))
    return NULL;
  end = strstr(start, " is not set");
  if (end == NULL || end[strlen(" is not set")] != '\0')
    return NULL;
  return g_strndup(start, end - start);
}

HdKernelConfig *hd_kernel_config_parse(const char *text, const char *source)
{
  HdKernelConfig *config = g_new0(HdKernelConfig, 1);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

  config->source = g_strdup(source);
  config->symbols = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  for (char **line = lines; *line != NULL; line++) {
    char *equals = strchr(*line, '=');
    char *unset = NULL;

    g_strchomp(*line);
    if (g_str_has_prefix(*line, "CONFIG_") && equals != NULL)
      g_hash_table_replace(config->symbols, g_strndup(*line, equals - *line), g_strdup(equals + 1));
    else if ((unset = not_set_symbol(*line)) != NULL)
      g_hash_table_replace(config->symbols, unset, g_strdup(""));
  }
  return config;
}

/* The gunzipped contents of PATH, or NULL. */
static char *read_gzip(const char *path)
{
  g_autofree char *compressed = NULL;
  gsize length = 0;
  g_autoptr(GConverter) gunzip = G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  g_autoptr(GInputStream) raw = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();

  if (!g_file_get_contents(path, &compressed, &length, NULL))
    return NULL;
  raw = g_memory_input_stream_new_from_data(g_steal_pointer(&compressed), (gssize)length, g_free);
  stream = g_converter_input_stream_new(raw, gunzip);
  /* the text is used as a string: end it with a NUL before closing */
  if (g_output_stream_splice(out, stream, G_OUTPUT_STREAM_SPLICE_NONE, NULL, NULL) < 0 ||
      !g_output_stream_write_all(out, "", 1, NULL, NULL, NULL) || !g_output_stream_close(out, NULL, NULL))
    return NULL;
  return g_memory_output_stream_steal_data(G_MEMORY_OUTPUT_STREAM(out));
}

HdKernelConfig *hd_kernel_config_read(const char *release)
{
  g_autofree char *boot = hd_path_boot_config(release);
  g_autofree char *proc = hd_path_proc_config();
  g_autofree char *text = NULL;

  if (g_file_get_contents(boot, &text, NULL, NULL))
    return hd_kernel_config_parse(text, boot);
  text = read_gzip(proc);
  return text != NULL ? hd_kernel_config_parse(text, proc) : NULL;
}

void hd_kernel_config_free(HdKernelConfig *config)
{
  if (config == NULL)
    return;
  g_free(config->source);
  g_hash_table_unref(config->symbols);
  g_free(config);
}

HdKconfigState hd_kernel_config_get(const HdKernelConfig *config, const char *symbol)
{
  const char *value = g_hash_table_lookup(config->symbols, symbol);

  if (value == NULL)
    return HD_KCONFIG_ABSENT;
  if (value[0] == '\0' || strcmp(value, "n") == 0)
    return HD_KCONFIG_NOT_SET;
  if (strcmp(value, "m") == 0)
    return HD_KCONFIG_MODULE;
  return strcmp(value, "y") == 0 ? HD_KCONFIG_BUILTIN : HD_KCONFIG_VALUE;
}

gboolean hd_kernel_config_enabled(const HdKernelConfig *config, const char *symbol)
{
  HdKconfigState state = hd_kernel_config_get(config, symbol);

  return state == HD_KCONFIG_MODULE || state == HD_KCONFIG_BUILTIN;
}

const char *hd_kernel_config_source(const HdKernelConfig *config)
{
  return config->source;
}
