// SPDX-License-Identifier: LGPL-2.1-or-later
#include "util/crash-point.h"

#include <signal.h>
#include <unistd.h>

static GMutex mutex;
static GCond cond;
static guint writes_in_progress;
static gboolean dying;

/* 0: no crash configured; read once, before any thread could race on it. */
static guint64 crash_at(void)
{
  static gsize once = 0;
  static guint64 value = 0;

  if (g_once_init_enter(&once)) {
    const char *text = g_getenv(HD_CRASH_AT_ENV);
    if (text != NULL)
      value = g_ascii_strtoull(text, NULL, 10);
    g_once_init_leave(&once, 1);
  }
  return value;
}

void hd_crash_point(void)
{
  static guint64 steps = 0;

  if (crash_at() == 0)
    return;
  g_mutex_lock(&mutex);
  if (++steps == crash_at()) {
    dying = TRUE;
    while (writes_in_progress > 0)
      g_cond_wait(&cond, &mutex);
    kill(getpid(), SIGKILL);
  }
  g_mutex_unlock(&mutex);
}

void hd_crash_write_begin(void)
{
  if (crash_at() == 0)
    return;
  g_mutex_lock(&mutex);
  /* the process is about to die: no new write may start */
  while (dying)
    g_cond_wait(&cond, &mutex);
  writes_in_progress++;
  g_mutex_unlock(&mutex);
}

void hd_crash_write_end(void)
{
  if (crash_at() == 0)
    return;
  g_mutex_lock(&mutex);
  writes_in_progress--;
  g_cond_broadcast(&cond);
  g_mutex_unlock(&mutex);
}
