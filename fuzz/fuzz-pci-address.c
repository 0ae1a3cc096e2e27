// SPDX-License-Identifier: LGPL-2.1-or-later
/* hd_pci_address_parse on any bytes: never crashes, and whatever it
 * accepts formats canonically and parses back to the same address. */
#include <stdint.h>
#include <string.h>

#include "fuzz-common.h"
#include "util/pci-address.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_string(data, size);
  g_autoptr(GError) error = NULL;
  char buf[HD_PCI_ADDRESS_STRLEN];
  HdPciAddress address, again;

  if (!hd_pci_address_parse(text, &address, &error)) {
    /* a rejection is one line naming the input */
    FUZZ_ASSERT(error != NULL && error->message != NULL);
    return 0;
  }
  FUZZ_ASSERT(error == NULL);
  FUZZ_ASSERT(address.slot <= 0x1f && address.function <= 7);
  hd_pci_address_format(&address, buf);
  FUZZ_ASSERT(strlen(buf) < HD_PCI_ADDRESS_STRLEN);
  FUZZ_ASSERT(hd_pci_address_parse(buf, &again, NULL));
  FUZZ_ASSERT(hd_pci_address_equal(&address, &again));
  FUZZ_ASSERT(hd_pci_address_compare(&address, &again) == 0);
  g_autofree char *copy = hd_pci_address_to_string(&address);
  FUZZ_ASSERT(strcmp(copy, buf) == 0);
  return 0;
}
