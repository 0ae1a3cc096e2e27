# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario bind-group: status --json after bind --group."""
import json


def check(blobs, t):
    b = blobs.get("status-json", {"text": "", "rc": None})
    t.ok(b["rc"] == 0, "status --json exits 0", f"exit status {b['rc']}")
    try:
        status = json.loads(b["text"])
    except ValueError as e:
        t.ok(False, "status --json prints valid JSON", f"{e}\n{b['text'][:2000]}")
        return
    by = {s.get("address"): s for s in status} if isinstance(status, list) else {}
    t.ok(sorted(by) == ["0000:00:1f.2", "0000:00:1f.3"], "status --json lists exactly 00:1f.2 and 00:1f.3",
         repr(status))
    for addr, orig, member in (("0000:00:1f.3", "i801_smbus", False), ("0000:00:1f.2", "ahci", True)):
        s = by.get(addr, {})
        want = {"state": "bound", "original_driver": orig, "current_driver": "vfio-pci", "group_member": member,
                "original_override": None}
        errs = [f"{k}: want {v!r}, got {s.get(k)!r}" for k, v in want.items() if s.get(k) != v]
        t.ok(not errs, f"status --json {addr}: was {orig}, now vfio-pci, group_member {member}", "\n".join(errs))
