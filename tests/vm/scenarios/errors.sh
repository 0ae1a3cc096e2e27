# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario errors: malformed addresses are bad input (exit 2), a well-formed
# address with no device is "no such device" (exit 3); each says so in one
# line on stderr and prints nothing on stdout.

vt_expect() {  # vt_expect RC DESC ARGS...
  want=$1 d=$2; shift 2
  vt_run "$VT_TOOL" "$@"
  vt_eq "$d: exit $want" "$want" "$VT_RC"
  lines=$(printf '%s' "$VT_ERR" | grep -c '')
  vt_eq "$d: one line on stderr" 1 "$lines"
  [ "$lines" = 1 ] || vt_diag "stderr: $VT_ERR"
  vt_eq "$d: nothing on stdout" "" "$VT_OUT"
}

for cmd in show driver; do
  vt_expect 2 "$cmd zz:00.0" $cmd zz:00.0
  vt_expect 2 "$cmd 0000:00:02.8 (function 8)" $cmd 0000:00:02.8
  vt_expect 2 "$cmd ../00:02.0" $cmd ../00:02.0
  vt_expect 2 "$cmd '' (empty)" $cmd ''
  vt_expect 3 "$cmd 0000:0f:1f.7 (absent)" $cmd 0000:0f:1f.7
done
vt_expect 3 "show 0000:0f:1f.7 --json (absent)" show 0000:0f:1f.7 --json
vt_expect 2 "driver --modalias garbage" driver --modalias 'not a modalias'
vt_expect 2 "show without an address" show
vt_expect 2 "an unknown command" frobnicate
