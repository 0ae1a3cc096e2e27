/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KTAP, the kernel's test output format (Documentation/dev-tools/ktap.rst),
 * for `vfio-hostdev test`:
 *   KTAP version 1
 *   1..N
 *   # diagnostic lines
 *   ok 1 name
 *   not ok 2 name
 *   ok 3 name # SKIP reason
 *   not ok 4 name # SKIP interrupted by signal 15 before it ran
 *   # Totals: pass:2 fail:1 skip:1
 *   Bail out! interrupted by signal 15: ...
 * A case's diagnostics come before its result line, as the kernel prints
 * them while the test runs; a failure's reason is its last diagnostic. */
#pragma once

#include <glib.h>

#include "vfio-hostdev.h"

/* The version line, HEADER's lines as diagnostics (may be NULL), the plan. */
void ktap_begin(GString *out, guint plan, const char *header);

/* One case: its diagnostics, then its result line. */
void ktap_result(GString *out, const VhSelftestResult *result);

/* A case a signal kept from running: "not ok N name # SKIP reason" (not
 * "ok": it did not pass; SKIP: it did not fail either). */
void ktap_not_run(GString *out, const VhSelftestResult *result);

/* "Bail out! REASON": the run stopped before its plan was done. */
void ktap_bail_out(GString *out, const char *reason);

/* Every line of TEXT as a "# " diagnostic. */
void ktap_diag(GString *out, const char *text);

/* "# Totals: pass:P fail:F skip:S", as kselftest ends. */
void ktap_totals(GString *out, guint pass, guint fail, guint skip);
