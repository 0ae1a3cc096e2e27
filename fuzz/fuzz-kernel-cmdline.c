// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel command line splitter on any bytes: never crashes, never
 * yields more parameters than bytes, and the last parameter's first value
 * word (when it has one) is found by hd_cmdline_has_word: the last
 * occurrence decides. */
#include <string.h>

#include "fuzz-common.h"
#include "util/kernel-cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_string(data, size);
  g_autoptr(HdCmdline) cmdline = hd_cmdline_parse(text);
  guint n = hd_cmdline_n_params(cmdline);

  FUZZ_ASSERT(n <= size);
  if (n == 0)
    return 0;
  const char *name = hd_cmdline_name(cmdline, n - 1);
  const char *value = hd_cmdline_value(cmdline, n - 1);
  if (value == NULL) {
    FUZZ_ASSERT(!hd_cmdline_has_word(cmdline, name, ""));
    return 0;
  }
  g_autofree char *first = g_strndup(value, strcspn(value, ","));
  /* an empty value ("name=") holds no word */
  FUZZ_ASSERT(first[0] == '\0' || hd_cmdline_has_word(cmdline, name, first));
  return 0;
}
