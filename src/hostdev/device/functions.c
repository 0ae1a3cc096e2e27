// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/device/functions.h"

#include <string.h>

#include "util/pci-address.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

static gint compare_addresses(gconstpointer a, gconstpointer b)
{
  HdPciAddress left, right;
  const char *const *first = a, *const *second = b;

  if (!hd_pci_address_parse(*first, &left, NULL) || !hd_pci_address_parse(*second, &right, NULL))
    return g_strcmp0(*first, *second);
  return hd_pci_address_compare(&left, &right);
}

static gboolean same_slot(const HdPciAddress *a, const HdPciAddress *b)
{
  return a->domain == b->domain && a->bus == b->bus && a->slot == b->slot;
}

static gboolean is_vf(const char *address)
{
  g_autofree char *physfn = hd_path_pci_device(address, "physfn");

  return hd_sysfs_exists(physfn);
}

GPtrArray *hd_slot_functions(const char *address)
{
  g_autofree char *path = hd_path_pci_devices();
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(path, NULL);
  GPtrArray *functions = g_ptr_array_new_with_free_func(g_free);
  HdPciAddress self, other;

  /* a VF's slot mates (with ARI, its PF's other functions too) are its
   * PF's business, not functions of the VF */
  if (names == NULL || !hd_pci_address_parse(address, &self, NULL) || is_vf(address))
    return functions;
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    if (hd_pci_address_parse(name, &other, NULL) && same_slot(&self, &other) && !hd_pci_address_equal(&self, &other) &&
        !is_vf(name))
      g_ptr_array_add(functions, g_strdup(name));
  }
  g_ptr_array_sort(functions, compare_addresses);
  return functions;
}

GPtrArray *hd_device_link_peers(const char *address, HdLinkRole role)
{
  g_autofree char *path = hd_path_pci_device(address, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(path, NULL);
  const char *prefix = role == HD_LINK_CONSUMERS ? "consumer:pci:" : "supplier:pci:";
  GPtrArray *peers = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; names != NULL && i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    /* the name carries the peer: `consumer:pci:0000:01:00.1` */
    if (g_str_has_prefix(name, prefix) && hd_pci_address_is_canonical(name + strlen(prefix)))
      g_ptr_array_add(peers, g_strdup(name + strlen(prefix)));
  }
  g_ptr_array_sort(peers, compare_addresses);
  return peers;
}

/* PCI-to-PCI bridges (class 0604, 0609): VFIO takes only normal headers,
 * and a USB4 host links its PCIe tunnel ports to its NHI, so following
 * them would pull in the ports and whatever is linked to those. */
static gboolean is_bridge(const char *address)
{
  g_autofree char *path = hd_path_pci_device(address, "class");
  guint32 class_code = 0;

  if (!hd_sysfs_read_hex(path, &class_code, NULL))
    return FALSE;
  return (class_code >> 8) == 0x0604 || (class_code >> 8) == 0x0609;
}

static void add_new(GPtrArray *members, GHashTable *seen, GPtrArray *candidates)
{
  for (guint i = 0; i < candidates->len; i++) {
    const char *candidate = g_ptr_array_index(candidates, i);
    if (g_hash_table_add(seen, g_strdup(candidate)) && !is_bridge(candidate))
      g_ptr_array_add(members, g_strdup(candidate));
  }
}

GPtrArray *hd_whole_device(const char *address)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *members = g_ptr_array_new_with_free_func(g_free);

  g_ptr_array_add(members, g_strdup(address));
  g_hash_table_add(seen, g_strdup(address));
  /* MEMBERS grows while it is walked: each new member's neighbours join */
  for (guint i = 0; i < members->len; i++) {
    const char *member = g_ptr_array_index(members, i);
    g_autoptr(GPtrArray) functions = hd_slot_functions(member);
    g_autoptr(GPtrArray) consumers = hd_device_link_peers(member, HD_LINK_CONSUMERS);
    g_autoptr(GPtrArray) suppliers = hd_device_link_peers(member, HD_LINK_SUPPLIERS);
    add_new(members, seen, functions);
    add_new(members, seen, consumers);
    add_new(members, seen, suppliers);
  }
  g_ptr_array_sort(members, compare_addresses);
  return members;
}
