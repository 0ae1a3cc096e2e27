# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario bind-sriov: status --json records the VF count."""
import json


def check(blobs, t):
    b = blobs.get("status-json", {"text": "", "rc": None})
    t.ok(b["rc"] == 0, "status --json exits 0", f"exit status {b['rc']}")
    try:
        status = json.loads(b["text"])
    except ValueError as e:
        t.ok(False, "status --json prints valid JSON", f"{e}\n{b['text'][:2000]}")
        return
    ok = isinstance(status, list) and len(status) == 1
    t.ok(ok, "status --json lists the PF alone", repr(status))
    if not ok:
        return
    s = status[0]
    want = {"address": "0000:03:00.0", "state": "bound", "original_driver": "nvme", "current_driver": "vfio-pci",
            "sriov_numvfs": 2}
    errs = [f"{k}: want {v!r}, got {s.get(k)!r}" for k, v in want.items() if s.get(k) != v]
    t.ok(not errs, "status --json: PF was on nvme with 2 VFs, now vfio-pci", "\n".join(errs))
