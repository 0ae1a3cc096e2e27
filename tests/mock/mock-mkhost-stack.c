// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost-stack.c: the links the kernel makes between stacked
 * interfaces (net/core/dev.c __netdev_upper_dev_link() and
 * netdev_adjacent_sysfs_add()): the lower gets "upper_<upper>" and, for a
 * master, "master"; the upper gets "lower_<lower>".  A VLAN's, macvlan's
 * or tunnel's iflink is its lower's ifindex (dev_get_iflink()).  A bridge
 * is a master with a "bridge/" directory and "brif/<port>" links to each
 * port's "brport/" (net/bridge/br_sysfs_br.c, br_sysfs_if.c).
 */
#include "mock-mkhost-keys.h"
#include "mock-mkhost-stack.h"
#include "mock-tree.h"

#include <stdlib.h>
#include <string.h>

#define STACK "net-stack"

/* The logical sysfs directory of interface NAME. */
static gboolean iface_dir(const char *name, char dir[PATH_MAX])
{
  char rel[PATH_MAX];

  return strchr(name, '/') == NULL && mt_fmt(rel, "/sys/class/net/%s", name) >= 0 && mt_resolve(rel, dir) >= 0;
}

static gboolean set_iflink(const char *upper_dir, const char *lower_dir, GError **error)
{
  g_autofree char *ifindex_rel = g_strconcat(lower_dir, "/ifindex", NULL);
  g_autofree char *iflink_rel = g_strconcat(upper_dir, "/iflink", NULL);
  char *ifindex = mt_read_trim(ifindex_rel);
  int rc = ifindex != NULL ? mt_writef(iflink_rel, "%s\n", ifindex) : -1;

  free(ifindex);
  return rc >= 0 || mk_fail(error, "[%s] %s: cannot set from %s", STACK, iflink_rel, ifindex_rel);
}

/* The bridge's own directory and its port's, as br_sysfs_addbr() and
 * br_sysfs_addif() make them. */
static gboolean bridge_port(const char *bridge_dir, const char *port_dir, const char *port, GError **error)
{
  g_autofree char *bridge_attr = g_strconcat(bridge_dir, "/bridge/stp_state", NULL);
  g_autofree char *brport_attr = g_strconcat(port_dir, "/brport/state", NULL);
  g_autofree char *brport_dir = g_strconcat(port_dir, "/brport", NULL);
  g_autofree char *brif_link = g_strdup_printf("%s/brif/%s", bridge_dir, port);

  if (mt_write(bridge_attr, "0\n") < 0 || mt_write(brport_attr, "3\n") < 0 || mt_link(brif_link, brport_dir) < 0)
    return mk_fail(error, "[%s] bridge: cannot make %s a port", STACK, port);
  return TRUE;
}

/* KIND "master", "bridge", "upper" or "iflink": UPPER on LOWER. */
static gboolean stack(const char *kind, const char *upper, const char *lower, GError **error)
{
  char upper_dir[PATH_MAX], lower_dir[PATH_MAX];

  if (!iface_dir(upper, upper_dir) || !iface_dir(lower, lower_dir))
    return mk_fail(error, "[%s] %s.%s=%s: no such interface", STACK, kind, upper, lower);
  if (g_str_equal(kind, "iflink"))
    return set_iflink(upper_dir, lower_dir, error);
  g_autofree char *upper_link = g_strdup_printf("%s/upper_%s", lower_dir, upper);
  g_autofree char *lower_link = g_strdup_printf("%s/lower_%s", upper_dir, lower);
  g_autofree char *master_link = g_strconcat(lower_dir, "/master", NULL);
  gboolean master = g_str_equal(kind, "master") || g_str_equal(kind, "bridge");
  if (mt_link(upper_link, upper_dir) < 0 || mt_link(lower_link, lower_dir) < 0 ||
      (master && mt_link(master_link, upper_dir) < 0))
    return mk_fail(error, "[%s] %s.%s: cannot link", STACK, kind, upper);
  if (g_str_equal(kind, "bridge"))
    return bridge_port(upper_dir, lower_dir, lower, error);
  /* a VLAN or macvlan sends through its lower; a master through its ports */
  return master || set_iflink(upper_dir, lower_dir, error);
}

gboolean mk_stack_links(GKeyFile *kf, GError **error)
{
  static const char *const kinds[] = {"master", "bridge", "upper", "iflink", NULL};
  g_auto(GStrv) keys = g_key_file_get_keys(kf, STACK, NULL, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++) {
    const char *dot = strchr(*k, '.');
    g_autofree char *kind = dot != NULL ? g_strndup(*k, dot - *k) : NULL;
    g_auto(GStrv) lowers = g_key_file_get_string_list(kf, STACK, *k, NULL, NULL);
    if (kind == NULL || !g_strv_contains(kinds, kind) || dot[1] == '\0')
      return mk_fail(error, "[%s] %s: not master.NAME, bridge.NAME, upper.NAME or iflink.NAME", STACK, *k);
    if (!g_str_equal(kind, "master") && !g_str_equal(kind, "bridge") && (lowers == NULL || g_strv_length(lowers) != 1))
      return mk_fail(error, "[%s] %s: an upper or tunnel has one lower", STACK, *k);
    for (char **l = lowers; l != NULL && *l != NULL; l++)
      if (!stack(kind, dot + 1, g_strstrip(*l), error))
        return FALSE;
  }
  return TRUE;
}
