// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvirt domain XML (<hostdev> elements) from hostile input: never
 * crashes or leaks, and every address it returns is a valid PCI address. */
#include "hostdev/managed/domain-xml.h"
#include "fuzz-common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = hd_domain_xml_parse((const char *)data, size, "fuzz", &error);
  char buf[HD_PCI_ADDRESS_STRLEN];
  HdPciAddress again;

  FUZZ_ASSERT((specs == NULL) == (error != NULL));
  for (guint i = 0; specs != NULL && i < specs->len; i++) {
    const HdHostdevSpec *spec = g_ptr_array_index(specs, i);
    FUZZ_ASSERT(hd_pci_address_parse(hd_pci_address_format(&spec->address, buf), &again, NULL));
    FUZZ_ASSERT(hd_pci_address_equal(&spec->address, &again));
  }
  return 0;
}
