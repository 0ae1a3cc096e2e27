/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lists of strings kept in a GPtrArray (refusals, problems, names): what
 * several messages are built from. */
#pragma once

#include <glib.h>

/* The strings of STRINGS (char*) in order, SEPARATOR between them; "" for
 * an empty list. Free with g_free(). */
char *hd_string_list_join(const GPtrArray *strings, const char *separator);
