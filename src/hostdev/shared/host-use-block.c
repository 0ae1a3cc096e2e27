// SPDX-License-Identifier: LGPL-2.1-or-later
/* Block: a block device below the device that is mounted, or held by
 * another block device (device-mapper, md, LVM): unbinding would pull a
 * disk from under a filesystem. */
#include "hostdev/shared/host-use-checks.h"

#include <stdio.h>
#include <sys/sysmacros.h>

#include "util/mounts.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

static gboolean read_devno(const char *block, dev_t *devno)
{
  g_autofree char *path = hd_path_class("block", block, "dev");
  g_autofree char *text = hd_sysfs_read_optional(path, NULL);
  unsigned major = 0, minor = 0;

  if (text == NULL || sscanf(text, "%u:%u", &major, &minor) != 2)
    return FALSE;
  *devno = makedev(major, minor);
  return TRUE;
}

static void check_block(const char *block, const GPtrArray *mounts, GPtrArray *users)
{
  g_autofree char *holders_path = hd_path_class("block", block, "holders");
  g_autoptr(GPtrArray) holders = hd_sysfs_list_dir(holders_path, NULL);
  g_autofree char *dev_name = g_strconcat("/dev/", block, NULL);
  dev_t devno = 0;
  gboolean has_devno = read_devno(block, &devno);

  if (holders != NULL && holders->len > 0)
    hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "block device %s is held by %s (device-mapper, md or LVM)", block,
                     (const char *)g_ptr_array_index(holders, 0));
  for (guint i = 0; mounts != NULL && i < mounts->len; i++) {
    const HdMount *mount = g_ptr_array_index(mounts, i);
    if ((has_devno && mount->devno == devno) || g_strcmp0(mount->source, dev_name) == 0) {
      hd_host_user_add(users, HD_HOST_USE_BLOCK, TRUE, "block device %s is mounted at %s", block, mount->target);
      return;
    }
  }
}

void hd_host_use_block(HdManager *manager G_GNUC_UNUSED, const HdDevice *device, GPtrArray *users)
{
  g_autoptr(GPtrArray) blocks = hd_host_use_class_entries(device, "block", FALSE);
  g_autoptr(GError) error = NULL;

  if (blocks->len == 0)
    return;
  g_autoptr(GPtrArray) mounts = hd_mounts_list(&error);
  if (mounts == NULL)
    hd_host_user_add(users, HD_HOST_USE_UNCHECKED, TRUE, "its block devices cannot be checked: %s", error->message);
  for (guint i = 0; i < blocks->len; i++)
    check_block(g_ptr_array_index(blocks, i), mounts, users);
}
