# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario driver: "driver" picks the VFIO module the guest's modules.alias
# names: qedu_mig for edu (a variant alias, 5 wildcards, beats vfio_pci's
# catch-all), vfio_pci for e1000e, virtio-net (unless the kernel ships
# virtio_vfio_pci: whatever modules.alias says, computed independently by
# vt_vfio_module) and nvme. Nothing is bound or loaded by the command.

edu=$(vt_find 1234 11e8)
vt_eq "modules.alias names qedu_mig for edu (rule of lib.sh)" qedu_mig "$(vt_vfio_module "$edu")"

for id in 1234:11e8 8086:10d3 1af4:1041 1b36:0010; do
  a=$(vt_find "${id%:*}" "${id#*:}")
  want=$(vt_vfio_module "$a")
  before=$(vt_link "$a" driver)
  vt_run "$VT_TOOL" driver "$a"
  vt_eq "driver $a ($id) exits 0" 0 "$VT_RC"
  [ "$VT_RC" = 0 ] || vt_diag "stderr: $VT_ERR"
  vt_eq "driver $a ($id) chooses $want" "$want" "$(echo "$VT_OUT" | head -n1)"
  vt_eq "driver $a leaves the device on $before" "$before" "$(vt_link "$a" driver)"
done
vt_check "driver does not load the variant module" [ ! -d /sys/module/qedu_mig ]

# The same choice from a modalias, without a device.
vt_run "$VT_TOOL" driver --modalias "$(cat "/sys/bus/pci/devices/$edu/modalias")"
vt_eq "driver --modalias <edu's modalias> chooses qedu_mig" "qedu_mig 0" "$(echo "$VT_OUT" | head -n1) $VT_RC"
vt_run "$VT_TOOL" driver --modalias "pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00"
vt_eq "driver --modalias <mlx5 VF> chooses what modules.alias says" \
  "$(grep -q ' mlx5_vfio_pci$' "/lib/modules/$(uname -r)/modules.alias" && echo mlx5_vfio_pci || echo vfio_pci) 0" \
  "$(echo "$VT_OUT" | head -n1) $VT_RC"

# --modules-dir: a directory whose modules.alias has only the catch-all.
mkdir -p /tmp/mods
grep '^alias vfio_pci:v\*d\*sv\*sd\*bc\*sc\*i\* vfio_pci$' "/lib/modules/$(uname -r)/modules.alias" > /tmp/mods/modules.alias
: > /tmp/mods/modules.builtin.alias
vt_run "$VT_TOOL" driver "$edu" --modules-dir /tmp/mods
vt_eq "driver $edu --modules-dir <catch-all only> chooses vfio_pci" "vfio_pci 0" "$(echo "$VT_OUT" | head -n1) $VT_RC"

vt_blob facts vt_sysfs_facts
vt_blob json-edu "$VT_TOOL" driver "$edu" --json
vt_blob json-e1000e "$VT_TOOL" driver "$(vt_find 8086 10d3)" --json
