/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The individual checks of doctor.h, grouped by subject, one file each:
 * doctor-iommu.c, doctor-vfio.c, doctor-host.c, doctor-kernel.c. Each
 * returns a new HdCheck and never fails: a fact that cannot be read
 * becomes a warning saying so. */
#pragma once

#include "hostdev/device/manager.h"
#include "hostdev/doctor/check-result.h"
#include "hostdev/doctor/hypervisor.h"
#include "hostdev/doctor/kernel-config.h"

/* What several checks need to know about the host, read once. */
typedef struct {
  HdManager *manager;
  HdKernelConfig *config;   /* the running kernel's build options; NULL: unknown */
  HdHypervisor *hypervisor; /* never NULL; vmm HD_VMM_NONE on bare metal */
} HdDoctorHost;

/* doctor-iommu.c */
HdCheck *hd_doctor_check_iommu(const HdDoctorHost *host);
HdCheck *hd_doctor_check_interrupt_remapping(const HdDoctorHost *host);

/* doctor-vfio.c */
HdCheck *hd_doctor_check_vfio_module(const HdDoctorHost *host);
HdCheck *hd_doctor_check_vfio_pci(const HdDoctorHost *host);
HdCheck *hd_doctor_check_dev_vfio(const HdDoctorHost *host);

/* doctor-vfio-iommu.c */
HdCheck *hd_doctor_check_iommu_type1(const HdDoctorHost *host);
HdCheck *hd_doctor_check_noiommu(void);

/* doctor-host.c */
HdCheck *hd_doctor_check_sysfs_writable(void);
HdCheck *hd_doctor_check_modules_alias(HdManager *manager);
HdCheck *hd_doctor_check_hugepages(void);
HdCheck *hd_doctor_check_deny_list(void);

/* doctor-kernel.c */
HdCheck *hd_doctor_check_vfio_dev(const HdDoctorHost *host);
HdCheck *hd_doctor_check_vfio_cdev(const HdDoctorHost *host);
HdCheck *hd_doctor_check_iommufd(const HdDoctorHost *host);
