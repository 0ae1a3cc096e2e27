/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the prepare, release and recover tests: domain XML
 * files, runs with extra environment (the crash hook), and the state
 * a device should be back in. */
#pragma once

#include "bind-test-util.h"

#define E1000E "0000:01:00.0"
#define EDU "0000:00:02.0"
#define VIRTIO "0000:02:00.0"
#define TESTDEV "0000:00:06.0"
#define NVME "0000:03:00.0"
#define LPC "0000:00:1f.0"
#define AHCI "0000:00:1f.2"
#define SMBUS "0000:00:1f.3"

/* "<hostdev mode='subsystem' type='pci' managed='yes|no'>" for ADDRESS
 * ("0000:01:00.0"), with <driver name='vfio' model=MODEL/> when MODEL is
 * not NULL. Newly allocated. */
char *mt_hostdev(const char *address, gboolean managed, const char *model);

/* Writes "<domain type='kvm'><name>NAME</name><devices>BODY</devices></domain>"
 * to a file in HOST's root (outside every faked path) and returns its path. */
char *mt_domain_file(MockHost *host, const char *body);

/* Runs `vfio-hostdev ARGS...` with the extra environment ENV (NULL or a
 * NULL-terminated "NAME=VALUE" list). */
void mt_run_env(MockHost *host, CliResult *result, const char *const *env, const char *const *args);

/* Runs with VFIO_HOSTDEV_TEST_CRASH_AT=STEP. */
void mt_run_crash_at(MockHost *host, CliResult *result, guint step, const char *const *args);

/* Runs `vfio-hostdev ARGS...` with the crash hook set to kill it before
 * its durable step STEP. FALSE when the run finished first (RESULT holds
 * that run). Otherwise asserts it died of SIGKILL, waits until no kernel
 * write it started is still in flight (every .pending lock free: its write
 * helpers outlive it) and asserts that no process it started is left (the
 * write helpers; for `run`, the command and what the command started). */
gboolean mt_crash(MockHost *host, guint step, const char *const *args, CliResult *result);

/* mt_crash(), then, when the run was killed, `recover --json`, asserted to
 * succeed with a JSON array: TRUE with RESULT holding recover's run. */
gboolean mt_crash_then_recover(MockHost *host, guint step, const char *const *args, CliResult *result);

/* Waits until no process but zombies runs on HOST (has its
 * VFIO_HOSTDEV_MOCK_ROOT in its environment); fails the test when one is
 * still there after two minutes (a leak, not a slow machine). */
void mt_wait_no_process_left(MockHost *host);

gboolean mt_has_journal(MockHost *host, const char *owner);

/* Owner uid of a faked path (a device node); -1 when missing. */
gint64 mt_uid(MockHost *host, const char *path);

/* The named-user entries of the faked /dev/iommu's ACL, "UID:PERM" joined
 * by commas ("65534:6"), then ";mode=OOOO": "" entries when it has no ACL. */
char *mt_iommu_acl(MockHost *host);

/* A hash of what must come back after a rollback: the kernel's tree (/sys,
 * /dev, with /dev/iommu's ACL) plus every record and journal in /run/vfio-hostdev (lock files
 * excluded: they are empty and harmless). */
char *mt_state_hash(MockHost *host);

/* Asserts every node under /dev/vfio (cdevs included) belongs to root. */
void mt_assert_nodes_root(MockHost *host);
