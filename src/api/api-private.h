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
