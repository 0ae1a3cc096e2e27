// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/hd-error.h"

G_DEFINE_QUARK(vfio-hostdev-error-quark, hd_error)

int hd_error_exit_code(const GError *error)
{
  if (error == NULL)
    return 0;
  if (error->domain == HD_ERROR && error->code >= HD_ERROR_FAILED && error->code <= HD_ERROR_UNFINISHED)
    return error->code;
  return HD_ERROR_FAILED;
}
