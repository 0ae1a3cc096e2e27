// SPDX-License-Identifier: LGPL-2.1-or-later
/* api-example: the libvfio-hostdev API in one small program (docs/api.md).
 *
 *   api-example                   list the host's PCI devices
 *   api-example BDF               ... and say which VFIO driver BDF would get, and why
 *   api-example BDF bind          ... then bind it to that driver
 *   api-example BDF reattach      ... or give it back to the driver it had before bind
 *
 * Build it against an installed library:
 *   cc -o api-example api-example.c $(pkg-config --cflags --libs vfio-hostdev)
 * Exit status: 0, or the VH_ERROR code of what failed (the command's exit codes).
 */
#include <stdio.h>
#include <string.h>

#include <vfio-hostdev.h>

/* One line per device: address, IDs, driver, IOMMU group, VFIO state. */
static void print_device(const VhDevice *device)
{
  const char *driver = vh_device_get_driver(device);
  const char *vfio_device = vh_device_get_vfio_device(device);

  printf("%s %04x:%04x driver=%s group=%" G_GINT64_FORMAT " vfio=%s\n", vh_device_get_address(device),
         vh_device_get_vendor_id(device), vh_device_get_device_id(device), driver != NULL ? driver : "-",
         vh_device_get_iommu_group(device),
         vh_device_is_vfio_bound(device) ? (vfio_device != NULL ? vfio_device : "yes") : "-");
}

static gboolean list_devices(VhManager *manager, GError **error)
{
  g_autoptr(GPtrArray) devices = vh_manager_list_devices(manager, error);

  if (devices == NULL)
    return FALSE;
  for (guint i = 0; i < devices->len; i++)
    print_device(g_ptr_array_index(devices, i));
  return TRUE;
}

/* The variant rule's answer for the device at ADDRESS, with its candidates. */
static gboolean show_choice(VhManager *manager, const char *address, GError **error)
{
  g_autoptr(VhDevice) device = vh_manager_get_device(manager, address, error);

  if (device == NULL)
    return FALSE;
  g_autoptr(VhVfioChoice) choice = vh_manager_choose_vfio_driver(manager, device);
  const GPtrArray *candidates = vh_vfio_choice_get_candidates(choice);
  printf("choice %s: %s\n", vh_device_get_address(device), vh_vfio_choice_get_module(choice));
  printf("reason: %s\n", vh_vfio_choice_get_reason(choice));
  for (guint i = 0; i < candidates->len; i++) {
    const VhVfioCandidate *candidate = g_ptr_array_index(candidates, i);
    printf("candidate: %s (%u wildcards)\n", vh_vfio_candidate_get_module(candidate),
           vh_vfio_candidate_get_wildcards(candidate));
  }
  return TRUE;
}

static gboolean bind_one(VhManager *manager, const char *address, GError **error)
{
  const char *const addresses[] = {address, NULL};
  /* results xor error: NULL when nothing was attempted; otherwise each
   * result says what happened to its device, failures included */
  g_autoptr(GPtrArray) results = vh_bind(manager, addresses, NULL, VH_BIND_NONE, error);

  if (results == NULL)
    return FALSE;
  for (guint i = 0; i < results->len; i++) {
    const VhBindResult *result = g_ptr_array_index(results, i);
    const char *driver = vh_bind_result_get_driver(result);
    printf("bind %s: %s, driver %s\n", vh_bind_result_get_address(result),
           vh_bind_outcome_name(vh_bind_result_get_outcome(result)), driver != NULL ? driver : "-");
    if (vh_bind_result_get_error(result) != NULL) {
      g_propagate_error(error, g_error_copy(vh_bind_result_get_error(result)));
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean reattach_one(VhManager *manager, const char *address, GError **error)
{
  const char *const addresses[] = {address, NULL};
  g_autoptr(GPtrArray) results = vh_reattach(manager, addresses, error);

  if (results == NULL)
    return FALSE;
  for (guint i = 0; i < results->len; i++) {
    const VhReattachResult *result = g_ptr_array_index(results, i);
    const char *driver = vh_reattach_result_get_driver(result);
    printf("reattach %s: %s, driver %s\n", vh_reattach_result_get_address(result),
           vh_reattach_outcome_name(vh_reattach_result_get_outcome(result)), driver != NULL ? driver : "-");
    if (vh_reattach_result_get_error(result) != NULL) {
      g_propagate_error(error, g_error_copy(vh_reattach_result_get_error(result)));
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean run(VhManager *manager, int argc, char **argv, GError **error)
{
  if (!list_devices(manager, error))
    return FALSE;
  if (argc < 2)
    return TRUE;
  if (!show_choice(manager, argv[1], error))
    return FALSE;
  if (argc < 3)
    return TRUE;
  /* bind and reattach change devices: finish what a crash left half done first */
  vh_manager_recover_interrupted(manager);
  if (strcmp(argv[2], "bind") == 0)
    return bind_one(manager, argv[1], error);
  if (strcmp(argv[2], "reattach") == 0)
    return reattach_one(manager, argv[1], error);
  g_set_error(error, VH_ERROR, VH_ERROR_INVALID, "unknown action \"%s\": bind or reattach", argv[2]);
  return FALSE;
}

int main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VhManager) manager = vh_manager_new(NULL, &error);
  gboolean ok = manager != NULL && run(manager, argc, argv, &error);

  /* warnings (no modules.alias, recovered operations...) never fail a call */
  for (guint i = 0; manager != NULL && i < vh_manager_get_warnings(manager)->len; i++)
    fprintf(stderr, "warning: %s\n", (const char *)g_ptr_array_index(vh_manager_get_warnings(manager), i));
  if (!ok)
    fprintf(stderr, "error: %s\n", error->message);
  return vh_error_exit_code(error);
}
