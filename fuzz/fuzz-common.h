/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the fuzz targets share: turning the fuzzer's bytes into C strings
 * and asserting properties (a failed property aborts, which libFuzzer
 * reports as a crash with the input saved). */
#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(condition)                                                                           \
  do {                                                                                                   \
    if (!(condition)) {                                                                                  \
      fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition);                   \
      abort();                                                                                           \
    }                                                                                                    \
  } while (0)

/* DATA as a NUL-terminated string (a NUL inside ends it early, as it
 * would for any C caller). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
  return g_strndup((const char *)data, size);
}
