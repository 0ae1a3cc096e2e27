/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-mkhost-devlink.h: kernel device links between PCI devices, for
 * mock-mkhost, as drivers/base/core.c shows them in sysfs and as the PCI
 * quirks quirk_gpu_hda, quirk_gpu_usb and quirk_gpu_usb_typec_ucsi make
 * them (a GPU's HDA, USB and UCSI functions are consumers of function 0;
 * stateless links with runtime PM).  Fixture key: tests/mock/README.md,
 * "Device links". */
#pragma once

#include <glib.h>

/* Every [device B] group's devlink-supplier=S1;S2 (B is a consumer of each
 * S): the link device /sys/devices/virtual/devlink/pci:S--pci:B with its
 * supplier and consumer links and attributes, /sys/class/devlink/ entry,
 * consumer:pci:B in S's node and supplier:pci:S in B's.  Every device must
 * exist. */
gboolean mk_devlinks(GKeyFile *kf, GError **error);
