/* The individual checks of doctor.h, grouped by subject, one file each:
 * doctor-iommu.c, doctor-vfio.c, doctor-host.c, doctor-kernel.c. Each
 * returns a new HdCheck and never fails: a fact that cannot be read
 * becomes a warning saying so. */
#pragma once

#include "hostdev/device/manager.h"
#include "hostdev/doctor/check-result.h"

/* doctor-iommu.c */
HdCheck *hd_doctor_check_iommu(void);
HdCheck *hd_doctor_check_interrupt_remapping(void);

/* doctor-vfio.c */
HdCheck *hd_doctor_check_vfio_module(HdManager *manager);
HdCheck *hd_doctor_check_vfio_pci(HdManager *manager);
HdCheck *hd_doctor_check_dev_vfio(void);

/* doctor-host.c */
HdCheck *hd_doctor_check_sysfs_writable(void);
HdCheck *hd_doctor_check_modules_alias(HdManager *manager);
HdCheck *hd_doctor_check_hugepages(void);

/* doctor-kernel.c */
HdCheck *hd_doctor_check_vfio_dev(HdManager *manager);
HdCheck *hd_doctor_check_vfio_cdev(void);
HdCheck *hd_doctor_check_iommufd(HdManager *manager);
