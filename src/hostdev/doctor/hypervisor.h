/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Is this host a virtual machine, and under which hypervisor? The CPU's
 * "hypervisor" flag (CPUID leaf 1, ECX bit 31, set by every hypervisor
 * for its guests) says whether; DMI's sys_vendor and product_name say
 * which. In a guest there is no firmware switch for the IOMMU: the VMM
 * must give the guest a virtual one, which is what the doctor advises. */
#pragma once

#include <glib.h>

typedef enum {
  HD_VMM_NONE,  /* bare metal, as far as the CPU flag and DMI tell */
  HD_VMM_QEMU,  /* QEMU (with or without KVM) and the clouds built on it */
  HD_VMM_VMWARE,
  HD_VMM_HYPERV,
  HD_VMM_XEN,
  HD_VMM_OTHER, /* a hypervisor the doctor has no advice for */
} HdVmm;

typedef struct {
  HdVmm vmm;
  char *evidence; /* "DMI: QEMU Standard PC (Q35 + ICH9, 2009)", "hypervisor CPU flag"; NULL on bare metal */
} HdHypervisor;

/* Reads /proc/cpuinfo and /sys/class/dmi/id. Never fails: unreadable
 * files count as bare metal. */
HdHypervisor *hd_hypervisor_detect(void);
void hd_hypervisor_free(HdHypervisor *hypervisor);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdHypervisor, hd_hypervisor_free)

/* "QEMU", "VMware", "Hyper-V", "Xen", "a hypervisor". */
const char *hd_vmm_name(HdVmm vmm);

/* What the VMM must give a guest for VFIO passthrough inside it: a
 * virtual IOMMU with interrupt remapping, in the VMM's own words. */
const char *hd_vmm_viommu_advice(HdVmm vmm);
