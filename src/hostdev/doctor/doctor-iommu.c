// SPDX-License-Identifier: LGPL-2.1-or-later
/* doctor: the IOMMU and interrupt remapping. */
#include <string.h>

#include "hostdev/doctor/doctor-checks.h"
#include "hostdev/doctor/hypervisor.h"
#include "hostdev/doctor/kernel-config.h"
#include "util/host-paths.h"
#include "util/kernel-cmdline.h"
#include "util/sysfs-paths.h"
#include "util/sysfs.h"

#define IOMMU_TITLE "IOMMU enabled"
#define IR_TITLE "Interrupt remapping"
#define CMDLINE_HOWTO "(GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot"

/* Which IOMMU the firmware describes: VT-d has an ACPI DMAR table, AMD-Vi
 * an IVRS table. /proc/cpuinfo would name the CPU vendor, but the tables say
 * what the firmware actually enabled. */
typedef enum {
  FIRMWARE_UNKNOWN, /* no ACPI tables in sysfs (not ACPI, or not readable) */
  FIRMWARE_NONE,
  FIRMWARE_INTEL,
  FIRMWARE_AMD,
  FIRMWARE_VIRTIO, /* virtio-iommu, described by an ACPI VIOT table */
} FirmwareIommu;

static FirmwareIommu firmware_iommu(void)
{
  g_autofree char *tables = hd_path_acpi_table(NULL);
  g_autofree char *dmar = hd_path_acpi_table("DMAR");
  g_autofree char *ivrs = hd_path_acpi_table("IVRS");
  g_autofree char *viot = hd_path_acpi_table("VIOT");

  if (hd_sysfs_exists(dmar))
    return FIRMWARE_INTEL;
  if (hd_sysfs_exists(ivrs))
    return FIRMWARE_AMD;
  if (hd_sysfs_exists(viot))
    return FIRMWARE_VIRTIO;
  return hd_sysfs_is_dir(tables) ? FIRMWARE_NONE : FIRMWARE_UNKNOWN;
}

/* The command line, or an empty one when it cannot be read (then nothing
 * is claimed about it beyond "not seen"). */
static HdCmdline *read_cmdline(void)
{
  HdCmdline *cmdline = hd_cmdline_read(NULL);

  return cmdline != NULL ? cmdline : hd_cmdline_parse("");
}

static guint count_groups(void)
{
  g_autofree char *path = hd_path_iommu_groups();
  g_autoptr(GPtrArray) groups = hd_sysfs_list_dir(path, NULL);

  return groups != NULL ? groups->len : 0;
}

/* A parameter that turns the IOMMU off, as written on the command line.
 * AMD's IOMMU is on by default: amd_iommu=off and iommu=off are the only
 * ways it ends up off on a machine whose firmware has it. */
static const char *disabling_param(const HdCmdline *cmdline)
{
  if (hd_cmdline_has_word(cmdline, "intel_iommu", "off"))
    return "intel_iommu=off";
  if (hd_cmdline_has_word(cmdline, "amd_iommu", "off"))
    return "amd_iommu=off";
  if (hd_cmdline_has_word(cmdline, "iommu", "off"))
    return "iommu=off";
  return NULL;
}

static HdCheck *iommu_fail(const char *message, const char *fix)
{
  return hd_check_new("iommu", IOMMU_TITLE, HD_CHECK_FAIL, message, fix);
}

/* The kernel option for the vendor's IOMMU when the kernel's config says
 * it is not built, else NULL (built, or nothing known). */
static const char *driver_not_built(const HdDoctorHost *host, const char *symbol)
{
  if (host->config == NULL || hd_kernel_config_enabled(host->config, symbol))
    return NULL;
  return symbol;
}

static HdCheck *iommu_off_param(const char *off)
{
  g_autofree char *message = NULL;
  g_autofree char *fix = NULL;

  if (g_str_equal(off, "intel_iommu=off"))
    message = g_strdup("no IOMMU groups: the kernel command line has intel_iommu=off");
  else
    message = g_strdup_printf("no IOMMU groups: the kernel command line has %s, which turns the IOMMU off "
                              "(AMD's IOMMU is on by default; only this keeps it off)",
                              off);
  fix = g_strdup_printf("remove %s from the kernel command line " CMDLINE_HOWTO, off);
  return iommu_fail(message, fix);
}

/* No DMAR or IVRS table in a virtual machine: the VMM gives no IOMMU. */
static HdCheck *iommu_missing_in_guest(const HdHypervisor *hypervisor)
{
  g_autofree char *message =
    g_strdup_printf("no IOMMU groups: this is a %s virtual machine (%s) and its VMM gives it no IOMMU "
                    "(no ACPI DMAR, IVRS or VIOT table)",
                    hd_vmm_name(hypervisor->vmm), hypervisor->evidence);

  return iommu_fail(message, hd_vmm_viommu_advice(hypervisor->vmm));
}

static HdCheck *iommu_missing_intel(const HdDoctorHost *host, const HdCmdline *cmdline)
{
  const char *unbuilt = driver_not_built(host, "CONFIG_INTEL_IOMMU");
  g_autofree char *message = NULL;

  if (unbuilt != NULL) {
    message = g_strdup_printf("no IOMMU groups: the firmware has VT-d (ACPI DMAR table) but the kernel is "
                              "built without %s (%s)",
                              unbuilt, hd_kernel_config_source(host->config));
    return iommu_fail(message, "use a kernel built with CONFIG_INTEL_IOMMU (Debian's is)");
  }
  /* a kernel that turns VT-d on by itself needs no intel_iommu=on */
  if (!hd_cmdline_has_word(cmdline, "intel_iommu", "on") &&
      (host->config == NULL || !hd_kernel_config_enabled(host->config, "CONFIG_INTEL_IOMMU_DEFAULT_ON")))
    return iommu_fail("no IOMMU groups: the firmware has VT-d (ACPI DMAR table) but the kernel command "
                      "line lacks intel_iommu=on",
                      "add intel_iommu=on to the kernel command line " CMDLINE_HOWTO);
  return iommu_fail("no IOMMU groups although the firmware has VT-d and the kernel turns it on "
                    "(intel_iommu=on, or CONFIG_INTEL_IOMMU_DEFAULT_ON=y)",
                    "look for DMAR errors in the kernel log (dmesg | grep -i dmar)");
}

static HdCheck *iommu_missing_amd(const HdDoctorHost *host)
{
  const char *unbuilt = driver_not_built(host, "CONFIG_AMD_IOMMU");
  g_autofree char *message = NULL;

  if (unbuilt != NULL) {
    message = g_strdup_printf("no IOMMU groups: the firmware has AMD-Vi (ACPI IVRS table) but the kernel is "
                              "built without %s (%s)",
                              unbuilt, hd_kernel_config_source(host->config));
    return iommu_fail(message, "use a kernel built with CONFIG_AMD_IOMMU (Debian's is)");
  }
  /* AMD's IOMMU is on by default; there is no amd_iommu=on (the kernel
   * answers "AMD-Vi: Unknown option") to suggest. */
  return iommu_fail("no IOMMU groups although the firmware has AMD-Vi (ACPI IVRS table), which the kernel "
                    "enables by default",
                    "look for AMD-Vi errors in the kernel log (dmesg | grep -i AMD-Vi); check that the "
                    "firmware setup has IOMMU (AMD-Vi) enabled");
}

HdCheck *hd_doctor_check_iommu(const HdDoctorHost *host)
{
  guint groups = count_groups();
  g_autoptr(HdCmdline) cmdline = NULL;
  const char *off;

  if (groups > 0) {
    g_autofree char *message = g_strdup_printf("%u IOMMU group%s", groups, groups == 1 ? "" : "s");
    return hd_check_new("iommu", IOMMU_TITLE, HD_CHECK_PASS, message, NULL);
  }
  cmdline = read_cmdline();
  off = disabling_param(cmdline);
  if (off != NULL)
    return iommu_off_param(off);
  switch (firmware_iommu()) {
  case FIRMWARE_INTEL:
    return iommu_missing_intel(host, cmdline);
  case FIRMWARE_AMD:
    return iommu_missing_amd(host);
  case FIRMWARE_VIRTIO:
    return iommu_fail("no IOMMU groups although the VMM gives a virtio-iommu (ACPI VIOT table)",
                      driver_not_built(host, "CONFIG_VIRTIO_IOMMU") != NULL
                        ? "use a kernel built with CONFIG_VIRTIO_IOMMU"
                        : "modprobe virtio_iommu (or build it in: CONFIG_VIRTIO_IOMMU=y)");
  case FIRMWARE_NONE:
  case FIRMWARE_UNKNOWN:
    break;
  }
  if (host->hypervisor->vmm != HD_VMM_NONE)
    return iommu_missing_in_guest(host->hypervisor);
  return iommu_fail("no IOMMU groups, and the firmware describes no IOMMU (no ACPI DMAR or IVRS table)",
                    "enable VT-d (Intel) or AMD-Vi/IOMMU (AMD) in the firmware setup; on Intel also boot "
                    "with intel_iommu=on " CMDLINE_HOWTO " (AMD's IOMMU needs no option)");
}

/* ---- interrupt remapping ------------------------------------------------ */

/* What /sys/class/iommu says about the IOMMU units. */
typedef struct {
  guint intel;          /* VT-d units (intel-iommu/ecap) */
  GString *intel_no_ir; /* names of VT-d units whose ecap lacks IR */
  guint amd;            /* AMD-Vi units (amd-iommu/) */
  guint other;          /* units of another kind, or unreadable */
} IommuUnits;

/* VT-d ECAP_REG bit 3 (IR): the unit can remap interrupts (VT-d spec,
 * the kernel's ecap_ir_support()). sysfs prints the register in hex. */
#define ECAP_IR (G_GUINT64_CONSTANT(1) << 3)

static void scan_unit(const char *name, IommuUnits *units)
{
  g_autofree char *ecap_path = hd_path_class("iommu", name, "intel-iommu/ecap");
  g_autofree char *amd_path = hd_path_class("iommu", name, "amd-iommu");
  g_autofree char *ecap_text = hd_sysfs_read(ecap_path, NULL);
  guint64 ecap;

  if (ecap_text != NULL && g_ascii_string_to_unsigned(ecap_text, 16, 0, G_MAXUINT64, &ecap, NULL)) {
    units->intel++;
    if ((ecap & ECAP_IR) == 0)
      g_string_append_printf(units->intel_no_ir, "%s%s", units->intel_no_ir->len > 0 ? ", " : "", name);
  } else if (hd_sysfs_is_dir(amd_path)) {
    units->amd++;
  } else {
    units->other++;
  }
}

static void scan_units(IommuUnits *units)
{
  g_autofree char *path = hd_path_class("iommu", NULL, NULL);
  g_autoptr(GPtrArray) names = hd_sysfs_list_dir(path, NULL);

  for (guint i = 0; names != NULL && i < names->len; i++)
    scan_unit(g_ptr_array_index(names, i), units);
}

/* Interrupts whose chip is a remapping one ("IR-PCI-MSI", "IR-IO-APIC"):
 * evidence that remapping is in use, not merely supported. -1 when
 * /sys/kernel/irq cannot be read (Linux < 4.11, or not mounted). */
static gint count_remapped_irqs(void)
{
  g_autofree char *dir = hd_path_kernel_irq(NULL, NULL);
  g_autoptr(GPtrArray) irqs = hd_sysfs_list_dir(dir, NULL);
  gint remapped = 0;

  if (irqs == NULL || irqs->len == 0)
    return -1;
  for (guint i = 0; i < irqs->len; i++) {
    g_autofree char *path = hd_path_kernel_irq(g_ptr_array_index(irqs, i), "chip_name");
    g_autofree char *chip = hd_sysfs_read(path, NULL);
    if (chip != NULL && g_str_has_prefix(chip, "IR-"))
      remapped++;
  }
  return remapped;
}

static gboolean unsafe_interrupts_allowed(void)
{
  g_autofree char *path = hd_path_module("vfio_iommu_type1", "parameters/allow_unsafe_interrupts");
  g_autofree char *value = hd_sysfs_read(path, NULL);

  return value != NULL && (strcmp(value, "Y") == 0 || strcmp(value, "1") == 0);
}

static HdCheck *ir_result(HdCheckStatus status, const char *message, const char *fix)
{
  return hd_check_new("interrupt-remapping", IR_TITLE, status, message, fix);
}

static HdCheck *ir_missing_on_units(const IommuUnits *units, HdVmm vmm)
{
  g_autofree char *message = NULL;

  if (unsafe_interrupts_allowed()) {
    message = g_strdup_printf("VT-d unit(s) %s cannot remap interrupts, and vfio_iommu_type1 has "
                              "allow_unsafe_interrupts=Y: a device can send interrupts the host does not isolate",
                              units->intel_no_ir->str);
    return ir_result(HD_CHECK_WARN, message,
                     vmm == HD_VMM_QEMU ? "give QEMU's intel-iommu intremap=on for untrusted guests"
                                        : "use a platform with interrupt remapping for untrusted guests");
  }
  message = g_strdup_printf("VT-d unit(s) %s cannot remap interrupts (ecap IR bit clear): VFIO refuses "
                            "their devices",
                            units->intel_no_ir->str);
  /* in a QEMU guest the "platform" is the VMM's intel-iommu device */
  return ir_result(HD_CHECK_FAIL, message,
                   vmm == HD_VMM_QEMU
                     ? "give QEMU's intel-iommu interrupt remapping: -machine q35,kernel-irqchip=split "
                       "-device intel-iommu,intremap=on,caching-mode=on (libvirt: <driver intremap='on'/> "
                       "in <iommu>)"
                     : "use a platform with interrupt remapping, or (insecure) load vfio_iommu_type1 with "
                       "allow_unsafe_interrupts=1");
}

/* What the units support, when the interrupts themselves do not say. */
static HdCheck *ir_from_units(const IommuUnits *units, HdVmm vmm)
{
  g_autofree char *message = NULL;

  if (units->intel_no_ir->len > 0)
    return ir_missing_on_units(units, vmm);
  if (units->intel > 0 || units->amd > 0) {
    message = units->intel > 0
                ? g_strdup_printf("supported by all %u VT-d units (ecap IR bit)", units->intel)
                : g_strdup_printf("supported by all %u AMD-Vi units", units->amd);
    return ir_result(HD_CHECK_PASS, message, NULL);
  }
  return ir_result(HD_CHECK_WARN,
                   units->other > 0 ? "unknown: the IOMMU units in /sys/class/iommu are neither VT-d nor AMD-Vi"
                                    : "unknown: no IOMMU unit in /sys/class/iommu",
                   "look for \"remapping\" in the kernel log; without it VFIO refuses devices unless "
                   "vfio_iommu_type1 has allow_unsafe_interrupts=1");
}

HdCheck *hd_doctor_check_interrupt_remapping(const HdDoctorHost *host)
{
  g_autoptr(HdCmdline) cmdline = read_cmdline();
  IommuUnits units = {0};
  gint remapped;
  HdCheck *check;

  if (hd_cmdline_has_word(cmdline, "intremap", "off"))
    return ir_result(HD_CHECK_FAIL, "turned off by intremap=off on the kernel command line",
                     "remove intremap=off from the kernel command line " CMDLINE_HOWTO);
  remapped = count_remapped_irqs();
  if (remapped > 0) {
    g_autofree char *message = g_strdup_printf("in use: %d interrupts go through remapping (IR- chips in "
                                               "/sys/kernel/irq)",
                                               remapped);
    return ir_result(HD_CHECK_PASS, message, NULL);
  }
  units.intel_no_ir = g_string_new(NULL);
  scan_units(&units);
  check = ir_from_units(&units, host->hypervisor->vmm);
  /* Interrupts are listed but none is remapped: supported is not enough. */
  if (remapped == 0 && check->status == HD_CHECK_PASS) {
    hd_check_free(check);
    check = ir_result(HD_CHECK_WARN,
                      "supported by the IOMMU but no interrupt in /sys/kernel/irq goes through remapping",
                      "look for \"remapping\" in the kernel log; firmware settings (x2APIC opt-out) can keep it off");
  }
  g_string_free(units.intel_no_ir, TRUE);
  return check;
}
