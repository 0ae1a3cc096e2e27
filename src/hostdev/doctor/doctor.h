/* doctor: is this host ready for VFIO? A fixed list of checks, each
 * pass, warn or fail, with one line saying what was found and, unless it
 * passed, one line saying what to do. Reads only: it never changes the host
 * and works without privileges. */
#pragma once

#include "hostdev/device/manager.h"

typedef enum {
  HD_CHECK_PASS,
  HD_CHECK_WARN, /* works, but something is missing, optional or unknown */
  HD_CHECK_FAIL, /* passthrough will not work until it is fixed */
} HdCheckStatus;

/* The public VhCheck is this struct, opaque. */
typedef struct _VhCheck {
  const char *id;    /* stable key: "iommu", "sysfs-writable", ... */
  const char *title; /* what is checked, for people */
  HdCheckStatus status;
  char *message;     /* what was found */
  char *fix;         /* what to do; NULL when the check passed */
} HdCheck;

/* A check result; MESSAGE and FIX (NULL allowed) are copied. */
HdCheck *hd_check_new(const char *id, const char *title, HdCheckStatus status, const char *message,
                      const char *fix);
void hd_check_free(HdCheck *check);

/* "pass", "warn", "fail". */
const char *hd_check_status_name(HdCheckStatus status);

/* Runs every check in a fixed order: HdCheck*, owned by the array. */
GPtrArray *hd_doctor_run(HdManager *manager);

/* The worst status of CHECKS (HD_CHECK_PASS when empty). */
HdCheckStatus hd_doctor_worst(const GPtrArray *checks);
