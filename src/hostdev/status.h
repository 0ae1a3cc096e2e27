/* status: the devices this tool has bound, from their records, with what
 * the kernel says about them now. */
#pragma once

#include <glib.h>

#include "device-record.h"

typedef struct {
  HdDeviceRecord *record;
  char *current_driver; /* NULL: unbound */
  gboolean present;     /* the device still exists */
} HdStatusEntry;

void hd_status_entry_free(HdStatusEntry *entry);

/* HdStatusEntry* by address; damaged records go to PROBLEMS (strings). */
GPtrArray *hd_status(GPtrArray *problems, GError **error);
