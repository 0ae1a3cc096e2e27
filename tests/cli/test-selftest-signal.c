// SPDX-License-Identifier: LGPL-2.1-or-later
/* `vfio-hostdev test` stopped by a signal mid-case (the mock's uAPI
 * preload holds an ioctl): KTAP or JSON with stdout a pipe or a file. */
#include "selftest-test-util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAUSED "/.mock/uapi-paused"

/* Runs `test EDU ARGS` with stdout on OUT_FD (a pipe's end or a file), the
 * first DMA map paused (dma.map_anonymous, case 3 with --filter dma.*);
 * sends SIGTERM there, lets the map go on and returns the wait status. */
static int run_interrupted(MockHost *host, int out_fd, int pipe_read, char **out, const char *extra)
{
  g_auto(GStrv) env = mock_host_environ(host);
  const char *argv[] = {VFIO_HOSTDEV_BIN, "test", EDU, "--filter", "dma.*", extra, NULL};
  g_autofree char *paused = g_build_filename(mock_host_root(host), PAUSED, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new(NULL);
  GPid pid = 0;
  int status = 0;

  st_inject(host, "IOMMU_IOAS_MAP pause 1\n");
  g_assert_true(g_spawn_async_with_fds(NULL, (char **)argv, env, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid, -1,
                                       out_fd, -1, &error));
  g_assert_no_error(error);
  g_assert_true(cli_wait_for_file(paused, pid));
  g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
  g_assert_cmpint(unlink(paused), ==, 0);
  if (pipe_read >= 0) {
    char buf[4096];
    ssize_t n;
    close(out_fd);
    while ((n = read(pipe_read, buf, sizeof(buf))) > 0)
      g_string_append_len(text, buf, n);
    close(pipe_read);
    *out = g_string_free(g_steal_pointer(&text), FALSE);
  }
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  return status;
}

/* The case that was running finishes, the rest are reported as not run,
 * then the totals and "Bail out!"; the process ends by the signal. */
static void assert_interrupted_ktap(const char *out, int status)
{
  g_auto(Ktap) ktap = {0};

  g_test_message("%s", out);
  g_assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  ktap_parse(out, &ktap);
  g_assert_cmpstr(ktap_status(&ktap, "dma.iova_ranges"), ==, "ok");
  g_assert_cmpstr(ktap_status(&ktap, "dma.map_anonymous"), ==, "ok");
  g_assert_cmpstr(ktap_line(&ktap, "dma.map_hugetlb_2m"), ==,
                  "not ok 4 dma.map_hugetlb_2m # SKIP interrupted by signal 15 before it ran");
  g_assert_cmpstr(ktap_line(&ktap, "dma.overflow"), ==,
                  "not ok 9 dma.overflow # SKIP interrupted by signal 15 before it ran");
  g_assert_nonnull(strstr(out, "\n# Totals: pass:3 fail:0 skip:6\nBail out! interrupted by signal 15: "));
  g_assert_nonnull(ktap.bail_out);
}

static void test_interrupted_pipe(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autofree char *out = NULL;
  int fds[2];

  g_assert_cmpint(pipe(fds), ==, 0);
  int status = run_interrupted(host, fds[1], fds[0], &out, NULL);
  assert_interrupted_ktap(out, status);
}

static void test_interrupted_file(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_autofree char *path = g_build_filename(mock_host_root(host), "ktap.out", NULL);
  g_autofree char *out = NULL;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int status;

  g_assert_cmpint(fd, >=, 0);
  status = run_interrupted(host, fd, -1, NULL, NULL);
  close(fd);
  g_assert_true(g_file_get_contents(path, &out, NULL, NULL));
  assert_interrupted_ktap(out, status);
}

static void test_interrupted_json(void)
{
  g_autoptr(MockHost) host = cli_host("realistic");
  g_auto(CliResult) result = {0};
  int fds[2];

  g_assert_cmpint(pipe(fds), ==, 0);
  int status = run_interrupted(host, fds[1], fds[0], &result.out, "--json");
  g_assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  g_autoptr(JsonNode) root = cli_parse_json(&result);
  JsonObject *object = json_node_get_object(root);
  JsonArray *results = json_object_get_array_member(object, "results");
  JsonObject *totals = json_object_get_object_member(object, "totals");
  g_assert_cmpint(json_object_get_int_member(object, "interrupted_by_signal"), ==, SIGTERM);
  g_assert_cmpuint(json_array_get_length(results), ==, json_object_get_int_member(object, "plan"));
  g_assert_cmpint(json_object_get_int_member(totals, "skip"), ==, 6);
  JsonObject *last = json_array_get_object_element(results, json_array_get_length(results) - 1);
  g_assert_cmpstr(json_object_get_string_member(last, "status"), ==, "skip");
  g_assert_cmpstr(json_object_get_string_member(last, "reason"), ==, "interrupted by signal 15 before it ran");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  st_use_uapi_preload();
  g_test_add_func("/test/interrupted/pipe", test_interrupted_pipe);
  g_test_add_func("/test/interrupted/file", test_interrupted_file);
  g_test_add_func("/test/interrupted/json", test_interrupted_json);
  return g_test_run();
}
