#include "util/timed-write.h"

#include <gio/gio.h>

#include "util/sysfs.h"

/* Shared by the caller and the writer thread; whichever drops the last
 * reference frees it, so an abandoned writer never touches freed memory. */
typedef struct {
  gint refs;
  GMutex mutex;
  GCond done_cond;
  gboolean done;
  char *path;
  char *value;
  GError *error;
} TimedWrite;

static void timed_write_unref(TimedWrite *write)
{
  if (!g_atomic_int_dec_and_test(&write->refs))
    return;
  g_mutex_clear(&write->mutex);
  g_cond_clear(&write->done_cond);
  g_free(write->path);
  g_free(write->value);
  g_clear_error(&write->error);
  g_free(write);
}

static gpointer writer_thread(gpointer data)
{
  TimedWrite *write = data;
  GError *error = NULL;

  hd_sysfs_write(write->path, write->value, &error);
  g_mutex_lock(&write->mutex);
  write->error = error;
  write->done = TRUE;
  g_cond_signal(&write->done_cond);
  g_mutex_unlock(&write->mutex);
  timed_write_unref(write);
  return NULL;
}

gboolean hd_sysfs_write_timed(const char *path, const char *value, guint timeout_ms, GError **error)
{
  TimedWrite *write = g_new0(TimedWrite, 1);
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean finished, ok;

  write->refs = 2;
  g_mutex_init(&write->mutex);
  g_cond_init(&write->done_cond);
  write->path = g_strdup(path);
  write->value = g_strdup(value);
  g_thread_unref(g_thread_new("sysfs-write", writer_thread, write));

  g_mutex_lock(&write->mutex);
  while (!write->done && g_cond_wait_until(&write->done_cond, &write->mutex, deadline))
    ;
  finished = write->done;
  ok = finished && write->error == NULL;
  if (finished && write->error != NULL)
    g_propagate_error(error, g_steal_pointer(&write->error));
  g_mutex_unlock(&write->mutex);
  if (!finished)
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "writing to %s did not return within %u ms", path,
                timeout_ms);
  timed_write_unref(write);
  return ok;
}
