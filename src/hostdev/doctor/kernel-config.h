/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The running kernel's build configuration (Kconfig's .config), read from
 * /boot/config-<release> (how Debian and most distributions ship it) or,
 * failing that, /proc/config.gz (CONFIG_IKCONFIG_PROC). The doctor uses it
 * to tell a feature the kernel was built without from one that is built as
 * a module but not loaded, by the feature's own option, never by the
 * kernel's version. */
#pragma once

#include <glib.h>

typedef enum {
  HD_KCONFIG_ABSENT,  /* not in the file: an older kernel, or its dependencies are off */
  HD_KCONFIG_NOT_SET, /* "# CONFIG_X is not set" */
  HD_KCONFIG_MODULE,  /* =m */
  HD_KCONFIG_BUILTIN, /* =y */
  HD_KCONFIG_VALUE,   /* any other value (numbers, strings) */
} HdKconfigState;

typedef struct _HdKernelConfig HdKernelConfig;

/* Parses the text of a .config; SOURCE names where it came from. Never fails. */
HdKernelConfig *hd_kernel_config_parse(const char *text, const char *source);

/* The configuration of Linux RELEASE, or NULL when neither file can be
 * read (then nothing is known about the build). */
HdKernelConfig *hd_kernel_config_read(const char *release);

void hd_kernel_config_free(HdKernelConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdKernelConfig, hd_kernel_config_free)

/* The state of SYMBOL ("CONFIG_VFIO"). */
HdKconfigState hd_kernel_config_get(const HdKernelConfig *config, const char *symbol);

/* Built in or as a module. */
gboolean hd_kernel_config_enabled(const HdKernelConfig *config, const char *symbol);

/* The file it was read from ("/boot/config-6.12.118+deb12-amd64"). */
const char *hd_kernel_config_source(const HdKernelConfig *config);
