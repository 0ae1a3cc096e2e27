// SPDX-License-Identifier: LGPL-2.1-or-later
/* CDI specs for an owner's devices (hostdev/managed/cdi-spec.h). */
#include "api/api-private.h"
#include "hostdev/managed/cdi-spec.h"

char *vh_cdi_spec(VhManager *manager, const char *owner, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_cdi_spec_build(api_hd_manager(manager), owner, error);
}

char *vh_cdi_write(VhManager *manager, const char *owner, const char *dir, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_cdi_spec_write(api_hd_manager(manager), owner, dir, error);
}
