# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario bind-sriov: the nvme PF with 2 VFs enabled. A VF that
# vfio-hostdev bound makes bind of the PF refuse (exit 4, naming it). Then
# VF 0 gets driver_override=vfio-pci and vfio-pci, VF 1 only an override:
# bind records each VF's driver and override in the PF's record, disables
# the VFs and binds the PF to vfio-pci; reattach gives the PF back to nvme
# (its namespace reappears), re-enables 2 VFs with sriov_drivers_autoprobe
# off (nvme never probes them), gives VF 0 vfio-pci and both their
# overrides back, and autoprobe is 1 again. Then `sriov --vfs 2 --bind`
# (VFs made with autoprobe off, on vfio-pci) undone by reattach of the
# PF, and `--vfs 0` refused while a process holds a VF's group. Facts from
# sysfs. Last, `sriov --persist` and persist-apply after a simulated reboot.

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

# A VF vfio-hostdev holds blocks the PF.
vt_expect_rc 0 "bind VF $vf1" "$VT_TOOL" bind "$vf1"
vt_state > /tmp/vfbound.state
vt_expect_rc 4 "bind $pf while VF $vf1 is bound by vfio-hostdev" "$VT_TOOL" bind "$pf"
vt_has "the refusal names the VF and its driver" "$VT_ERR" "$vf1" vfio-pci
vt_same_state "the refused bind changed nothing" /tmp/vfbound.state
vt_eq "the refused bind left the VF's record alone" "$vf1.record" "$(vt_records)"
vt_expect_rc 0 "reattach VF $vf1" "$VT_TOOL" reattach "$vf1"
vt_same_state "VF $vf1 unbound again" /tmp/vfs.state

# VF 0 on vfio-pci through its override, VF 1 with an override alone.
vf2=${vfs##* }
vt_check "VF $vf1 bound to vfio-pci through driver_override" vt_bind "$vf1" vfio-pci vfio_pci
echo pci-stub > "/sys/bus/pci/devices/$vf2/driver_override"
vt_state > /tmp/vfs-set.state
vt_eq "autoprobe is on" 1 "$(cat "$pf_dev/sriov_drivers_autoprobe")"

# Idle VFs: disabled, recorded, the PF bound.
vt_expect_rc 0 "bind $pf" "$VT_TOOL" bind "$pf"
vt_has "bind says its VFs were disabled" "$VT_OUT" "$pf" vfio-pci VFs
vt_eq "sriov_numvfs is 0" 0 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "the VFs are gone" "" "$(vfs_list)"
vt_check "the VF devices are gone from sysfs" [ ! -e "/sys/bus/pci/devices/$vf1" ]
vt_vfio_bound "$pf" vfio-pci
vt_eq "a record for the PF exists" "$pf.record" "$(vt_records)"
vt_check "the record keeps sriov_numvfs=2" grep -qx 'sriov_numvfs=2' "/run/vfio-hostdev/$pf.record"
vt_check "the record keeps autoprobe" grep -qx 'sriov_drivers_autoprobe=1' "/run/vfio-hostdev/$pf.record"
vt_check "the record keeps VF 0 on vfio-pci" grep -qx 'driver=vfio-pci' "/run/vfio-hostdev/$pf.record"
vt_check "the record keeps VF 1's override" grep -qx 'driver_override=pci-stub' "/run/vfio-hostdev/$pf.record"
vt_blob status-json "$VT_TOOL" status --json

# reattach: nvme, and the VFs again.
vt_expect_rc 0 "reattach $pf" "$VT_TOOL" reattach "$pf"
vt_has "reattach says 2 VFs re-enabled" "$VT_OUT" "$pf" nvme "2 VFs"
vfs_settle
vt_eq "the PF is back on nvme" nvme "$(vt_link "$pf" driver)"
vt_eq "sriov_numvfs is 2 again" 2 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "both VFs are present again" "$vfs" "$(vfs_list)"
vt_eq "reattach removed the record" none "$(vt_records)"
vt_same_state "PF and VFs: drivers, overrides and VF count as before bind" /tmp/vfs-set.state
vt_eq "VF $vf1 is on vfio-pci again" vfio-pci "$(vt_link "$vf1" driver)"
vt_eq "VF $vf2 has its override and no driver" "pci-stub -" "$(vt_override "$vf2") $(vt_link "$vf2" driver)"
vt_eq "autoprobe is on again" 1 "$(cat "$pf_dev/sriov_drivers_autoprobe")"
ns=
for _ in 1 2 3 4 5 6 7 8 9 10; do
  # with nvme-subsys the PF holds the path device nvmeXcYnZ
  ns=$(ls -d "$pf_dev"/nvme/nvme*/nvme*n[0-9]* 2>/dev/null | head -n1)
  ns=${ns##*/}
  [ -n "$ns" ] && break
  sleep 0.5
done
vt_check "nvme works again: its namespace block device appears ($ns)" [ -n "$ns" ]

echo "$vf1" > /sys/bus/pci/drivers/vfio-pci/unbind
echo 0 > "$pf_dev/sriov_numvfs"
vt_same_state "every device is as it was at boot" /tmp/start.state

# sriov: the PF stays on nvme and gets 2 VFs with autoprobe off while the
# kernel creates them (nvme, which announces each function it probes,
# never sees them), both bound to vfio-pci, autoprobe 1 again; reattach of
# the PF removes them.
probes() { dmesg | grep -c "pci function $vf1" || true; }
probes_before=$(probes)
vt_check "nvme announced $vf1 when it probed it with autoprobe on ($probes_before)" [ "$probes_before" -ge 1 ]
vt_expect_rc 0 "sriov $pf --vfs 2 --bind" "$VT_TOOL" sriov "$pf" --vfs 2 --bind
vt_eq "sriov_numvfs is 2" 2 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "the VFs are $vfs" "$vfs" "$(vfs_list)"
vt_vfio_bound "$vf1" vfio-pci
vt_vfio_bound "$vf2" vfio-pci
vt_eq "nvme never probed $vf1 (dmesg)" "$probes_before" "$(probes)"
vt_eq "autoprobe is on again" 1 "$(cat "$pf_dev/sriov_drivers_autoprobe")"
vt_eq "the PF stayed on nvme" nvme "$(vt_link "$pf" driver)"
vt_check "the PF's record says what sriov made" grep -qx 'sriov_provisioned=2' "/run/vfio-hostdev/$pf.record"
vt_expect_rc 0 "reattach $pf" "$VT_TOOL" reattach "$pf"
vt_eq "reattach removed the VFs" 0 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "reattach removed every record" none "$(vt_records)"
vt_same_state "sriov + reattach: every device as at boot" /tmp/start.state

# --vfs 0: refused while a process holds a VF's group (a VM), then done.
vt_expect_rc 0 "sriov $pf --vfs 2 --bind again" "$VT_TOOL" sriov "$pf" --vfs 2 --bind
vt_state > /tmp/sriov.state
vf1_group=$(vt_link "$vf1" iommu_group)
sleep 600 7<>"/dev/vfio/$vf1_group" &
holder=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "/proc/$holder/fd/7" ] && break; sleep 0.5; done
vt_expect_rc 4 "sriov $pf --vfs 0 while a process holds /dev/vfio/$vf1_group" "$VT_TOOL" sriov "$pf" --vfs 0
vt_has "the refusal names the holder" "$VT_ERR" "process $holder (sleep)" "/dev/vfio/$vf1_group"
vt_same_state "the refusal changed nothing" /tmp/sriov.state
kill "$holder"; wait "$holder" 2>/dev/null
vt_expect_rc 0 "sriov $pf --vfs 0" "$VT_TOOL" sriov "$pf" --vfs 0
vt_eq "sriov_numvfs is 0" 0 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "--vfs 0 back to none forgot every record" none "$(vt_records)"
vt_same_state "sriov --vfs 0: every device as at boot" /tmp/start.state

# sriov --persist persists the VF count too: after a reboot (VFs gone,
# /run/vfio-hostdev empty), persist-apply gives the PF its 2 VFs with
# autoprobe off (nvme never probes them) and binds them; unpersist of the
# PF forgets the count and the VFs' bindings, reattach removes the VFs.
vt_expect_rc 0 "sriov $pf --vfs 2 --bind --persist" "$VT_TOOL" sriov "$pf" --vfs 2 --bind --persist --no-initramfs
vt_check "the PF's VF count is persisted" grep -qx 'numvfs=2' "/etc/vfio-hostdev/sriov/$pf.conf"
vt_expect_rc 0 "reattach $pf (the VFs go, as at a reboot)" "$VT_TOOL" reattach "$pf"
vt_eq "no VFs, as after a reboot" 0 "$(cat "$pf_dev/sriov_numvfs")"
rm -rf /run/vfio-hostdev/*
vt_expect_rc 0 "persist-apply" "$VT_TOOL" persist-apply
vt_has "persist-apply gave the PF its VFs" "$VT_OUT" "$pf: gave it 2 VFs"
vt_eq "the VFs are $vfs again" "$vfs" "$(vfs_list)"
vt_vfio_bound "$vf1" vfio-pci
vt_vfio_bound "$vf2" vfio-pci
vt_eq "nvme never probed $vf1 (dmesg)" "$probes_before" "$(probes)"
vt_eq "autoprobe is on again" 1 "$(cat "$pf_dev/sriov_drivers_autoprobe")"
vt_check "the PF's record says what persist-apply made" grep -qx 'sriov_provisioned=2' "/run/vfio-hostdev/$pf.record"
vt_expect_rc 0 "unpersist $pf" "$VT_TOOL" unpersist "$pf"
vt_has "unpersist names the VFs it forgot too" "$VT_ERR" "$vf1: unpersisted too" "$vf2: unpersisted too"
vt_check "the PF's VF count is forgotten" [ ! -e "/etc/vfio-hostdev/sriov/$pf.conf" ]
vt_check "the VFs' bindings are forgotten" [ ! -e "/etc/vfio-hostdev/devices/$vf1.conf" ]
vt_expect_rc 0 "reattach $pf" "$VT_TOOL" reattach "$pf"
vt_eq "reattach removed the VFs" 0 "$(cat "$pf_dev/sriov_numvfs")"
vt_eq "reattach removed every record" none "$(vt_records)"
vt_same_state "sriov --persist, persist-apply, unpersist, reattach: every device as at boot" /tmp/start.state
