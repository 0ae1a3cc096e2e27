// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel config parser on any bytes: never crashes, and the last line
 * decides its symbol when it is an assignment "CONFIG_X=VALUE" (y:
 * built in, m: module, n or empty: not set, else a value), as the last
 * assignment does for Kconfig. */
#include <string.h>

#include "fuzz-common.h"
#include "hostdev/doctor/kernel-config.h"

static HdKconfigState state_of(const char *value)
{
  if (value[0] == '\0' || strcmp(value, "n") == 0)
    return HD_KCONFIG_NOT_SET;
  if (strcmp(value, "m") == 0)
    return HD_KCONFIG_MODULE;
  return strcmp(value, "y") == 0 ? HD_KCONFIG_BUILTIN : HD_KCONFIG_VALUE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_string(data, size);
  g_autoptr(HdKernelConfig) config = hd_kernel_config_parse(text, "fuzz");
  const char *newline = strrchr(text, '\n');
  g_autofree char *last = g_strchomp(g_strdup(newline != NULL ? newline + 1 : text));
  const char *equals = strchr(last, '=');

  FUZZ_ASSERT(strcmp(hd_kernel_config_source(config), "fuzz") == 0);
  if (!g_str_has_prefix(last, "CONFIG_") || equals == NULL)
    return 0;
  g_autofree char *symbol = g_strndup(last, equals - last);
  FUZZ_ASSERT(hd_kernel_config_get(config, symbol) == state_of(equals + 1));
  return 0;
}
