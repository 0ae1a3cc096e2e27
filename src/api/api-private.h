/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of the public API layer (src/api/) share. The layer only
 * translates: it holds no policy, and its public types are either the
 * internal structs themselves (tagged with the public names in the
 * internal headers) or, where the public object holds more than one
 * internal one, small wrappers defined here. */
#pragma once

#include "vfio-hostdev.h"

#include "hostdev/device/manager.h"

/* The internal manager behind MANAGER. */
HdManager *api_hd_manager(VhManager *manager);

/* vh_manager_set_unbind_timeout()'s value, or the default. */
guint api_unbind_timeout(const VhManager *manager);

/* Every error leaves the library in VH_ERROR: the lower layers report
 * some failures in the domains of the GLib calls that failed (GIOError,
 * GFileError, GKeyFileError, ...). A public function that takes GError
 * starts with API_ERRORS_IN_DOMAIN(error): when it returns, an error of
 * another domain (or an HD_ERROR code outside the documented ones) becomes
 * VH_ERROR_FAILED with the same message. */
typedef struct {
  GError **error;
} ApiErrorScope;
void api_error_scope_end(ApiErrorScope *scope);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ApiErrorScope, api_error_scope_end)
#define API_ERRORS_IN_DOMAIN(error_) g_auto(ApiErrorScope) api_error_scope_ G_GNUC_UNUSED = {(error_)}

/* Results xor error: RESULTS (not NULL) are returned and LOCAL, the lower
 * layer's summary of the per-device errors each result carries, dropped;
 * without results LOCAL is the caller's ERROR. */
GPtrArray *api_results_xor_error(GPtrArray *results, GError *local, GError **error);
