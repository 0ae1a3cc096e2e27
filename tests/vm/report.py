#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turn a guest's results channel into the meson test's TAP.

The guest (tests/vm/guest/lib.sh) prints on its second serial port:
  vmtest: BEGIN <scenario> kernel=<release>
  ok - DESC / not ok - DESC [# SKIP ...]     checks, unnumbered
  # ...                                       diagnostics
  vmtest: BLOB-BEGIN NAME ... vmtest: BLOB-END NAME rc=N    captured output
  vmtest: COMPLETE failed=N                   the scenario returned
  vmtest: END rc=N                            /init is about to power off
This numbers the checks, runs the optional host-side checker
scenarios/<scenario>.py (a function check(blobs, t) where blobs maps a name
to {"text": str, "rc": int} and t.ok(cond, desc, diag="") adds a check),
adds a check that the guest finished, and prints the plan last.
Exit status: 0 when every check passed, 1 otherwise.
"""
import argparse
import importlib.util
import os
import re
import sys


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def line(self, text):
        print(text, flush=True)

    def diag(self, text):
        for ln in str(text).splitlines() or [""]:
            self.line("# " + ln)

    def result(self, passed, desc, directive=""):
        self.n += 1
        desc = desc.replace("#", "_").strip()
        if not passed:
            self.failed += 1
        self.line(f"{'ok' if passed else 'not ok'} {self.n} - {desc}{directive}")

    def ok(self, cond, desc, diag=""):
        self.result(bool(cond), desc)
        if not cond and diag:
            self.diag(diag)
        return bool(cond)


RESULT = re.compile(r"^(not ok|ok)\b\s*(?:\d+\s*)?(?:-\s*)?([^#]*)(#.*)?$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--qemu-rc", type=int, required=True)
    ap.add_argument("--timeout", type=int, default=0)
    a = ap.parse_args()

    t = Tap()
    try:
        with open(a.results, "rb") as f:
            raw = f.read().decode("utf-8", "replace")
    except OSError:
        raw = ""
    lines = [ln.rstrip("\r") for ln in raw.replace("\r\n", "\n").split("\n")]

    blobs = {}
    blob = None
    began = ended = complete = False
    end_rc = None
    for ln in lines:
        if blob is not None:
            m = re.match(r"^vmtest: BLOB-END (\S+) rc=(-?\d+)$", ln)
            if m and m.group(1) == blob:
                text = "\n".join(blobs[blob]["lines"])
                blobs[blob] = {"text": text.rstrip("\n") + "\n" if text.strip() else "",
                               "rc": int(m.group(2))}
                blob = None
            else:
                blobs[blob]["lines"].append(ln)
            continue
        if ln.startswith("vmtest: "):
            word = ln[8:].split(" ", 1)
            if word[0] == "BEGIN":
                began = True
                t.diag(ln)
            elif word[0] == "BLOB-BEGIN":
                blob = word[1].strip()
                blobs[blob] = {"lines": []}
            elif word[0] == "COMPLETE":
                complete = True
            elif word[0] == "END":
                ended = True
                m = re.search(r"rc=(-?\d+)", ln)
                end_rc = int(m.group(1)) if m else None
            else:
                t.diag(ln)
            continue
        m = RESULT.match(ln)
        if m:
            directive = (" " + m.group(3)) if m.group(3) else ""
            t.result(m.group(1) == "ok", m.group(2), directive)
        elif ln.startswith("#"):
            t.line(ln)
        elif ln.strip():
            t.diag(ln)
    if blob is not None:
        blobs[blob] = {"text": "\n".join(blobs[blob]["lines"]), "rc": None}
        t.diag(f"blob {blob} was cut off")

    checker = os.path.join(a.dir, "scenarios", a.scenario + ".py")
    if ended and os.path.exists(checker):
        spec = importlib.util.spec_from_file_location("vm_check_" + a.scenario, checker)
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)
            mod.check(blobs, t)
        except Exception as e:  # a broken checker is a failed check, not a crash
            import traceback
            t.ok(False, f"host-side checker {a.scenario}.py ran", traceback.format_exc())

    finished = began and complete and ended
    why = []
    if a.qemu_rc == 124 or a.qemu_rc == 137:
        why.append(f"QEMU killed after the {a.timeout}s limit")
    elif a.qemu_rc != 0:
        why.append(f"QEMU exited with status {a.qemu_rc}")
    if not began:
        why.append("the scenario never started")
    elif not complete:
        why.append("the scenario did not run to its end (exited early or the guest died)")
    elif not ended:
        why.append("/init did not report the end")
    if not t.ok(finished and a.qemu_rc == 0, f"guest ran scenario {a.scenario} to the end and powered off",
                "; ".join(why)):
        try:
            with open(a.console, "rb") as f:
                con = f.read().decode("utf-8", "replace").replace("\r", "").splitlines()
            t.diag("last lines of the guest console:")
            t.diag("\n".join("  " + c for c in con[-40:]))
        except OSError:
            pass
    if t.n == 0:
        t.ok(False, "the scenario reported checks")
    t.line(f"1..{t.n}")
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
