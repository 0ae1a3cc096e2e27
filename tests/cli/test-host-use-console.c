// SPDX-License-Identifier: LGPL-2.1-or-later
/* `bind`'s console and device-node checks (src/hostdev/shared/
 * host-use-display.c, host-use-nodes.c) against the host-use-console
 * fixture: the boot VGA device is refused even with no driver; the
 * firmware framebuffer counts for the device whose BAR holds it and for no
 * other; a serial console counts for its UART only; a process holding a
 * DRM node is named. Every refusal: exit 4, one line, nothing changed, no
 * record, no module loaded; --force binds anyway. */
#include <fcntl.h>
#include <unistd.h>

#include "bind-test-util.h"

#define BOOT_VGA "0000:00:01.0" /* no driver, boot_vga = 1 */
#define GPU_FWFB "0000:00:02.0" /* no driver, BAR 0 holds the firmware framebuffer fb1 */
#define GPU_FREE "0000:00:03.0" /* no driver, nothing of the host on it */
#define GPU_DRM "0000:00:04.0"  /* amdgpu, /dev/dri/card0 and renderD128 */
#define UART_CONSOLE "0000:00:16.3" /* ttyS4, in /proc/consoles */
#define UART_FREE "0000:00:16.4"    /* ttyS5, no console */

/* The boot VGA device with no driver: refused all the same (binding it
 * would take the firmware's console). */
static void test_boot_vga_unbound(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-console");

  g_free(bt_assert_refused(host, FALSE, BOOT_VGA, NULL,
                 (const char *const[]){"(no driver)", "it is the boot VGA device", NULL}));
}

/* The firmware framebuffer (simpledrm on a platform device) counts for the
 * GPU whose BAR 0 holds it, named with the BAR and the address; another
 * GPU binds: a framebuffer elsewhere is not its console. */
static void test_framebuffer_in_bar(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-console");

  g_free(bt_assert_refused(host, FALSE, GPU_FWFB, NULL,
                 (const char *const[]){"console framebuffer fb1 (simpledrmdrmfb) lies in its BAR 0 (0xc0000000)",
                                       NULL}));
  bt_assert_binds(host, FALSE, GPU_FREE);
}

/* Without the BOOTFB resource (a kernel that did not reserve it), the
 * platform framebuffer is nobody's: the GPU binds. */
static void test_framebuffer_unplaced(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-console");

  mock_host_write(host, "/proc/iomem", "80000000-febfffff : PCI Bus 0000:00\n  c0000000-cfffffff : 0000:00:02.0\n");
  bt_assert_binds(host, FALSE, GPU_FWFB);
}

/* A serial console on the UART refuses it; the UART next to it binds. */
static void test_serial_console(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-console");

  g_free(bt_assert_refused(host, FALSE, UART_CONSOLE, "serial",
                 (const char *const[]){"serial console ttyS4 (/proc/consoles) is on it", NULL}));
  bt_assert_binds(host, FALSE, UART_FREE);
}

/* A process holding /dev/dri/card0 (a display server) is named by pid and
 * name; once it lets go the GPU binds. */
static void test_drm_node_held(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-console");
  g_autofree char *node = g_build_filename(mock_host_root(host), "dev/dri/card0", NULL);
  int fd = open(node, O_RDONLY | O_CLOEXEC);
  g_autofree char *comm = NULL;

  g_assert_cmpint(fd, >=, 0);
  /* the holder's name as the kernel knows it (under valgrind it is valgrind's) */
  g_assert_true(g_file_get_contents("/proc/self/comm", &comm, NULL, NULL));
  g_autofree char *named = g_strdup_printf("process %d (%s) has /dev/dri/card0 open", (int)getpid(), g_strstrip(comm));
  g_free(bt_assert_refused(host, FALSE, GPU_DRM, "amdgpu", (const char *const[]){named, NULL}));
  close(fd);
  bt_assert_binds(host, FALSE, GPU_DRM);
}

/* --force binds every one of them, with one warning per use. */
static void test_force(void)
{
  g_autoptr(MockHost) host = cli_host("host-use-console");
  g_auto(CliResult) result = {0};
  const char *const devices[] = {BOOT_VGA, GPU_FWFB, UART_CONSOLE};
  const char *const warnings[] = {
    "warning: --force: " BOOT_VGA ": it is the boot VGA device",
    "warning: --force: " GPU_FWFB ": console framebuffer fb1",
    "warning: --force: " UART_CONSOLE ": serial console ttyS4",
  };

  cli_run(host, &result, "bind", "--force", BOOT_VGA, GPU_FWFB, UART_CONSOLE, NULL);
  g_assert_cmpint(result.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS(warnings); i++)
    g_assert_nonnull(strstr(result.err, warnings[i]));
  for (guint i = 0; i < G_N_ELEMENTS(devices); i++) {
    g_autofree char *driver = bt_driver(host, devices[i]);
    g_assert_cmpstr(driver, ==, "vfio-pci");
    g_assert_true(bt_has_record(host, devices[i]));
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/host-use-console/boot-vga-unbound", test_boot_vga_unbound);
  g_test_add_func("/host-use-console/framebuffer-in-bar", test_framebuffer_in_bar);
  g_test_add_func("/host-use-console/framebuffer-unplaced", test_framebuffer_unplaced);
  g_test_add_func("/host-use-console/serial-console", test_serial_console);
  g_test_add_func("/host-use-console/drm-node-held", test_drm_node_held);
  g_test_add_func("/host-use-console/force", test_force);
  return g_test_run();
}
