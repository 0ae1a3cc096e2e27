# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario reset: reset --json names the method."""
import json


def check(blobs, t):
    b = blobs.get("reset-json", {"text": "", "rc": None})
    t.ok(b["rc"] == 0, "reset --json exits 0", f"exit status {b['rc']}")
    try:
        j = json.loads(b["text"])
    except ValueError as e:
        t.ok(False, "reset --json prints valid JSON", f"{e}\n{b['text'][:2000]}")
        return
    t.ok(isinstance(j, dict) and j.get("method") == "flr", "reset --json: method is flr", repr(j))
    t.ok(isinstance(j, dict) and j.get("address") == "0000:02:00.0", "reset --json: address is virtio-net's",
         repr(j))
    t.ok(isinstance(j, dict) and j.get("failed_methods") == [], "reset --json: no method failed first", repr(j))
