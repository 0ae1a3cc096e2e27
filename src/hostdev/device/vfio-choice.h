/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which VFIO driver `bind` would use for a device: the variant rule.
 * key = "vfio_" + modalias; candidates = the `vfio_pci:` aliases that match
 * the key under fnmatch; the best has the fewest wildcards, ties to the
 * earliest line (modules.alias before modules.builtin.alias). No candidate,
 * or no modules.alias: vfio_pci, with a warning. */
#pragma once

#include <glib.h>

#include "hostdev/device/manager.h"

#define HD_GENERIC_VFIO_MODULE "vfio_pci"

/* The public VhVfioCandidate and VhVfioChoice are these structs, opaque. */
typedef struct _VhVfioCandidate {
  char *module;
  char *pattern;
  guint wildcards;
  const char *source; /* file name, owned by the manager */
  guint line;
  guint order; /* position in load order (modules.alias, then builtin) */
} HdVfioCandidate;

typedef struct _VhVfioChoice {
  char *modalias;
  char *key;
  char *module;         /* the choice */
  GPtrArray *candidates; /* HdVfioCandidate*, ranked: fewest wildcards first, ties in load order */
  gboolean fallback;    /* TRUE when no alias decided (none matched, or no modules.alias) */
  char *reason;         /* one sentence saying why */
} HdVfioChoice;

/* Chooses for MODALIAS (as sysfs shows it, "pci:v..."). Never fails: problems
 * become the fallback plus a manager warning. */
HdVfioChoice *hd_vfio_choose(HdManager *manager, const char *modalias);
void hd_vfio_choice_free(HdVfioChoice *choice);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdVfioChoice, hd_vfio_choice_free)
