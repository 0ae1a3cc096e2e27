/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the `vfio-hostdev test` programs (test-selftest,
 * test-selftest-signal): a strict KTAP parser, the uAPI preload in front
 * of the mock, injected uAPI faults. */
#pragma once

#include "cli-test.h"

#define EDU "0000:00:02.0"       /* realistic: on qedu-mig (a VFIO variant driver) */

typedef struct {
  guint plan;
  char *bail_out;      /* the reason of a "Bail out!" line, or NULL */
  GPtrArray *names;    /* of each result, in order */
  GPtrArray *statuses; /* "ok", "not ok", "skip" */
  GPtrArray *lines;    /* the result lines */
} Ktap;

void ktap_clear(Ktap *ktap);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Ktap, ktap_clear)

/* Parses OUT strictly: the version line first, diagnostics anywhere, one
 * plan before the results, results numbered 1..plan without gaps, each
 * "ok N name", "not ok N name" or "ok N name # SKIP reason". */
void ktap_parse(const char *out, Ktap *ktap);
/* "ok", "not ok" or "skip" of case NAME (it must be there). */
const char *ktap_status(const Ktap *ktap, const char *name);
/* The result line of case NAME, or NULL. */
const char *ktap_line(const Ktap *ktap, const char *name);

/* Writes the mock's uAPI fault list (tests/mock/README-uapi.md). */
void st_inject(MockHost *host, const char *faults);

/* Puts the uAPI preload before the mock in MOCK_PRELOAD: call in main(). */
void st_use_uapi_preload(void);
