/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mock-mkhost-console.h: the host's consoles and device nodes, for
 * mock-mkhost: memory BARs (the device's "resource" file and /proc/iomem),
 * the firmware framebuffer (sysfb's platform device, its fbN and its
 * /proc/iomem resources), serial ttys and /proc/consoles, DRM nodes.
 * Fixture keys: tests/mock/README.md, "Consoles and device nodes". */
#pragma once

#include <glib.h>

typedef struct _MkConsole MkConsole;

MkConsole *mk_console_new(void);
void mk_console_free(MkConsole *console);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(MkConsole, mk_console_free)

/* The barN=, tty= and drm= keys of GROUP ([device] or [vf]) whose device
 * directory is DIR (logical, "/sys/devices/...") and address BDF. */
gboolean mk_console_device(MkConsole *console, GKeyFile *kf, const char *group, const char *dir, const char *bdf,
                           GError **error);

/* After every device: the [firmware-framebuffer] group, /proc/iomem and
 * /proc/consoles ([host] consoles=). */
gboolean mk_console_finish(MkConsole *console, GKeyFile *kf, GError **error);
