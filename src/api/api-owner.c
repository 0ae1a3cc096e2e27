// SPDX-License-Identifier: LGPL-2.1-or-later
/* The public API: managed mode (prepare, release, recover). */
#include "api/api-private.h"

#include "hostdev/managed/domain-xml.h"
#include "hostdev/managed/memlock.h"
#include "util/hd-error.h"
#include "hostdev/managed/owner-release.h"
#include "hostdev/managed/prepare.h"
#include "hostdev/managed/qemu-args.h"
#include "hostdev/managed/recover.h"
#include "hostdev/managed/release.h"

G_STATIC_ASSERT(VH_DOMAIN_XML_MAX_BYTES == HD_DOMAIN_XML_MAX_BYTES);
G_STATIC_ASSERT((int)VH_PREPARE_BOUND == (int)HD_PREPARE_BOUND);
G_STATIC_ASSERT((int)VH_PREPARE_ON_VFIO == (int)HD_PREPARE_ON_VFIO);
G_STATIC_ASSERT((int)VH_PREPARE_OWNED == (int)HD_PREPARE_OWNED);
G_STATIC_ASSERT((int)VH_RELEASE_RESTORED == (int)HD_RELEASE_RESTORED);
G_STATIC_ASSERT((int)VH_RELEASE_KEPT == (int)HD_RELEASE_KEPT);
G_STATIC_ASSERT((int)VH_RELEASE_GONE == (int)HD_RELEASE_GONE);
G_STATIC_ASSERT((int)VH_RELEASE_NOT_OWNED == (int)HD_RELEASE_NOT_OWNED);
G_STATIC_ASSERT((int)VH_RELEASE_STUCK == (int)HD_RELEASE_STUCK);
G_STATIC_ASSERT((int)VH_RECOVER_ROLLED_BACK == (int)HD_RECOVER_ROLLED_BACK);
G_STATIC_ASSERT((int)VH_RECOVER_FINISHED == (int)HD_RECOVER_FINISHED);
G_STATIC_ASSERT((int)VH_RECOVER_BUSY == (int)HD_RECOVER_BUSY);
G_STATIC_ASSERT((int)VH_RECOVER_FAILED == (int)HD_RECOVER_FAILED);

struct _VhPrepareRequest {
  char *owner;
  char *user;
  guint64 memlock_needed; /* 0: no check */
  gboolean adopt_only;
  HdQemuVersion qemu;     /* {0, 0}: not known */
  GPtrArray *specs;       /* HdHostdevSpec* */
};

/* One prepared device and its QEMU arguments, which depend on the whole
 * VM (iommufd is used for all devices or for none). */
struct _VhPreparedDevice {
  HdPrepareResult *result;
  GPtrArray *qemu_args;
};

struct _VhPrepareResult {
  GPtrArray *devices; /* VhPreparedDevice* */
  gboolean iommufd;
  GPtrArray *qemu_args;
};

VhPrepareRequest *vh_prepare_request_new(const char *owner)
{
  VhPrepareRequest *request = g_new0(VhPrepareRequest, 1);

  request->owner = g_strdup(owner);
  request->specs = g_ptr_array_new_with_free_func((GDestroyNotify)hd_hostdev_spec_free);
  return request;
}

void vh_prepare_request_free(VhPrepareRequest *request)
{
  if (request == NULL)
    return;
  g_free(request->owner);
  g_free(request->user);
  g_ptr_array_unref(request->specs);
  g_free(request);
}

gboolean vh_prepare_request_add_device(VhPrepareRequest *request, const char *address, gboolean managed,
                                       const char *model, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  g_autoptr(HdHostdevSpec) spec = g_new0(HdHostdevSpec, 1);

  if (!hd_pci_address_parse(address, &spec->address, error))
    return FALSE;
  spec->managed = managed;
  spec->model = g_strdup(model);
  g_ptr_array_add(request->specs, g_steal_pointer(&spec));
  return TRUE;
}

/* Takes SPECS' elements (NULL: the parse failed, ERROR is set). */
static gboolean add_specs(VhPrepareRequest *request, GPtrArray *specs)
{
  if (specs == NULL)
    return FALSE;
  g_ptr_array_extend_and_steal(request->specs, specs);
  return TRUE;
}

gboolean vh_prepare_request_add_domain_xml(VhPrepareRequest *request, const char *text, gsize length,
                                           const char *name, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return add_specs(request, hd_domain_xml_parse(text, length, name, error));
}

gboolean vh_prepare_request_add_domain_xml_file(VhPrepareRequest *request, const char *path, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return add_specs(request, hd_domain_xml_parse_file(path, error));
}

void vh_prepare_request_set_user(VhPrepareRequest *request, const char *user)
{
  g_free(request->user);
  request->user = g_strdup(user);
}

void vh_prepare_request_set_memlock_needed(VhPrepareRequest *request, guint64 bytes)
{
  request->memlock_needed = bytes;
}

void vh_prepare_request_set_adopt_only(VhPrepareRequest *request, gboolean adopt_only)
{
  request->adopt_only = adopt_only;
}

void vh_prepare_request_set_qemu_version(VhPrepareRequest *request, guint major, guint minor)
{
  request->qemu = (HdQemuVersion){major, minor};
}

gboolean vh_qemu_version_parse(const char *text, guint *major, guint *minor, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  HdQemuVersion version = {0, 0};

  if (!hd_qemu_version_parse(text, &version, error))
    return FALSE;
  *major = version.major;
  *minor = version.minor;
  return TRUE;
}

gboolean vh_qemu_version_query(const char *qemu, guint *major, guint *minor, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  HdQemuVersion version = {0, 0};

  if (!hd_qemu_version_query(qemu, &version, error))
    return FALSE;
  *major = version.major;
  *minor = version.minor;
  return TRUE;
}

static void prepared_device_free(VhPreparedDevice *device)
{
  hd_prepare_result_free(device->result);
  g_ptr_array_unref(device->qemu_args);
  g_free(device);
}

/* Wraps RESULTS (HdPrepareResult*, taken) with their arguments for QEMU. */
static VhPrepareResult *prepare_result_new(GPtrArray *results, const HdQemuVersion *qemu)
{
  VhPrepareResult *prepared = g_new0(VhPrepareResult, 1);

  prepared->iommufd = hd_qemu_use_iommufd(results, qemu);
  prepared->qemu_args = hd_qemu_args(results, prepared->iommufd);
  prepared->devices = g_ptr_array_new_with_free_func((GDestroyNotify)prepared_device_free);
  for (guint i = 0; i < results->len; i++) {
    VhPreparedDevice *device = g_new0(VhPreparedDevice, 1);
    device->result = g_ptr_array_index(results, i);
    device->qemu_args = hd_qemu_device_args(device->result, prepared->iommufd);
    g_ptr_array_add(prepared->devices, device);
  }
  g_ptr_array_set_free_func(results, NULL);
  g_ptr_array_unref(results);
  return prepared;
}

VhPrepareResult *vh_prepare(VhManager *manager, const VhPrepareRequest *request, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  HdPrepareOptions options = {request->owner, request->user, api_unbind_timeout(manager), request->adopt_only,
                              request->memlock_needed};
  GPtrArray *results = hd_prepare(api_hd_manager(manager), request->specs, &options, error);

  if (results == NULL)
    return NULL;
  VhPrepareResult *prepared = prepare_result_new(results, &request->qemu);
  g_autofree char *memlock = request->memlock_needed > 0
                               ? hd_memlock_warning(request->memlock_needed, request->user, prepared->iommufd,
                                                    request->owner)
                               : NULL;
  if (memlock != NULL)
    hd_manager_warn(api_hd_manager(manager), "%s", memlock);
  return prepared;
}

void vh_prepare_result_free(VhPrepareResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref(result->devices);
  g_ptr_array_unref(result->qemu_args);
  g_free(result);
}

const GPtrArray *vh_prepare_result_get_devices(const VhPrepareResult *result) { return result->devices; }
gboolean vh_prepare_result_uses_iommufd(const VhPrepareResult *result) { return result->iommufd; }
const GPtrArray *vh_prepare_result_get_qemu_args(const VhPrepareResult *result) { return result->qemu_args; }

const char *vh_prepare_outcome_name(VhPrepareOutcome outcome)
{
  return hd_prepare_outcome_name((HdPrepareOutcome)outcome);
}

const char *vh_prepared_device_get_address(const VhPreparedDevice *device) { return device->result->address; }
gboolean vh_prepared_device_is_managed(const VhPreparedDevice *device) { return device->result->managed; }
VhPrepareOutcome vh_prepared_device_get_outcome(const VhPreparedDevice *device) { return (VhPrepareOutcome)device->result->outcome; }
const char *vh_prepared_device_get_vfio_driver(const VhPreparedDevice *device) { return device->result->driver; }
const char *vh_prepared_device_get_original_driver(const VhPreparedDevice *device) { return device->result->original_driver; }
gint64 vh_prepared_device_get_iommu_group(const VhPreparedDevice *device) { return device->result->group; }
const char *vh_prepared_device_get_vfio_device(const VhPreparedDevice *device) { return device->result->vfio_device; }
const char *vh_prepared_device_get_group_node(const VhPreparedDevice *device) { return device->result->group_node; }
const char *vh_prepared_device_get_cdev(const VhPreparedDevice *device) { return device->result->cdev; }
const GPtrArray *vh_prepared_device_get_qemu_args(const VhPreparedDevice *device) { return device->qemu_args; }

GPtrArray *vh_release(VhManager *manager, const char *owner, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_release(api_hd_manager(manager), owner, api_unbind_timeout(manager), error);
}

const char *vh_release_outcome_name(VhReleaseOutcome outcome)
{
  return hd_release_outcome_name((HdReleaseOutcome)outcome);
}

const char *vh_release_result_get_address(const VhReleaseResult *result) { return result->address; }
gboolean vh_release_result_is_managed(const VhReleaseResult *result) { return result->managed; }
VhReleaseOutcome vh_release_result_get_outcome(const VhReleaseResult *result) { return (VhReleaseOutcome)result->outcome; }
const char *vh_release_result_get_original_driver(const VhReleaseResult *result) { return result->original_driver; }
const char *vh_release_result_get_driver(const VhReleaseResult *result) { return result->driver; }
const GError *vh_release_result_get_error(const VhReleaseResult *result) { return result->error; }

GPtrArray *vh_recover(VhManager *manager, GError **error)
{
  API_ERRORS_IN_DOMAIN(error);
  return hd_recover(api_hd_manager(manager), api_unbind_timeout(manager), error);
}

const char *vh_recover_action_name(VhRecoverAction action)
{
  return hd_recover_action_name((HdRecoverAction)action);
}

const char *vh_recover_entry_get_owner(const VhRecoverEntry *entry) { return entry->owner; }
const char *vh_recover_entry_get_operation(const VhRecoverEntry *entry) { return entry->operation; }
VhRecoverAction vh_recover_entry_get_action(const VhRecoverEntry *entry) { return (VhRecoverAction)entry->action; }
const GPtrArray *vh_recover_entry_get_devices(const VhRecoverEntry *entry) { return entry->devices; }
const GError *vh_recover_entry_get_error(const VhRecoverEntry *entry) { return entry->error; }

char *vh_recover_entry_describe(const VhRecoverEntry *entry)
{
  return hd_recover_entry_describe(entry);
}
