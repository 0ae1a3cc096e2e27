# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario stuck-unbind: a driver whose remove() sleeps uninterruptibly
# (qedu_mig remove_sleep_ms, as a wedged device's driver does) never holds
# the tool. Proven by order, never by wall time, with qedu_mig's read-only
# in_remove (how many remove()s are asleep):
#   - `reattach --unbind-timeout 2` of edu on qedu-mig exits 5, and once the
#     shell's `wait` has reaped it, in_remove is still 1: the tool did not
#     wait for the kernel; its group lock is free (not in /proc/locks) while
#     the helper, in D-state, holds the .pending lock;
#   - a second reattach, status, show and list answer at once (in_remove
#     still 1 after them), the reattach with exit 5 naming the write;
#   - once in_remove is 0 and the helper is gone, reattach finishes: edu
#     unbound, no override, no record;
#   - `bind --driver qedu-mig` of e1000e with qedu_mig's probe failing
#     comes back to e1000e with no driver_override left;
#   - e1000e bound to qedu-mig, a stuck reattach, then binds repeated while
#     the write is pending and after it returned: each refused (exit 5), the
#     record (original driver e1000e) kept; reattach restores e1000e.

params=/sys/module/qedu_mig/parameters
edu=$(vt_find 1234 11e8)
nic=$(vt_find 8086 10d3)
vt_state > /tmp/start.state

# The inode of FILE is (not) flock()ed by someone: /proc/locks lists
# "N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF".
locked() {
  _ino=$(ls -i "$1" 2>/dev/null | awk '{ print $1 }')
  [ -n "$_ino" ] && grep -q "FLOCK .*:$_ino 0 EOF" /proc/locks
}

in_remove() { cat "$params/in_remove"; }

# Waits (bounded, by polling a fact) until CMD succeeds.
wait_for() {
  _n=0
  while ! "$@"; do
    _n=$((_n + 1))
    [ $_n -gt 600 ] && return 1
    sleep 0.2
  done
}

helper_state() {
  _pid=$(pidof vfio-hostdev-write)
  [ -n "$_pid" ] && awk '{ print $3 }' "/proc/$_pid/stat"
}

no_remove_asleep() { [ "$(in_remove)" = 0 ]; }
not_locked() { ! locked "$1"; }

# ---- edu on qedu-mig, its unbind stuck in remove() ----------------------
vt_expect_rc 0 "bind $edu (qedu-mig)" "$VT_TOOL" bind "$edu"
vt_eq "edu is on qedu-mig" qedu-mig "$(vt_link "$edu" driver)"
group_lock=/run/vfio-hostdev/group-$(vt_link "$edu" iommu_group).lock
pending=/run/vfio-hostdev/$edu.pending
echo 20000 > "$params/remove_sleep_ms"

"$VT_TOOL" reattach --unbind-timeout 2 "$edu" > /tmp/r1.out 2> /tmp/r1.err &
tool=$!
wait "$tool"
rc=$?
asleep=$(in_remove)
vt_eq "reattach --unbind-timeout 2 exits 5" 5 "$rc"
vt_eq "the tool was reaped while remove() still sleeps (in_remove)" 1 "$asleep"
vt_has "its one line names the write that did not return" "$(cat /tmp/r1.err)" "did not return" "$pending"
vt_check "no vfio-hostdev process is left" [ -z "$(pidof vfio-hostdev)" ]
vt_eq "the helper sleeps in the kernel (D-state)" D "$(helper_state)"
vt_check "the helper holds $pending locked" locked "$pending"
vt_check "the group lock is free" not_locked "$group_lock"
vt_has "the .pending file names the write" "$(cat "$pending")" "attribute=/sys/bus/pci/drivers/qedu-mig/unbind" "value=$edu"

vt_expect_rc 5 "a second reattach while the write is pending" "$VT_TOOL" reattach "$edu"
vt_has "it names the pending write" "$VT_ERR" "has not returned" "qedu-mig/unbind"
vt_expect_rc 0 "status while the write is pending" "$VT_TOOL" status
vt_has "status shows it pending" "$VT_OUT" "pending: writing"
vt_expect_rc 0 "show $edu while the write is pending" "$VT_TOOL" show "$edu"
vt_has "show names the pending write" "$VT_OUT" "Pending write:"
vt_expect_rc 0 "list while the write is pending" "$VT_TOOL" list
vt_eq "all of that while remove() still sleeps (in_remove)" 1 "$(in_remove)"

vt_check "remove() returns (in_remove drops to 0)" wait_for no_remove_asleep
vt_check "the helper lets go of $pending" wait_for not_locked "$pending"
vt_has "the .pending file records the result" "$(cat "$pending")" "finished=1" "errno=0"
echo 0 > "$params/remove_sleep_ms"
vt_expect_rc 0 "reattach finishes once the kernel returned" "$VT_TOOL" reattach "$edu"
vt_eq "edu is unbound as at boot" - "$(vt_link "$edu" driver)"
vt_eq "edu's driver_override is clear" "(null)" "$(vt_override "$edu")"
vt_eq "no record is left" none "$(vt_records)"

# ---- a failing probe: e1000e comes back ------------------------------------
echo 1 > "$params/fail_probe"
vt_expect_rc 1 "bind --driver qedu-mig $nic with qedu_mig's probe failing" "$VT_TOOL" bind --driver qedu-mig "$nic"
vt_has "it says the probe did not bind and it rolled back" "$VT_ERR" "did not bind it to qedu-mig" "rolled back"
vt_eq "e1000e is back on e1000e" e1000e "$(vt_link "$nic" driver)"
vt_eq "e1000e has no driver_override left" "(null)" "$(vt_override "$nic")"
vt_eq "no record after the rollback" none "$(vt_records)"
echo 0 > "$params/fail_probe"

# ---- stuck, then binds repeated: the record and e1000e survive -------------
vt_expect_rc 0 "bind --driver qedu-mig $nic" "$VT_TOOL" bind --driver qedu-mig "$nic"
cp "/run/vfio-hostdev/$nic.record" /tmp/nic.record
echo 20000 > "$params/remove_sleep_ms"
vt_expect_rc 5 "reattach --unbind-timeout 2 of e1000e stuck in remove()" "$VT_TOOL" reattach --unbind-timeout 2 "$nic"
vt_expect_rc 5 "bind while the write is pending" "$VT_TOOL" bind "$nic"
vt_has "it names the pending write" "$VT_ERR" "has not returned"
vt_eq "refused while remove() still sleeps (in_remove)" 1 "$(in_remove)"
vt_check "remove() returns" wait_for no_remove_asleep
vt_check "the helper lets go" wait_for not_locked "/run/vfio-hostdev/$nic.pending"
echo 0 > "$params/remove_sleep_ms"
vt_expect_rc 5 "bind once the kernel returned" "$VT_TOOL" bind "$nic"
vt_has "it points at reattach" "$VT_ERR" "left stuck" "reattach"
vt_expect_rc 5 "bind again" "$VT_TOOL" bind "$nic"
vt_has "the record still names e1000e as the original driver" "$(cat "/run/vfio-hostdev/$nic.record")" "original_driver=e1000e"
vt_expect_rc 0 "reattach $nic" "$VT_TOOL" reattach "$nic"
vt_eq "e1000e is back on e1000e" e1000e "$(vt_link "$nic" driver)"
vt_eq "e1000e has no driver_override left" "(null)" "$(vt_override "$nic")"
vt_eq "no record is left" none "$(vt_records)"
vt_same_state "every device is as it was at boot" /tmp/start.state
