/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel command line (/proc/cmdline) split into parameters the way the
 * kernel's next_arg() splits it: blanks separate parameters, double quotes
 * keep blanks inside one and are not part of the value, the first '='
 * separates name and value, and "--" ends the kernel's parameters (the rest
 * belongs to init). Names compare with '-' and '_' alike, as parameq() does. */
#pragma once

#include <glib.h>

typedef struct _HdCmdline HdCmdline;

/* Splits TEXT (any bytes; parsing stops at the first NUL). Never fails. */
HdCmdline *hd_cmdline_parse(const char *text);

/* Reads and splits /proc/cmdline. */
HdCmdline *hd_cmdline_read(GError **error);

void hd_cmdline_free(HdCmdline *cmdline);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdCmdline, hd_cmdline_free)

/* Number of parameters, and the INDEX-th one's name and value (value NULL
 * for a bare "name"). Strings are owned by CMDLINE. */
guint hd_cmdline_n_params(const HdCmdline *cmdline);
const char *hd_cmdline_name(const HdCmdline *cmdline, guint index);
const char *hd_cmdline_value(const HdCmdline *cmdline, guint index);

/* TRUE when the value of the last NAME parameter, read as a comma-separated
 * list ("intel_iommu=on,sm_on"), holds WORD. The last one decides because
 * the kernel applies repeated parameters in order. */
gboolean hd_cmdline_has_word(const HdCmdline *cmdline, const char *name, const char *word);
