/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What `run --hugepages` asks for: "2M=512,1G=2", a page size and a count
 * per item. Parsing only; reserving the pages is hugepage-reservation's
 * job (hostdev/shared/hugepage-reservations.h). */
#pragma once

#include <glib.h>

typedef struct {
  guint64 size_kb; /* page size in KiB, as sysfs names the pool (hugepages-<size_kb>kB) */
  guint64 count;   /* pages that must be free */
} HdHugepageRequest;

/* Parses TEXT: comma-separated SIZE=COUNT items. SIZE is a number with a
 * unit K, M or G (an optional trailing B, any case: 2M, 2MB, 2048kB, 1G);
 * COUNT a decimal number. Appends the items to REQUESTS (an array of
 * HdHugepageRequest), so several texts (a repeated option) add up. A size
 * given twice, in TEXT or in earlier texts, is an error. FALSE with
 * HD_ERROR_INVALID quoting the offending item; REQUESTS is then unchanged. */
gboolean hd_hugepage_spec_parse(const char *text, GArray *requests, GError **error);
