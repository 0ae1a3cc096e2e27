# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario managed: prepare/release (managed mode) on the real kernel.
# A domain with edu (managed: gets its variant driver qedu-mig) and e1000e
# (managed: vfio-pci) is prepared for owner vm1; a second owner asking for
# the same e1000e is refused and nothing changes; release puts both back on
# their original drivers (edu: none; e1000e: e1000e). A domain naming an
# unmanaged device still on its host driver fails and leaves the managed
# ones where they were. A prepare killed half way is rolled back by
# `recover`, and a second recover finds nothing. On the modern kernel,
# prepare --user nobody gives nobody an ACL entry on /dev/iommu, nobody
# opens the nodes and binds through iommufd itself, exec runs a VMM as
# nobody with the descriptors, and release removes the entry.

edu=$(vt_find 1234 11e8)
nic=$(vt_find 8086 10d3)
vt_check "the guest has edu and e1000e" test -n "$edu" -a -n "$nic"
edu_group=$(vt_link "$edu" iommu_group)
nic_group=$(vt_link "$nic" iommu_group)

# <hostdev> for $1 (an address), managed $2 (yes|no)
hostdev() {
  d=${1%%:*} rest=${1#*:}
  b=${rest%%:*} rest=${rest#*:}
  s=${rest%%.*} f=${rest#*.}
  echo "<hostdev mode='subsystem' type='pci' managed='$2'><source><address domain='0x$d' bus='0x$b' slot='0x$s' function='0x$f'/></source></hostdev>"
}

{
  echo "<domain type='kvm'><name>vm1</name><devices>"
  hostdev "$edu" yes
  hostdev "$nic" yes
  echo "</devices></domain>"
} > /tmp/vm1.xml
vt_state > /tmp/managed.before

# The QEMU at hand decides the argument forms: on the modern kernel, ask for
# a QEMU that has iommufd (>= 9.0); by default the group forms stay.
qemu_version=""
[ "$VT_KERNEL" = modern ] && qemu_version="--qemu-version 9.0"
# shellcheck disable=SC2086 # the option is two words or none
vt_run "$VT_TOOL" prepare --owner vm1 $qemu_version --xml /tmp/vm1.xml
vt_eq "prepare vm1 (edu + e1000e, managed) exits 0" 0 "$VT_RC"
[ "$VT_RC" = 0 ] || vt_diag "stderr: $VT_ERR"
vt_vfio_bound "$edu" qedu-mig
vt_vfio_bound "$nic" vfio-pci
if [ "$VT_KERNEL" = modern ]; then
  # /dev/iommu and the cdevs exist and QEMU 9.0 can use them: iommufd
  vt_has "prepare --qemu-version 9.0 prints QEMU's arguments for both, through iommufd (modern kernel)" "$VT_OUT" \
    "qemu-args: -object iommufd,id=iommufd0 -device vfio-pci,host=$edu,iommufd=iommufd0 -device vfio-pci,host=$nic,iommufd=iommufd0"
else
  vt_has "prepare prints QEMU's arguments for both" "$VT_OUT" \
    "qemu-args: -device vfio-pci,host=$edu -device vfio-pci,host=$nic"
fi
vt_has "the records name the owner" "$(cat "/run/vfio-hostdev/$nic.record" "/run/vfio-hostdev/$edu.record")" \
  "owner=vm1" "original_driver=e1000e"
vt_check "vm1's journal exists" [ -f /run/vfio-hostdev/owner-vm1.journal ]

vt_run "$VT_TOOL" prepare --owner vm1 --xml /tmp/vm1.xml --json
vt_eq "prepare vm1 again exits 0" 0 "$VT_RC"
vt_has "prepare again: both already held by vm1, group nodes named" "$VT_OUT" \
  '"outcome" : "owned"' "\"group_node\" : \"/dev/vfio/$edu_group\"" "\"group_node\" : \"/dev/vfio/$nic_group\""

vt_state > /tmp/managed.prepared
cp "/run/vfio-hostdev/$nic.record" /tmp/managed.nic.record
vt_expect_rc 4 "prepare vm2 with vm1's e1000e is refused" "$VT_TOOL" prepare --owner vm2 "$nic"
vt_has "the refusal names the owner" "$VT_ERR" "$nic belongs to owner vm1"
vt_same_state "the refusal changed no device" /tmp/managed.prepared
vt_check "the refusal left e1000e's record as it was" cmp -s /tmp/managed.nic.record "/run/vfio-hostdev/$nic.record"
vt_check "no journal for vm2" [ ! -e /run/vfio-hostdev/owner-vm2.journal ]

vt_run "$VT_TOOL" status
vt_has "status shows the owner" "$VT_OUT" "vm1 (managed)"

vt_run "$VT_TOOL" release --owner vm1
vt_eq "release vm1 exits 0" 0 "$VT_RC"
[ "$VT_RC" = 0 ] || vt_diag "stderr: $VT_ERR"
vt_eq "e1000e is back on e1000e" e1000e "$(vt_link "$nic" driver)"
vt_eq "edu is unbound again" - "$(vt_link "$edu" driver)"
vt_same_state "every device is as before prepare (drivers, overrides)" /tmp/managed.before
vt_eq "no records left" none "$(vt_records)"
vt_check "no journal left" [ ! -e /run/vfio-hostdev/owner-vm1.journal ]

# iommufd for an unprivileged user (modern kernel: /dev/iommu and cdevs).
# /dev/iommu is every VM's: prepare --user gives nobody an ACL entry on it,
# never its owner or mode; nobody then really opens /dev/iommu and the cdev
# itself (`test` through iommufd: IOMMU_IOAS_ALLOC, VFIO_DEVICE_BIND_IOMMUFD,
# attach); `exec` runs a fake VMM as nobody with both already open at the
# fd= numbers of its arguments; release takes the entry away again.
if [ "$VT_KERNEL" = modern ]; then
  grep -q '^nobody:' /etc/passwd 2>/dev/null || echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >> /etc/passwd
  grep -q '^nogroup:' /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >> /etc/group
  as_nobody() { su -s /bin/sh nobody -c "$1"; }
  iommu_before=$(stat -c '%u:%g:%a' /dev/iommu)
  vt_eq "/dev/iommu is root's, 0660, as the kernel makes it" "0:0:660" "$iommu_before"
  vt_check "nobody cannot open /dev/iommu before prepare" sh -c "! su -s /bin/sh nobody -c ': <> /dev/iommu'"
  vt_run "$VT_TOOL" prepare --owner vm1 --user nobody --qemu-version 9.0 "$edu"
  vt_eq "prepare vm1 --user nobody (edu) exits 0" 0 "$VT_RC"
  [ "$VT_RC" = 0 ] || vt_diag "stderr: $VT_ERR"
  edu_cdev=$(ls -d /sys/bus/pci/devices/"$edu"/vfio-dev/vfio* 2>/dev/null | sed 's|.*/||')
  vt_eq "/dev/iommu keeps its owner and mode" "$iommu_before" "$(stat -c '%u:%g:%a' /dev/iommu)"
  vt_eq "edu's cdev is nobody's" "65534" "$(stat -c '%u' "/dev/vfio/devices/$edu_cdev")"
  vt_has "the journal counts nobody's ACL entry" "$(cat /run/vfio-hostdev/owner-vm1.journal)" "iommu_acl=held"
  vt_check "nobody opens /dev/iommu and the cdev itself" \
    su -s /bin/sh nobody -c ": <> /dev/iommu && : <> /dev/vfio/devices/$edu_cdev"
  vt_run su -s /bin/sh nobody -c "$VT_TOOL test --iommu iommufd --filter 'device.*' $edu"
  vt_eq "test through iommufd as nobody (IOAS_ALLOC, BIND_IOMMUFD, attach) exits 0" 0 "$VT_RC"
  vt_has "as nobody the device opened through iommufd" "$VT_OUT" "ok 1 open" "ok 2 device.info"
  [ "$VT_RC" = 0 ] || vt_diag "stdout: $VT_OUT" "stderr: $VT_ERR"
  cat > /tmp/fake-vmm <<'VMM'
#!/bin/sh
[ "$1" = -version ] && { echo 'QEMU emulator version 9.0.2'; exit 0; }
echo "uid=$(id -u) gid=$(id -g)"
echo "args: $*"
for a in "$@"; do
  case $a in *fd=*) n=${a##*fd=}; echo "fd $n: $(readlink /proc/$$/fd/$n)" ;; esac
done
VMM
  chmod 755 /tmp/fake-vmm
  vt_run "$VT_TOOL" exec --owner vm1 -- /tmp/fake-vmm -m 512
  vt_eq "exec --owner vm1 runs the VMM (asked its version: 9.0.2)" 0 "$VT_RC"
  [ "$VT_RC" = 0 ] || vt_diag "stderr: $VT_ERR"
  vt_has "the VMM runs as nobody with iommufd descriptors in its arguments" "$VT_OUT" "uid=65534 gid=65534" \
    "args: -m 512 -object iommufd,id=iommufd0,fd=" "-device vfio-pci,host=$edu,iommufd=iommufd0,fd="
  iommu_fd=$(printf '%s\n' "$VT_OUT" | sed -n 's/.*-object iommufd,id=iommufd0,fd=\([0-9]*\).*/\1/p')
  cdev_fd=$(printf '%s\n' "$VT_OUT" | sed -n 's/.*iommufd=iommufd0,fd=\([0-9]*\).*/\1/p')
  vt_has "the VMM holds /dev/iommu and the cdev at those numbers" "$VT_OUT" "fd $iommu_fd: /dev/iommu" \
    "fd $cdev_fd: /dev/vfio/devices/$edu_cdev"
  vt_run "$VT_TOOL" release --owner vm1
  vt_eq "release vm1 (nobody's) exits 0" 0 "$VT_RC"
  vt_eq "/dev/iommu's owner and mode are as before" "$iommu_before" "$(stat -c '%u:%g:%a' /dev/iommu)"
  vt_check "nobody's ACL entry is gone: it cannot open /dev/iommu" sh -c "! su -s /bin/sh nobody -c ': <> /dev/iommu'"
  vt_same_state "every device is as before prepare --user" /tmp/managed.before
  vt_eq "no records left after nobody's release" none "$(vt_records)"
fi

# an unmanaged device on its host driver: refused, the managed one untouched
{
  echo "<domain type='kvm'><name>vm3</name><devices>"
  hostdev "$edu" yes
  hostdev "$nic" no
  echo "</devices></domain>"
} > /tmp/vm3.xml
vt_expect_rc 4 "prepare with unmanaged e1000e on e1000e fails" "$VT_TOOL" prepare --owner vm3 --xml /tmp/vm3.xml
vt_has "the failure names the unmanaged device" "$VT_ERR" "$nic is unmanaged"
vt_same_state "edu and e1000e are where they were" /tmp/managed.before
vt_eq "no records after the failed prepare" none "$(vt_records)"

# killed half way (before its 6th durable step), rolled back by recover;
# the crash hook is only in builds with -Dtest_hooks=true
if grep -q VFIO_HOSTDEV_TEST_CRASH_AT /usr/lib/libvfio-hostdev.so.0; then
VFIO_HOSTDEV_TEST_CRASH_AT=6 "$VT_TOOL" prepare --owner vm1 --xml /tmp/vm1.xml > /dev/null 2>&1
vt_eq "prepare killed by SIGKILL half way" 137 "$?"
vt_run "$VT_TOOL" recover
vt_eq "recover exits 0" 0 "$VT_RC"
vt_has "recover says it rolled back vm1's prepare" "$VT_OUT" "rolled back the interrupted prepare of owner vm1"
vt_same_state "after recover every device is as before" /tmp/managed.before
vt_eq "no records after recover" none "$(vt_records)"
vt_run "$VT_TOOL" recover
vt_eq "a second recover finds nothing" "nothing to recover 0" "$VT_OUT $VT_RC"
else
  vt_skip "prepare killed half way is rolled back by recover" "the build has no crash hook (-Dtest_hooks=true)"
fi
