// SPDX-License-Identifier: LGPL-2.1-or-later
/* A persisted binding (/etc/vfio-hostdev/devices/<address>.conf, written by
 * `bind --persist`, or by hand) and a PF's persisted VF count
 * (/etc/vfio-hostdev/sriov/<address>.conf) from hostile input: the first
 * byte says which (odd: a VF count), the rest is the file. Never crashes or
 * leaks; an accepted file is ADDRESS's, with a driver or a count; writing
 * it out and parsing that again gives the same text (what persist-apply
 * reads at boot is what was saved). */
#include "fuzz-common.h"
#include "hostdev/persist/persist-config.h"

#include <string.h>

#define ADDRESS "0000:01:00.0"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  gsize length = 0, again_length = 0;

  if (size == 0)
    return 0;
  gboolean sriov = (data[0] & 1) != 0;
  g_autoptr(HdPersistConfig) config =
    hd_persist_config_parse((const char *)data + 1, size - 1, sriov, ADDRESS, "fuzz", &error);
  FUZZ_ASSERT((config == NULL) == (error != NULL));
  if (config == NULL)
    return 0;
  FUZZ_ASSERT(g_str_equal(config->address, ADDRESS));
  FUZZ_ASSERT(sriov ? config->sriov_numvfs > 0 : config->driver != NULL && config->driver[0] != '\0');
  g_autofree char *text = hd_persist_config_to_data(config, &length);
  g_autoptr(HdPersistConfig) reparsed = hd_persist_config_parse(text, length, sriov, ADDRESS, "fuzz-again", NULL);
  FUZZ_ASSERT(reparsed != NULL);
  FUZZ_ASSERT(reparsed->vendor_id == config->vendor_id && reparsed->device_id == config->device_id);
  FUZZ_ASSERT(reparsed->sriov_numvfs == config->sriov_numvfs);
  g_autofree char *again = hd_persist_config_to_data(reparsed, &again_length);
  FUZZ_ASSERT(again_length == length && memcmp(again, text, length) == 0);
  return 0;
}
