/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Running independent pieces of work at once: one thread each, up to a
 * limit. Kernel work on different devices (an unbind or a probe can take
 * 100 ms or more) overlaps this way instead of adding up. */
#pragma once

#include <glib.h>

/* How many threads the device operations (bind, reattach, release) use at
 * most: one per IOMMU group, up to this many. */
#define HD_PARALLEL_MAX_THREADS 64

/* Calls FUNC(item, USER_DATA) for every item of ITEMS on up to MAX_THREADS
 * threads and returns when all calls have. Without threads (creation
 * failed) the calls run one after another: slower, same result. */
void hd_parallel_for_each(GPtrArray *items, GFunc func, gpointer user_data, guint max_threads);
