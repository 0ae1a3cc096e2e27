# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario reset: `reset` resets through sysfs and names the method that
# ran; the kernel's function tracer confirms which reset function ran
# (pcie_flr, pci_pm_reset, pci_reset_bus_function called by
# __pci_reset_function_locked, i.e. a real reset, not reset_method's probe).
# virtio-net resets by flr (text and --json), --method pm works, a bus reset
# does what the kernel does with it; e1000e (pm bus) resets by pm; edu (no
# method) fails with exit 1 and a clear line; a method the device lacks is
# exit 2. reset_method is as before after each, and every device stays on
# its driver. The nvme PF with VFs: its bus method is refused by the kernel
# then, and reset_method is put back as far as the kernel allows.

vn=$(vt_find 1af4 1041)
e1k=$(vt_find 8086 10d3)
edu=$(vt_find 1234 11e8)
vt_state > /tmp/start.state
vn_methods=$(cat "/sys/bus/pci/devices/$vn/reset_method")
e1k_methods=$(cat "/sys/bus/pci/devices/$e1k/reset_method")
vt_eq "virtio-net ($vn) offers flr pm bus" "flr pm bus" "$vn_methods"
vt_eq "e1000e ($e1k) offers pm bus" "pm bus" "$e1k_methods"
vt_eq "edu ($edu) offers no reset method" "" "$(cat "/sys/bus/pci/devices/$edu/reset_method")"

tr=/sys/kernel/tracing
mount -t tracefs tracefs "$tr" 2>/dev/null
echo 'pcie_flr pci_pm_reset pci_reset_bus_function' > "$tr/set_ftrace_filter" &&
  echo function > "$tr/current_tracer"
vt_check "the function tracer traces the kernel's reset functions" grep -qx function "$tr/current_tracer"
# The reset functions the kernel ran for a reset (not reset_method's probes)
# since the last call, space-separated.
ran() {
  sed -n 's/.* \([a-z_]*\) <-__pci_reset_function_locked$/\1/p' "$tr/trace" | tr '\n' ' ' | sed 's/ $//'
  echo > "$tr/trace"
}
echo > "$tr/trace"

# A device still on its host driver, with its interface, after a reset
# (virtio-net's is below its virtio device).
still() {  # still BDF DRIVER
  vt_eq "$1 stays on $2" "$2" "$(vt_link "$1" driver)"
  vt_check "$1 keeps its network interface" has_netif "$1"
}
has_netif() {
  for n in "/sys/bus/pci/devices/$1/net/"* "/sys/bus/pci/devices/$1/"virtio*/net/*; do
    [ -e "$n" ] && return 0
  done
  return 1
}

vt_expect_rc 0 "reset $vn" "$VT_TOOL" reset "$vn"
vt_eq "reset $vn names flr" "$vn: reset by flr" "$VT_OUT"
vt_eq "the kernel ran an FLR" pcie_flr "$(ran)"
vt_eq "reset_method of $vn is as before" "$vn_methods" "$(cat "/sys/bus/pci/devices/$vn/reset_method")"
still "$vn" virtio-pci

vt_blob reset-json "$VT_TOOL" reset --json "$vn"
vt_eq "reset --json: the kernel ran an FLR" pcie_flr "$(ran)"

vt_expect_rc 0 "reset --method pm $vn" "$VT_TOOL" reset --method pm "$vn"
vt_eq "reset --method pm names pm" "$vn: reset by pm" "$VT_OUT"
vt_eq "the kernel ran a PM reset" pci_pm_reset "$(ran)"
vt_eq "reset_method of $vn is as before (pm)" "$vn_methods" "$(cat "/sys/bus/pci/devices/$vn/reset_method")"
still "$vn" virtio-pci

# bus: the tool must do what the kernel does. Ask the kernel first.
echo bus > "/sys/bus/pci/devices/$vn/reset_method"
echo 1 > "/sys/bus/pci/devices/$vn/reset" 2>/dev/null
kernel_rc=$?
echo "$vn_methods" > "/sys/bus/pci/devices/$vn/reset_method"
echo > "$tr/trace"
vt_diag "a bus reset of $vn through sysfs: write status $kernel_rc"
if [ "$kernel_rc" = 0 ]; then
  vt_expect_rc 0 "reset --method bus $vn (the kernel can)" "$VT_TOOL" reset --method bus "$vn"
  vt_eq "reset --method bus names bus" "$vn: reset by bus" "$VT_OUT"
else
  vt_expect_rc 1 "reset --method bus $vn (the kernel cannot)" "$VT_TOOL" reset --method bus "$vn"
  vt_has "the error names the device and bus" "$VT_ERR" "$vn" bus
fi
vt_eq "the kernel was asked for a bus reset" pci_reset_bus_function "$(ran)"
vt_eq "reset_method of $vn is as before (bus)" "$vn_methods" "$(cat "/sys/bus/pci/devices/$vn/reset_method")"
still "$vn" virtio-pci

vt_expect_rc 0 "reset $e1k" "$VT_TOOL" reset "$e1k"
vt_eq "reset $e1k names pm, its first method" "$e1k: reset by pm" "$VT_OUT"
vt_eq "the kernel ran a PM reset of e1000e" pci_pm_reset "$(ran)"
vt_eq "reset_method of $e1k is as before" "$e1k_methods" "$(cat "/sys/bus/pci/devices/$e1k/reset_method")"
still "$e1k" e1000e

vt_expect_rc 2 "reset --method flr $e1k (it has no FLR)" "$VT_TOOL" reset --method flr "$e1k"
vt_has "the error lists its methods" "$VT_ERR" "$e1k" flr "pm bus"
vt_expect_rc 2 "reset --method bogus $vn" "$VT_TOOL" reset --method bogus "$vn"

vt_expect_rc 1 "reset $edu (no reset method)" "$VT_TOOL" reset "$edu"
vt_has "the error says edu has no reset method" "$VT_ERR" "$edu" "no reset method"
vt_expect_rc 2 "reset of two devices" "$VT_TOOL" reset "$vn" "$e1k"
vt_eq "no failed reset reached the kernel" "" "$(ran)"

# A PF whose VFs now share its bus: the kernel no longer accepts "bus" in
# its reset_method (it refuses any list naming it). A bus reset is then
# refused and reset_method stays untouched, without a warning; a reset by
# flr puts back what the kernel still accepts, and warns.
pf=$(vt_find 1b36 0010)
pf_dev=/sys/bus/pci/devices/$pf
pf_methods=$(cat "$pf_dev/reset_method")
vt_eq "the nvme PF ($pf) offers flr bus" "flr bus" "$pf_methods"
echo 2 > "$pf_dev/sriov_numvfs"
sleep 2  # nvme probes (and fails on) the VFs asynchronously
echo > "$tr/trace"
vt_expect_rc 1 "reset --method bus $pf with its VFs on its bus" "$VT_TOOL" reset --method bus "$pf"
vt_has "the error names the device and bus" "$VT_ERR" "$pf" bus
vt_eq "reset_method of $pf is untouched" "$pf_methods" "$(cat "$pf_dev/reset_method")"
vt_eq "no reset of $pf ran" "" "$(ran)"
vt_run "$VT_TOOL" reset "$pf"
vt_eq "reset $pf with VFs: exit 0" 0 "$VT_RC"
vt_eq "reset $pf with VFs names flr" "$pf: reset by flr" "$VT_OUT"
vt_eq "the kernel ran an FLR of the PF" pcie_flr "$(ran)"
vt_has "a warning says reset_method could not be put back whole" "$VT_ERR" "warning" "$pf" '"flr bus"'
pf_after=$(cat "$pf_dev/reset_method")
echo default > "$pf_dev/reset_method"
vt_eq "reset_method of $pf is what the kernel accepts now" "$(cat "$pf_dev/reset_method")" "$pf_after"
echo 0 > "$pf_dev/sriov_numvfs"
echo "$pf_methods" > "$pf_dev/reset_method"
vt_eq "without VFs, reset_method of $pf can be put back" "$pf_methods" "$(cat "$pf_dev/reset_method")"

echo nop > "$tr/current_tracer"
vt_same_state "every device is on its driver as at boot" /tmp/start.state
