/* doctor: the IOMMU and interrupt remapping. */
#include <string.h>

#include "hostdev/doctor/doctor-checks.h"
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
} FirmwareIommu;

static FirmwareIommu firmware_iommu(void)
{
  g_autofree char *tables = hd_path_acpi_table(NULL);
  g_autofree char *dmar = hd_path_acpi_table("DMAR");
  g_autofree char *ivrs = hd_path_acpi_table("IVRS");

  if (hd_sysfs_exists(dmar))
    return FIRMWARE_INTEL;
  if (hd_sysfs_exists(ivrs))
    return FIRMWARE_AMD;
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

/* A parameter that turns the IOMMU off, as written on the command line. */
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

/* No groups and no firmware table to say which vendor: name both options,
 * leaving out one the command line already has. */
static HdCheck *iommu_off_unknown_vendor(const HdCmdline *cmdline)
{
  gboolean intel = hd_cmdline_has_word(cmdline, "intel_iommu", "on");
  gboolean amd = hd_cmdline_has_word(cmdline, "amd_iommu", "on");
  g_autofree char *message = NULL;

  if (intel || amd)
    message = g_strdup_printf("no IOMMU groups although the kernel command line has %s",
                              intel ? "intel_iommu=on" : "amd_iommu=on");
  else
    message = g_strdup("no IOMMU groups: the IOMMU is off; the kernel command line has neither "
                       "intel_iommu=on nor amd_iommu=on");
  return iommu_fail(message, "enable VT-d (Intel) or AMD-Vi (AMD) in the firmware setup and boot with "
                             "intel_iommu=on (Intel) or amd_iommu=on (AMD) " CMDLINE_HOWTO);
}

HdCheck *hd_doctor_check_iommu(void)
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
  if (off != NULL) {
    g_autofree char *message = g_strdup_printf("no IOMMU groups: the kernel command line has %s", off);
    g_autofree char *fix = g_strdup_printf("remove %s from the kernel command line " CMDLINE_HOWTO, off);
    return iommu_fail(message, fix);
  }
  switch (firmware_iommu()) {
  case FIRMWARE_INTEL:
    if (!hd_cmdline_has_word(cmdline, "intel_iommu", "on"))
      return iommu_fail("no IOMMU groups: the firmware has VT-d (ACPI DMAR table) but the kernel command "
                        "line lacks intel_iommu=on",
                        "add intel_iommu=on to the kernel command line " CMDLINE_HOWTO);
    return iommu_fail("no IOMMU groups although the firmware has VT-d and the kernel command line has "
                      "intel_iommu=on",
                      "check that the kernel is built with CONFIG_INTEL_IOMMU and look for DMAR errors in "
                      "the kernel log");
  case FIRMWARE_AMD:
    /* amd_iommu is on by default wherever the firmware has an IVRS table */
    return iommu_fail("no IOMMU groups although the firmware has AMD-Vi (ACPI IVRS table)",
                      "check that the kernel is built with CONFIG_AMD_IOMMU, add amd_iommu=on if your "
                      "kernel needs it, and look for AMD-Vi errors in the kernel log");
  case FIRMWARE_NONE:
    return iommu_fail("no IOMMU groups, and the firmware describes no IOMMU (no ACPI DMAR or IVRS table)",
                      "enable VT-d (Intel) or AMD-Vi (AMD) in the firmware setup, then boot with "
                      "intel_iommu=on (Intel) or amd_iommu=on (AMD)");
  case FIRMWARE_UNKNOWN:
    break;
  }
  return iommu_off_unknown_vendor(cmdline);
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

static HdCheck *ir_missing_on_units(const IommuUnits *units)
{
  g_autofree char *message = NULL;

  if (unsafe_interrupts_allowed()) {
    message = g_strdup_printf("VT-d unit(s) %s cannot remap interrupts, and vfio_iommu_type1 has "
                              "allow_unsafe_interrupts=Y: a device can send interrupts the host does not isolate",
                              units->intel_no_ir->str);
    return ir_result(HD_CHECK_WARN, message, "use a platform with interrupt remapping for untrusted guests");
  }
  message = g_strdup_printf("VT-d unit(s) %s cannot remap interrupts (ecap IR bit clear): VFIO refuses "
                            "their devices",
                            units->intel_no_ir->str);
  return ir_result(HD_CHECK_FAIL, message,
                   "use a platform with interrupt remapping, or (insecure) load vfio_iommu_type1 with "
                   "allow_unsafe_interrupts=1");
}

/* What the units support, when the interrupts themselves do not say. */
static HdCheck *ir_from_units(const IommuUnits *units)
{
  g_autofree char *message = NULL;

  if (units->intel_no_ir->len > 0)
    return ir_missing_on_units(units);
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

HdCheck *hd_doctor_check_interrupt_remapping(void)
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
  check = ir_from_units(&units);
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
