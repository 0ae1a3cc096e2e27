/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-mkhost-usage.h: what the host does with its devices, for
 * mock-mkhost: network interfaces (sysfs, addresses, /proc/net route
 * tables: mock-mkhost-net.c), block devices (namespaces, partitions,
 * holders, mounts) and framebuffers.  Fixture keys: tests/mock/README.md,
 * "Host usage". */
#pragma once

#include <glib.h>

typedef struct _MkUsage MkUsage;

MkUsage *mk_usage_new(void);
void mk_usage_free(MkUsage *usage);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MkUsage, mk_usage_free)

/* The net=, nvme=, fb=, net.*, block.* and fb.* keys of GROUP ([device]
 * or [vf]) whose device directory is DIR (logical, "/sys/devices/...").
 * Unknown net./block./fb. keys are errors. */
gboolean mk_usage_device(MkUsage *usage, GKeyFile *kf, const char *group, const char *dir, GError **error);

/* After every device: lo, $ROOT/.mock/ifaddrs, /proc/net/{route,ipv6_route,
 * if_inet6}, and the mounts appended to /proc/self/mountinfo and
 * /proc/mounts (which must exist). */
gboolean mk_usage_finish(MkUsage *usage, GError **error);
