# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario bind-e1000e: a NIC on a host driver. `bind --dry-run` changes
# nothing (no driver, override, module or state file); an interface that is
# up with an address makes bind refuse (exit 4, named); `bind` loads vfio_pci
# and binds the NIC to vfio-pci (its interface goes away); a process holding
# the group node blocks reset and reattach; `reattach` and its alias `unbind`
# give it back to e1000e with its interface; the original driver and
# override are restored exactly, even when they are not the kernel's default
# (pci-stub) or an override is set (e1000e pinned). Facts from sysfs.

e1k=$(vt_find 8086 10d3)
e1k_dev=/sys/bus/pci/devices/$e1k
e1k_group=$(vt_link "$e1k" iommu_group)
vt_state > /tmp/start.state
vt_eq "e1000e ($e1k) starts on e1000e" e1000e "$(vt_link "$e1k" driver)"
netif=$(ls "$e1k_dev/net" 2>/dev/null)
vt_check "e1000e has a network interface ($netif)" [ -n "$netif" ]
vt_check "vfio_pci is not loaded at boot" [ ! -e /sys/module/vfio_pci ]

# --dry-run: the plan, and nothing changes.
vt_expect_rc 0 "bind --dry-run $e1k" "$VT_TOOL" bind --dry-run "$e1k"
vt_has "the plan names e1000e and vfio_pci" "$VT_OUT" "$e1k" e1000e vfio_pci
vt_same_state "--dry-run changes no driver, override or VF count" /tmp/start.state
vt_check "--dry-run loads no module" [ ! -e /sys/module/vfio_pci ]
vt_check "--dry-run creates no state (/run/vfio-hostdev)" [ ! -e /run/vfio-hostdev ]
vt_check "--dry-run leaves the interface" [ -e "/sys/class/net/$netif" ]

# In use by the host: up with an address.
ip link set "$netif" up && ip addr add 192.0.2.1/24 dev "$netif"
vt_expect_rc 4 "bind $e1k while $netif is up with an address" "$VT_TOOL" bind "$e1k"
vt_has "the refusal names $netif, its address and --force" "$VT_ERR" "$netif" 192.0.2.1 --force
vt_same_state "the refused bind changed nothing" /tmp/start.state
vt_check "the refused bind loaded no module" [ ! -e /sys/module/vfio_pci ]
vt_eq "the refused bind left no record" none "$(vt_records)"
ip addr flush dev "$netif"
ip link set "$netif" down

# bind
vt_expect_rc 0 "bind $e1k" "$VT_TOOL" bind "$e1k"
vt_has "bind says vfio-pci and was on e1000e" "$VT_OUT" "$e1k" vfio-pci e1000e
vt_check "bind loaded module vfio_pci" [ -d /sys/module/vfio_pci ]
vt_vfio_bound "$e1k" vfio-pci
vt_check "the interface $netif is gone" [ ! -e "/sys/class/net/$netif" ]
vt_eq "a record for $e1k exists" "$e1k.record" "$(vt_records)"

# A holder of /dev/vfio/<group> (a VM) blocks reset and reattach.
vt_state > /tmp/bound.state
# (a background process, like a VM; not this shell, whose fds the tool inherits)
sleep 600 7<>"/dev/vfio/$e1k_group" &
holder=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "/proc/$holder/fd/7" ] && break; sleep 0.5; done
vt_expect_rc 4 "reset while a process holds /dev/vfio/$e1k_group" "$VT_TOOL" reset "$e1k"
vt_has "the reset refusal names the holder" "$VT_ERR" "process $holder (sleep)" "/dev/vfio/$e1k_group"
vt_expect_rc 4 "reattach while a process holds /dev/vfio/$e1k_group" "$VT_TOOL" reattach "$e1k"
vt_has "the reattach refusal names the holder" "$VT_ERR" "process $holder (sleep)" "/dev/vfio/$e1k_group"
vt_same_state "the refusals changed nothing" /tmp/bound.state
kill "$holder"; wait "$holder" 2>/dev/null

# reattach
vt_expect_rc 0 "reattach $e1k" "$VT_TOOL" reattach "$e1k"
vt_eq "$e1k is back on e1000e" e1000e "$(vt_link "$e1k" driver)"
vt_eq "its driver_override is clear again" "(null)" "$(vt_override "$e1k")"
vt_check "its vfio-dev is gone" [ -z "$(ls "$e1k_dev/vfio-dev" 2>/dev/null)" ]
vt_check "it has a network interface again ($(ls "$e1k_dev/net" 2>/dev/null))" [ -n "$(ls "$e1k_dev/net" 2>/dev/null)" ]
vt_eq "reattach removed the record" none "$(vt_records)"
vt_same_state "after reattach every device is as at boot" /tmp/start.state

# unbind: the alias of reattach.
vt_expect_rc 0 "bind $e1k (for unbind)" "$VT_TOOL" bind "$e1k"
vt_eq "$e1k is on vfio-pci" vfio-pci "$(vt_link "$e1k" driver)"
vt_expect_rc 0 "unbind $e1k" "$VT_TOOL" unbind "$e1k"
vt_eq "unbind: $e1k is back on e1000e" e1000e "$(vt_link "$e1k" driver)"
vt_check "unbind: it has a network interface again" [ -n "$(ls "$e1k_dev/net" 2>/dev/null)" ]
vt_eq "unbind removed the record" none "$(vt_records)"
vt_same_state "after unbind every device is as at boot" /tmp/start.state

# Exactly the original driver, not the kernel's choice: pci-stub (which
# e1000e would win on a reprobe) with its override.
vt_check "e1000e moved to pci-stub through sysfs" vt_bind "$e1k" pci-stub pci_stub
vt_state > /tmp/stub.state
vt_expect_rc 0 "bind $e1k from pci-stub" "$VT_TOOL" bind "$e1k"
vt_eq "from pci-stub: on vfio-pci" vfio-pci "$(vt_link "$e1k" driver)"
vt_expect_rc 0 "reattach $e1k to pci-stub" "$VT_TOOL" reattach "$e1k"
vt_eq "back on pci-stub, not e1000e" pci-stub "$(vt_link "$e1k" driver)"
vt_same_state "pci-stub and its override restored exactly" /tmp/stub.state
echo > "$e1k_dev/driver_override"
echo "$e1k" > /sys/bus/pci/drivers/pci-stub/unbind
echo "$e1k" > /sys/bus/pci/drivers_probe

# An override the user set (pinned to e1000e) survives bind + reattach.
echo e1000e > "$e1k_dev/driver_override"
vt_state > /tmp/pinned.state
vt_expect_rc 0 "bind $e1k with driver_override e1000e" "$VT_TOOL" bind "$e1k"
vt_eq "pinned: on vfio-pci" vfio-pci "$(vt_link "$e1k" driver)"
vt_expect_rc 0 "reattach $e1k (pinned)" "$VT_TOOL" reattach "$e1k"
vt_eq "pinned: driver_override e1000e restored" e1000e "$(vt_override "$e1k")"
vt_same_state "pinned: e1000e and its override restored exactly" /tmp/pinned.state
echo > "$e1k_dev/driver_override"

vt_eq "no record is left" none "$(vt_records)"
vt_same_state "every device is as it was at boot" /tmp/start.state
