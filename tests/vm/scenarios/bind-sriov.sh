# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario bind-sriov: the nvme PF with 2 VFs enabled. A VF bound to a
# driver makes bind refuse (exit 4, naming it); with its VFs idle, bind
# disables them (the record keeps 2), and binds the PF to vfio-pci; reattach
# gives the PF back to nvme (its namespace reappears) and re-enables 2 VFs,
# whose driver state is as before. Facts from sysfs.

pf=$(vt_find 1b36 0010)
pf_dev=/sys/bus/pci/devices/$pf
vt_state > /tmp/start.state
vt_eq "nvme PF ($pf) starts on nvme" nvme "$(vt_link "$pf" driver)"

# nvme probes VFs asynchronously (and fails: QEMU's VFs start offline):
# wait until every VF's driver state holds still for a second.
vfs_settle() {
  prev=x
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    now=$(for v in "$pf_dev"/virtfn*; do [ -e "$v" ] && echo "$(basename "$(readlink "$v")") $(vt_link "$(basename "$(readlink "$v")")" driver)"; done)
    [ "$now" = "$prev" ] && return 0
    prev=$now
    sleep 1
  done
}
vfs_list() { for v in "$pf_dev"/virtfn*; do [ -e "$v" ] && basename "$(readlink "$v")"; done | tr '\n' ' ' | sed 's/ $//'; }

echo 2 > "$pf_dev/sriov_numvfs"
vfs_settle
vfs=$(vfs_list)
vt_eq "2 VFs enabled" 2 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "the VFs are 03:00.1 and 03:00.2" "0000:03:00.1 0000:03:00.2" "$vfs"
vt_state > /tmp/vfs.state
vf1=${vfs%% *}

# A VF in use blocks the PF.
vt_check "VF $vf1 bound to vfio-pci through sysfs" vt_bind "$vf1" vfio-pci vfio_pci
vt_state > /tmp/vfbound.state
vt_expect_rc 4 "bind $pf while VF $vf1 is bound" "$VT_TOOL" bind "$pf"
vt_has "the refusal names the VF and its driver" "$VT_ERR" "$vf1" vfio-pci
vt_same_state "the refused bind changed nothing" /tmp/vfbound.state
vt_eq "the refused bind left no record" none "$(vt_records)"
echo > "/sys/bus/pci/devices/$vf1/driver_override"
echo "$vf1" > /sys/bus/pci/drivers/vfio-pci/unbind
vt_same_state "VF $vf1 unbound again by hand" /tmp/vfs.state

# Idle VFs: disabled, recorded, the PF bound.
vt_expect_rc 0 "bind $pf" "$VT_TOOL" bind "$pf"
vt_has "bind says its VFs were disabled" "$VT_OUT" "$pf" vfio-pci VFs
vt_eq "sriov_numvfs is 0" 0 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "the VFs are gone" "" "$(vfs_list)"
vt_check "the VF devices are gone from sysfs" [ ! -e "/sys/bus/pci/devices/$vf1" ]
vt_vfio_bound "$pf" vfio-pci
vt_eq "a record for the PF exists" "$pf.record" "$(vt_records)"
vt_check "the record keeps sriov_numvfs=2" grep -qx 'sriov_numvfs=2' "/run/vfio-hostdev/$pf.record"
vt_blob status-json "$VT_TOOL" status --json

# reattach: nvme, and the VFs again.
vt_expect_rc 0 "reattach $pf" "$VT_TOOL" reattach "$pf"
vt_has "reattach says 2 VFs re-enabled" "$VT_OUT" "$pf" nvme "2 VFs"
vfs_settle
vt_eq "the PF is back on nvme" nvme "$(vt_link "$pf" driver)"
vt_eq "sriov_numvfs is 2 again" 2 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "both VFs are present again" "$vfs" "$(vfs_list)"
vt_eq "reattach removed the record" none "$(vt_records)"
vt_same_state "PF and VFs: drivers, overrides and VF count as before bind" /tmp/vfs.state
ns=
for _ in 1 2 3 4 5 6 7 8 9 10; do
  # with nvme-subsys the PF holds the path device nvmeXcYnZ
  ns=$(ls -d "$pf_dev"/nvme/nvme*/nvme*n[0-9]* 2>/dev/null | head -n1)
  ns=${ns##*/}
  [ -n "$ns" ] && break
  sleep 0.5
done
vt_check "nvme works again: its namespace block device appears ($ns)" [ -n "$ns" ]

echo 0 > "$pf_dev/sriov_numvfs"
vt_same_state "every device is as it was at boot" /tmp/start.state
