# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario bind-variant: bind --json and status --json."""
import json


def parse(t, blobs, name, what):
    b = blobs.get(name, {"text": "", "rc": None})
    t.ok(b["rc"] == 0, f"{what} exits 0", f"exit status {b['rc']}")
    try:
        return json.loads(b["text"])
    except ValueError as e:
        t.ok(False, f"{what} prints valid JSON", f"{e}\n{b['text'][:2000]}")
        return None


def fields(t, obj, want, what):
    errs = [f"{k}: want {v!r}, got {obj.get(k)!r}" for k, v in want.items() if obj.get(k) != v]
    t.ok(not errs, f"{what}: " + ", ".join(f"{k}={v}" for k, v in want.items()), "\n".join(errs))


def check(blobs, t):
    edu, vfio, group = blobs["facts"]["text"].split()
    bound = parse(t, blobs, "bind-json", f"bind --json {edu}")
    if isinstance(bound, list) and t.ok(len(bound) == 1, "bind --json: one result", repr(bound)):
        fields(t, bound[0], {"address": edu, "outcome": "bound", "driver": "qedu-mig", "module": "qedu_mig",
                             "original_driver": None, "original_override": None, "vfio_device": vfio,
                             "iommu_group": int(group), "disabled_vfs": 0, "error": None}, "bind --json")
    status = parse(t, blobs, "status-json", "status --json while bound")
    if isinstance(status, list) and t.ok(len(status) == 1, "status --json: one device", repr(status)):
        s = status[0]
        fields(t, s, {"address": edu, "state": "bound", "present": True, "original_driver": None,
                      "original_override": None, "current_driver": "qedu-mig", "sriov_numvfs": 0,
                      "group_member": False, "problem": None}, "status --json")
        t.ok(isinstance(s.get("since"), int) and s["since"] > 0, "status --json: since is a time",
             repr(s.get("since")))
    after = parse(t, blobs, "status-after", "status --json after reattach")
    t.ok(after == [], "status --json after reattach is empty", repr(after))
