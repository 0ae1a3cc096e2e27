// SPDX-License-Identifier: LGPL-2.1-or-later
/* The per-device state record (/run/vfio-hostdev/<address>.record) from
 * hostile input: never crashes or leaks; a record it accepts has a
 * canonical PCI address, and writing it out and parsing that again gives
 * the same text (what recovery reads back is what was saved). */
#include "hostdev/shared/device-record.h"
#include "fuzz-common.h"
#include "util/pci-address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HdDeviceRecord) record = hd_record_parse((const char *)data, size, "fuzz", &error);
  gsize length = 0, again_length = 0;

  FUZZ_ASSERT((record == NULL) == (error != NULL));
  if (record == NULL)
    return 0;
  FUZZ_ASSERT(hd_pci_address_is_canonical(record->address));
  g_autofree char *text = hd_record_to_data(record, &length);
  g_autoptr(HdDeviceRecord) reparsed = hd_record_parse(text, length, "fuzz-again", NULL);
  FUZZ_ASSERT(reparsed != NULL);
  FUZZ_ASSERT(g_str_equal(reparsed->address, record->address));
  FUZZ_ASSERT(reparsed->state == record->state);
  g_autofree char *again = hd_record_to_data(reparsed, &again_length);
  FUZZ_ASSERT(again_length == length && memcmp(again, text, length) == 0);
  return 0;
}
