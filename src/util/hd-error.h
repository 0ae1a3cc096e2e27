/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error domain shared by every layer, and what each code means to a
 * caller. The numeric values are the command's exit codes (docs/exit-codes.md). */
#pragma once

#include <glib.h>

#define HD_ERROR (hd_error_quark())

typedef enum {
  /* The operation failed; nothing was left changed. */
  HD_ERROR_FAILED = 1,
  /* Bad usage or bad input (a malformed address, an unreadable file given by the user). */
  HD_ERROR_INVALID = 2,
  /* No such device. */
  HD_ERROR_NO_DEVICE = 3,
  /* Refused for safety, group viability or ownership; nothing changed. */
  HD_ERROR_REFUSED = 4,
  /* A device was left in an unfinished state that `status` shows. */
  HD_ERROR_UNFINISHED = 5,
} HdErrorCode;

GQuark hd_error_quark(void);

/* Maps any GError to an exit code: HD_ERROR codes map to themselves, anything
 * else (GIOError, GFileError, ...) to HD_ERROR_FAILED. A NULL error maps to 0. */
int hd_error_exit_code(const GError *error);
