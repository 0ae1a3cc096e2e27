// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/doctor/hypervisor.h"

#include <string.h>

#include "util/host-paths.h"
#include "util/sysfs.h"

/* Whether a "flags" line of /proc/cpuinfo lists "hypervisor". */
static gboolean cpu_flag_hypervisor(void)
{
  g_autofree char *path = hd_path_cpuinfo();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit(text, "\n", -1);
  for (char **line = lines; *line != NULL; line++) {
    const char *colon = strchr(*line, ':');
    g_auto(GStrv) flags = NULL;

    if (!g_str_has_prefix(*line, "flags") || colon == NULL)
      continue;
    flags = g_strsplit_set(colon + 1, " \t", -1);
    return g_strv_contains((const char *const *)flags, "hypervisor");
  }
  return FALSE;
}

static char *read_dmi(const char *attr)
{
  g_autofree char *path = hd_path_dmi_id(attr);
  char *value = hd_sysfs_read(path, NULL);

  return value != NULL ? g_strstrip(value) : g_strdup("");
}

/* DMI strings the hypervisors put there (sys_vendor, then product_name). */
static HdVmm vmm_from_dmi(const char *vendor, const char *product)
{
  static const struct {
    const char *word;
    HdVmm vmm;
  } known[] = {
    {"QEMU", HD_VMM_QEMU},       {"KVM", HD_VMM_QEMU},           {"OpenStack", HD_VMM_QEMU},
    {"oVirt", HD_VMM_QEMU},      {"VMware", HD_VMM_VMWARE},      {"Xen", HD_VMM_XEN},
    {"HVM domU", HD_VMM_XEN},    {"Virtual Machine", HD_VMM_HYPERV},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
    if (strstr(vendor, known[i].word) != NULL || strstr(product, known[i].word) != NULL)
      return known[i].vmm;
  return HD_VMM_NONE;
}

HdHypervisor *hd_hypervisor_detect(void)
{
  HdHypervisor *hypervisor = g_new0(HdHypervisor, 1);
  g_autofree char *vendor = read_dmi("sys_vendor");
  g_autofree char *product = read_dmi("product_name");
  HdVmm from_dmi = vmm_from_dmi(vendor, product);

  /* Microsoft's "Virtual Machine" product is Hyper-V; a Surface is not. */
  if (from_dmi == HD_VMM_HYPERV && strstr(vendor, "Microsoft") == NULL)
    from_dmi = HD_VMM_NONE;
  if (from_dmi != HD_VMM_NONE) {
    hypervisor->vmm = from_dmi;
    hypervisor->evidence = g_strdup_printf("DMI: %s %s", vendor, product);
  } else if (cpu_flag_hypervisor()) {
    hypervisor->vmm = HD_VMM_OTHER;
    hypervisor->evidence = vendor[0] != '\0' ? g_strdup_printf("hypervisor CPU flag, DMI: %s %s", vendor, product)
                                             : g_strdup("hypervisor CPU flag");
  }
  return hypervisor;
}

void hd_hypervisor_free(HdHypervisor *hypervisor)
{
  if (hypervisor == NULL)
    return;
  g_free(hypervisor->evidence);
  g_free(hypervisor);
}

const char *hd_vmm_name(HdVmm vmm)
{
  switch (vmm) {
  case HD_VMM_QEMU:
    return "QEMU";
  case HD_VMM_VMWARE:
    return "VMware";
  case HD_VMM_HYPERV:
    return "Hyper-V";
  case HD_VMM_XEN:
    return "Xen";
  case HD_VMM_NONE:
  case HD_VMM_OTHER:
    break;
  }
  return "a hypervisor";
}

const char *hd_vmm_viommu_advice(HdVmm vmm)
{
  switch (vmm) {
  case HD_VMM_QEMU:
    return "give the guest a virtual IOMMU: QEMU -machine q35,kernel-irqchip=split -device "
           "intel-iommu,intremap=on,caching-mode=on (the first -device) and intel_iommu=on in the guest, "
           "or -device virtio-iommu-pci; libvirt: <iommu model='intel'><driver intremap='on' "
           "caching_mode='on'/></iommu> with <ioapic driver='qemu'/>";
  case HD_VMM_VMWARE:
    return "expose the IOMMU to the guest (VM settings, CPU: \"Expose IOMMU to the guest OS\", vvtd.enable "
           "= TRUE) and boot it with intel_iommu=on";
  case HD_VMM_HYPERV:
  case HD_VMM_XEN:
  case HD_VMM_OTHER:
  case HD_VMM_NONE:
    break;
  }
  return "the hypervisor must give this guest a virtual IOMMU with interrupt remapping (most clouds and "
         "Hyper-V do not); otherwise pass the devices through on the host itself";
}
