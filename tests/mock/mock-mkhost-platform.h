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
