/* Is the host using a device? Binding it to VFIO unbinds its host driver,
 * which takes away whatever the host does with it. What counts as use:
 * - a block device below it that is mounted, or held by another block
 *   device (device-mapper, md, LVM): unbinding would pull a disk from under
 *   a filesystem;
 * - a network interface below it that is up and has an address (other than
 *   IPv6 link-local) or a route: the NIC may carry the admin's ssh session;
 * - the boot VGA device (boot_vga = 1) or the device behind a console
 *   framebuffer (fbN): the console would go dark, and a firmware
 *   framebuffer keeps its BAR reserved anyway. */
#pragma once

#include "hostdev/device/device.h"

/* One sentence per use found ("block device nvme0n1p2 is mounted at /"),
 * empty when none. Problems reading the mount table become a use (the
 * check could not be made, so the device is not known to be free). */
GPtrArray *hd_host_usage(const HdDevice *device);
