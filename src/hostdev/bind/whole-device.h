/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bind --functions: the requests grown to whole devices. */
#pragma once

#include "hostdev/bind/bind.h"

/* REQUESTS (N_REQUESTS of them) followed by every function of each named
 * device that is not named itself (hostdev/device/functions.h), each added
 * one marked function_member and asking for no driver of its own (the
 * invocation's, or the variant rule). An address that does not parse is
 * kept as it is, for the bind to reject. NAMES owns the added addresses
 * and must outlive the array. */
GArray *hd_bind_requests_whole_devices(const HdBindRequest *requests, guint n_requests, GPtrArray *names);
