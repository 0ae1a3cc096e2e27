// SPDX-License-Identifier: LGPL-2.1-or-later
/* mock-uname.c: uname() reports the fake kernel's release (kept by mkhost
 * in $ROOT/.mock/release); the other fields are the real machine's. */
#include "mock-preload.h"
#include "mock-tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

int uname(struct utsname *buf)
{
  int rc = MOCK_REAL(uname)(buf);
  char *release;

  if (rc < 0)
    return rc;
  mock_root();
  if ((release = mt_read_trim("/.mock/release")) != NULL) {
    snprintf(buf->release, sizeof(buf->release), "%s", release);
    free(release);
  }
  return rc;
}
