/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whether a kernel's module index lists a module: modules.builtin (built
 * into the kernel) and modules.dep (loadable with modprobe). Names compare
 * as kmod compares them, '-' and '_' alike ("vfio-pci" is "vfio_pci"). */
#pragma once

#include <glib.h>

typedef enum {
  HD_MODULE_ABSENT,   /* in neither file */
  HD_MODULE_LOADABLE, /* in modules.dep */
  HD_MODULE_BUILTIN,  /* in modules.builtin */
} HdModuleAvailability;

/* Looks MODULE up in MODULES_DIR/modules.builtin (a missing file counts as
 * empty: it is absent before Linux 3.x) and MODULES_DIR/modules.dep. Fails
 * (G_FILE_ERROR) when modules.dep cannot be read: then nobody can tell. */
gboolean hd_module_index_lookup(const char *modules_dir, const char *module, HdModuleAvailability *out,
                                GError **error);

/* TRUE when MODULES_DIR/modules.dep lists DEPENDENCY among MODULE's
 * dependencies (loading MODULE loads it first); FALSE too when the file
 * cannot be read. */
gboolean hd_module_index_depends_on(const char *modules_dir, const char *module, const char *dependency);

/* The module name of an index entry: the basename of LINE (up to a ':'
 * when there is one, as in modules.dep) before its ".ko" suffix, with '-'
 * turned into '_' ("kernel/drivers/vfio/pci/vfio-pci.ko.xz: ..." gives
 * "vfio_pci"). NULL when LINE names no .ko file. */
char *hd_module_index_entry_name(const char *line);
