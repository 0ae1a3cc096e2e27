/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers for the `doctor` tests (test-doctor.c, test-doctor-kernel.c):
 * run `doctor --json` on a fake host and look at one check. */
#pragma once

#include "cli-test.h"

#define Q35_MODULES "/lib/modules/6.12.117+deb12-amd64"

/* The fake root's path of a host path. */
char *root_path(MockHost *host, const char *path);

/* Runs `doctor --json`, checks the exit status, returns the parsed root. */
JsonNode *doctor_json(MockHost *host, int expected_status);

JsonObject *find_check(JsonNode *root, const char *id);
void assert_check(JsonNode *root, const char *id, const char *status);
/* The check's "fix", "" when null. */
const char *check_fix(JsonNode *root, const char *id);
const char *check_message(JsonNode *root, const char *id);
