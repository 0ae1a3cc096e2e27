// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/doctor/doctor.h"

#include "hostdev/doctor/doctor-checks.h"

/* The order a reader fixes things in: the IOMMU first (nothing works
 * without it), then VFIO itself, then the host's plumbing, then optional
 * features. */
GPtrArray *hd_doctor_run(HdManager *manager)
{
  GPtrArray *checks = g_ptr_array_new_with_free_func((GDestroyNotify)hd_check_free);
  g_autoptr(HdKernelConfig) config = hd_kernel_config_read(hd_manager_kernel_release(manager));
  g_autoptr(HdHypervisor) hypervisor = hd_hypervisor_detect();
  const HdDoctorHost host = {manager, config, hypervisor};

  g_ptr_array_add(checks, hd_doctor_check_iommu(&host));
  g_ptr_array_add(checks, hd_doctor_check_interrupt_remapping(&host));
  g_ptr_array_add(checks, hd_doctor_check_vfio_module(&host));
  g_ptr_array_add(checks, hd_doctor_check_vfio_pci(&host));
  g_ptr_array_add(checks, hd_doctor_check_iommu_type1(&host));
  g_ptr_array_add(checks, hd_doctor_check_dev_vfio(&host));
  g_ptr_array_add(checks, hd_doctor_check_noiommu());
  g_ptr_array_add(checks, hd_doctor_check_sysfs_writable());
  g_ptr_array_add(checks, hd_doctor_check_modules_alias(manager));
  g_ptr_array_add(checks, hd_doctor_check_hugepages());
  g_ptr_array_add(checks, hd_doctor_check_deny_list());
  g_ptr_array_add(checks, hd_doctor_check_vfio_dev(&host));
  g_ptr_array_add(checks, hd_doctor_check_vfio_cdev(&host));
  g_ptr_array_add(checks, hd_doctor_check_iommufd(&host));
  return checks;
}

HdCheckStatus hd_doctor_worst(const GPtrArray *checks)
{
  HdCheckStatus worst = HD_CHECK_PASS;

  for (guint i = 0; i < checks->len; i++)
    worst = MAX(worst, ((const HdCheck *)g_ptr_array_index(checks, i))->status);
  return worst;
}
