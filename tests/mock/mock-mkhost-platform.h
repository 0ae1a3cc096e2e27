/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-mkhost-platform.h: the machine around the PCI devices, for
 * mock-mkhost: the kernel's build configuration (/boot/config-<release>
 * or /proc/config.gz), the CPU's flags (/proc/cpuinfo) and DMI
 * (/sys/class/dmi/id).  Fixture keys: tests/mock/README.md, "Platform". */
#pragma once

#include <glib.h>

/* The [host] keys kernel-config, cpu-vendor, cpu-flags, dmi-sys-vendor,
 * dmi-product-name and acpi-tables of KF; STEM.kconfig is the kernel's config. */
gboolean mk_platform_write(GKeyFile *kf, const char *stem, const char *release, GError **error);

/* The kernel's VFIO interfaces: vfio-dev/ from RELEASE (>= 6.1), the
 * group nodes unless [host] vfio-group=false (CONFIG_VFIO_GROUP=n, which
 * needs the cdev, >= 6.6, and has no container, so no /dev/vfio/vfio), the
 * cdev from [host] vfio-cdev. FALSE with ERROR for an impossible kernel. */
gboolean mk_platform_vfio_model(GKeyFile *kf, const char *release, gboolean *vfio_dev, gboolean *group,
                                gboolean *cdev, GError **error);
