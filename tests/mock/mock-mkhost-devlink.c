// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-mkhost-devlink.c: device links (mock-mkhost-devlink.h). */
#include "mock-mkhost-devlink.h"

#include <linux/limits.h>
#include <string.h>

#include "mock-mkhost-keys.h"
#include "mock-tree.h"

/* A link's own device: devlink_add_symlinks() and the device_link class's
 * attributes. A stateless link (DL_FLAG_STATELESS, what the quirks ask
 * for) is not tracked by the driver core, so it survives every unbind and
 * bind of either end and never removes itself. */
static gboolean write_link(const char *supplier, const char *sup_dir, const char *consumer, const char *con_dir,
                           GError **error)
{
  g_autofree char *name = g_strdup_printf("pci:%s--pci:%s", supplier, consumer);
  g_autofree char *dir = g_strdup_printf("/sys/devices/virtual/devlink/%s", name);
  g_autofree char *class_entry = g_strdup_printf("/sys/class/devlink/%s", name);
  g_autofree char *sup_link = g_strdup_printf("%s/supplier", dir);
  g_autofree char *con_link = g_strdup_printf("%s/consumer", dir);
  g_autofree char *in_supplier = g_strdup_printf("%s/consumer:pci:%s", sup_dir, consumer);
  g_autofree char *in_consumer = g_strdup_printf("%s/supplier:pci:%s", con_dir, supplier);
  g_autofree char *subsystem = g_strdup_printf("%s/subsystem", dir);
  const struct {
    const char *attr, *value;
  } attrs[] = {{"status", "not tracked"}, {"auto_remove_on", "never"}, {"runtime_pm", "1"}, {"sync_state_only", "0"}};

  for (guint i = 0; i < G_N_ELEMENTS(attrs); i++) {
    g_autofree char *rel = g_strdup_printf("%s/%s", dir, attrs[i].attr);
    if (!mk_check(mt_writef(rel, "%s\n", attrs[i].value), rel, error))
      return FALSE;
  }
  return mk_check(mt_link(sup_link, sup_dir), sup_link, error) &&
         mk_check(mt_link(con_link, con_dir), con_link, error) &&
         mk_check(mt_link(subsystem, "/sys/class/devlink"), subsystem, error) &&
         mk_check(mt_link(class_entry, dir), class_entry, error) &&
         mk_check(mt_link(in_supplier, dir), in_supplier, error) &&
         mk_check(mt_link(in_consumer, dir), in_consumer, error);
}

static gboolean device_links(GKeyFile *kf, const char *group, GError **error)
{
  const char *consumer = group + strlen("device ");
  g_auto(GStrv) suppliers = mk_key_list(kf, group, "devlink-supplier");
  char con_dir[PATH_MAX], sup_dir[PATH_MAX];

  if (suppliers == NULL || suppliers[0] == NULL)
    return TRUE;
  if (mt_device_dir(consumer, con_dir) < 0)
    return mk_fail(error, "[%s]: no such device", group);
  for (char **s = suppliers; *s != NULL; s++) {
    if (mt_device_dir(*s, sup_dir) < 0)
      return mk_fail(error, "[%s] devlink-supplier: no device %s", group, *s);
    if (strcmp(sup_dir, con_dir) == 0)
      return mk_fail(error, "[%s] devlink-supplier: a device cannot supply itself", group);
    if (!write_link(*s, sup_dir, consumer, con_dir, error))
      return FALSE;
  }
  return TRUE;
}

gboolean mk_devlinks(GKeyFile *kf, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

  for (char **g = groups; *g != NULL; g++)
    if (g_str_has_prefix(*g, "device ") && !device_links(kf, *g, error))
      return FALSE;
  return TRUE;
}
