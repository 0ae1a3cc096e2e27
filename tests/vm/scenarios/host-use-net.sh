# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario host-use-net: the e1000e port used by the host only through an
# interface stacked on it. Enslaved to a bridge br0 that carries the
# address, and then with a VLAN interface that carries it, `bind` refuses
# (exit 4, one line, nothing changed, no module loaded, no record) and names
# the chain "<port> → br0 (192.0.2.10/24)" / "<port> → <port>.10
# (198.51.100.7/24)", and a bridge without an address that forwards for
# another port that is up; once the address is gone the stack alone is no use,
# and bind takes the port (the kernel then drops it from the bridge, or
# removes the VLAN); reattach gives it back. Facts from sysfs.

e1k=$(vt_find 8086 10d3)
e1k_dev=/sys/bus/pci/devices/$e1k
vt_state > /tmp/start.state
netif=$(ls "$e1k_dev/net" 2>/dev/null)
vt_check "e1000e has a network interface ($netif)" [ -n "$netif" ]
# QEMU's user network sends IPv6 router advertisements: an interface that
# is up would get a SLAAC address and a default route (real use, which bind
# rightly refuses). Only the stacked interface may carry an address here.
echo 0 > /proc/sys/net/ipv6/conf/default/accept_ra
echo 0 > "/proc/sys/net/ipv6/conf/$netif/accept_ra"
vt_check "modprobe bridge" modprobe bridge
vt_check "modprobe 8021q" modprobe 8021q

# refused_with DESC WORD...: bind is refused naming every WORD, and changes nothing.
# (the helpers of lib.sh use _d: this one's own variable is _while)
refused_with() {
  _while=$1; shift
  vt_expect_rc 4 "bind $e1k while $_while" "$VT_TOOL" bind "$e1k"
  vt_has "the refusal names $*" "$VT_ERR" "$@" --force
  vt_same_state "the refused bind ($_while) changed nothing" /tmp/start.state
  vt_check "the refused bind ($_while) loaded no module" [ ! -e /sys/module/vfio_pci ]
  vt_eq "the refused bind ($_while) left no record" none "$(vt_records)"
}

# binds_then_back DESC: bind takes the port, reattach gives it back.
binds_then_back() {
  vt_expect_rc 0 "bind $e1k once $1" "$VT_TOOL" bind "$e1k"
  vt_vfio_bound "$e1k" vfio-pci
  vt_expect_rc 0 "reattach $e1k ($1)" "$VT_TOOL" reattach "$e1k"
  vt_eq "$e1k is back on e1000e ($1)" e1000e "$(vt_link "$e1k" driver)"
  netif=$(ls "$e1k_dev/net" 2>/dev/null)
  vt_check "it has a network interface again ($netif)" [ -n "$netif" ]
  rmmod vfio_pci 2>/dev/null
}

# A bridge port: the address is on br0, none on the port.
brctl addbr br0
brctl addif br0 "$netif"
ip link set "$netif" up && ip link set br0 up && ip addr add 192.0.2.10/24 dev br0
vt_eq "$netif is a port of br0" br0 "$(basename "$(readlink "/sys/class/net/$netif/master")")"
vt_check "the port itself has no IPv4 address" [ -z "$(ip -4 addr show dev "$netif" | grep inet)" ]
refused_with "br0 carries 192.0.2.10/24" "$netif → br0 (192.0.2.10/24)"
ip addr flush dev br0
binds_then_back "br0 has no address"
vt_check "bind took the port out of br0" [ -z "$(ls /sys/class/net/br0/brif 2>/dev/null)" ]
ip link set br0 down && brctl delbr br0

# A bridge without an address that forwards for another port that is up
# (the virtio-net NIC here; a guest's tap on a VM host): the port is in use
# although the host has no address there. Once the other port is down the
# bridge forwards for nothing, and bind takes the port.
virtio=$(vt_find 1af4 1041)
other=$(ls /sys/bus/pci/devices/"$virtio"/virtio*/net 2>/dev/null)
vt_check "virtio-net has a network interface ($other)" [ -n "$other" ]
echo 0 > "/proc/sys/net/ipv6/conf/$other/accept_ra"
brctl addbr br1
brctl addif br1 "$netif" && brctl addif br1 "$other"
ip link set "$netif" up && ip link set "$other" up && ip link set br1 up
vt_check "br1 has no IPv4 address" [ -z "$(ip -4 addr show dev br1 | grep inet)" ]
refused_with "br1 forwards for $other" "$netif → br1 (a bridge forwarding for $other)"
ip link set "$other" down
binds_then_back "br1 forwards for nothing"
brctl delif br1 "$other"
ip link set br1 down && brctl delbr br1

# A VLAN interface on the port carries the address.
ip link set "$netif" up
ip link add link "$netif" name "$netif.10" type vlan id 10
ip link set "$netif.10" up && ip addr add 198.51.100.7/24 dev "$netif.10"
vt_check "$netif has the upper link upper_$netif.10" [ -L "/sys/class/net/$netif/upper_$netif.10" ]
refused_with "$netif.10 carries 198.51.100.7/24" "$netif → $netif.10 (198.51.100.7/24)"
ip addr flush dev "$netif.10"
binds_then_back "$netif.10 has no address"
vt_check "the VLAN went with the port" [ ! -e "/sys/class/net/$netif.10" ]
ip link set "$netif" down

vt_eq "no record is left" none "$(vt_records)"
vt_same_state "every device is as it was at boot" /tmp/start.state
