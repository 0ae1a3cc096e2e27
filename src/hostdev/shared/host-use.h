/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who on the host uses a device: the one check that bind and every path
 * built on it (prepare, run, persist-apply) make before taking a device
 * from its host driver. Unbinding takes away whatever the host does with
 * the device, so each use is named with the whole chain that leads from the
 * device to it ("nvme0n1 → dm-0 → mounted on /var"), and a refusal names
 * every user at once.
 *
 * Each kind of use is one check (host-use-checks.h), run in turn on the
 * device; they share what is read once per invocation (the manager's scan
 * of /proc/<pid>/fd). The deny list (deny-list.h) comes first, and nothing
 * overrides it; --force overrides every other use. */
#pragma once

#include "hostdev/device/device.h"
#include "hostdev/device/manager.h"

typedef enum {
  HD_HOST_USE_DENIED,    /* on the deny list (configured or by default) */
  HD_HOST_USE_BLOCK,     /* a disk, or something stacked on one, is in use */
  HD_HOST_USE_NETWORK,   /* an interface, or one stacked on it, carries traffic */
  HD_HOST_USE_DISPLAY,   /* the console or a framebuffer is on it */
  HD_HOST_USE_PROCESS,   /* a process holds one of its nodes open */
  HD_HOST_USE_UNCHECKED, /* a check could not be made: not known to be free */
} HdHostUseKind;

typedef struct {
  HdHostUseKind kind;
  char *chain;          /* "nvme0n1 → nvme0n1p2 → mounted on /" */
  gboolean overridable; /* --force may take the device anyway */
} HdHostUser;

void hd_host_user_free(HdHostUser *user);

/* Appends a user made of the printf-style chain to USERS. */
void hd_host_user_add(GPtrArray *users, HdHostUseKind kind, gboolean overridable, const char *format, ...)
  G_GNUC_PRINTF(4, 5);

/* HdHostUser* for every use of DEVICE the host makes, empty when none;
 * denied first. */
GPtrArray *hd_host_use(HdManager *manager, const HdDevice *device);

/* The refusal for USERS (non-empty) of DEVICE as one sentence, leaving out
 * the overridable ones when FORCE (they go to FORCED, strings); NULL when
 * nothing is left to refuse. */
char *hd_host_use_refusal(const HdDevice *device, const GPtrArray *users, gboolean force, GPtrArray *forced);

/* The same for a change that no --force can make (`sriov` removing VFs,
 * reattach undoing it): every use refuses, and the text names no option. */
char *hd_host_use_refusal_unforceable(const HdDevice *device, const GPtrArray *users);
