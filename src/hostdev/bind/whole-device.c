// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/bind/whole-device.h"

#include "hostdev/device/functions.h"
#include "util/pci-address.h"

/* The canonical form, so that "01:00.0" and "0000:01:00.0" are one device. */
static char *canonical(const char *address)
{
  HdPciAddress parsed;

  return hd_pci_address_parse(address, &parsed, NULL) ? hd_pci_address_to_string(&parsed) : NULL;
}

GArray *hd_bind_requests_whole_devices(const HdBindRequest *requests, guint n_requests, GPtrArray *names)
{
  g_autoptr(GHashTable) named = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GArray *grown = g_array_new(FALSE, TRUE, sizeof(HdBindRequest));

  for (guint i = 0; i < n_requests; i++) {
    char *address = canonical(requests[i].address);
    if (address != NULL)
      g_hash_table_add(named, address);
    g_array_append_val(grown, requests[i]);
  }
  for (guint i = 0; i < n_requests; i++) {
    g_autofree char *address = canonical(requests[i].address);
    g_autoptr(GPtrArray) members = address != NULL ? hd_whole_device(address) : NULL;
    for (guint j = 0; members != NULL && j < members->len; j++) {
      const char *member = g_ptr_array_index(members, j);
      if (!g_hash_table_add(named, g_strdup(member)))
        continue;
      char *owned = g_strdup(member);
      g_ptr_array_add(names, owned);
      HdBindRequest request = {.address = owned, .function_member = TRUE};
      g_array_append_val(grown, request);
    }
  }
  return grown;
}
