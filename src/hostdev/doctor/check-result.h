/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One result of a doctor check: pass, warn or fail, what was found and what
 * to do. Its own unit so that the checks (doctor-checks.h) and their runner
 * (doctor.h) both use it without calling each other. */
#pragma once

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
