# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario list: "list --json" and "show --json" agree with the guest's
# sysfs for every PCI device. edu is first bound to the test variant driver
# (module qedu_mig, driver qedu-mig: no "vfio" in either name) directly
# through sysfs, so the tool must detect a VFIO device by vfio-dev/, not by
# name. The JSON is compared on the host (scenarios/list.py).

edu=$(vt_find 1234 11e8)
e1000e=$(vt_find 8086 10d3)
ahci=$(vt_find 8086 2922)
vt_check "edu ($edu) bound to qedu-mig through sysfs" vt_bind "$edu" qedu-mig qedu_mig
vt_check "edu has vfio-dev/vfioN" [ -n "$(ls "/sys/bus/pci/devices/$edu/vfio-dev" 2>/dev/null)" ]

echo "vmtest: DEVICES edu=$edu e1000e=$e1000e"
vt_blob sysfs vt_sysfs_facts
vt_blob list-json "$VT_TOOL" list --json
vt_blob show-edu "$VT_TOOL" show "$edu" --json
vt_blob show-e1000e "$VT_TOOL" show "$e1000e" --json
vt_blob show-ahci "$VT_TOOL" show "$ahci" --json

vt_run "$VT_TOOL" list
vt_eq "plain list exits 0" 0 "$VT_RC"
n=0
for p in /sys/bus/pci/devices/*; do
  echo "$VT_OUT" | grep -q "${p##*/}" || { n=$((n + 1)); vt_diag "plain list lacks ${p##*/}"; }
done
vt_eq "plain list names every PCI device" 0 "$n"
vt_run "$VT_TOOL" show "$edu"
vt_eq "plain show exits 0" 0 "$VT_RC"
case $VT_OUT in *qedu-mig*) vt_ok "plain show names qedu-mig" ;; *) vt_fail "plain show names qedu-mig" ;; esac
