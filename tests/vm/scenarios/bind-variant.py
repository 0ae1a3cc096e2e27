# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario bind-variant: bind --json, status --json and
the migration report of show/list --json (debugfs) and --probe-migration."""
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


def migration(t, blobs, name, what, edu):
    """The "migration" object of edu in BLOB name (show: an object, list: an array)."""
    doc = parse(t, blobs, name, what)
    if isinstance(doc, list):
        doc = next((d for d in doc if d.get("address") == edu), None)
    if not t.ok(isinstance(doc, dict) and isinstance(doc.get("migration"), dict), f"{what}: edu has migration",
                repr(doc)[:2000]):
        return {}
    return doc["migration"]


def reason_has(t, mig, words, what):
    reason = mig.get("reason") or ""
    t.ok(all(w in reason for w in words), f"{what}: the reason says {words}", repr(reason))


def check_migration(blobs, t, edu, kernel):
    m = migration(t, blobs, "mig-unmounted", "show --json before debugfs is mounted", edu)
    fields(t, m, {"supported": None, "flags": None, "source": "debugfs"}, "migration without debugfs")
    reason_has(t, m, ["debugfs is not mounted"], "migration without debugfs")
    m = migration(t, blobs, "mig-list", "list --json on qedu-mig", edu)
    if kernel == "modern":
        # 6.12's debugfs has migration/state only (features came in 6.18)
        fields(t, m, {"supported": True, "flags": None, "dirty_tracking": None, "source": "debugfs",
                      "reason": None}, "list --json: qedu-mig migrates (debugfs)")
    else:
        fields(t, m, {"supported": None, "flags": None, "source": "debugfs"}, "list --json: stock has no VFIO debugfs")
        reason_has(t, m, ["CONFIG_VFIO_DEBUGFS"], "list --json on stock")
    m = migration(t, blobs, "mig-probe", "show --probe-migration on qedu-mig", edu)
    fields(t, m, {"supported": True, "flags": ["stop_copy"], "dirty_tracking": False, "source": "probe",
                  "reason": None}, "probe: qedu-mig has stop_copy, no dirty tracking")
    m = migration(t, blobs, "pci-show", "show --json on vfio-pci", edu)
    if kernel == "modern":
        fields(t, m, {"supported": False, "flags": [], "source": "debugfs", "reason": None},
               "show --json: vfio-pci does not migrate (debugfs)")
    else:
        fields(t, m, {"supported": None, "source": "debugfs"}, "show --json on vfio-pci, stock: unknown")
    m = migration(t, blobs, "pci-probe", "show --probe-migration on vfio-pci", edu)
    fields(t, m, {"supported": False, "flags": [], "dirty_tracking": False, "source": "probe", "reason": None},
           "probe: vfio-pci has no migration (ENOTTY)")


def check(blobs, t):
    edu, vfio, group, kernel = blobs["facts"]["text"].split()
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
    check_migration(blobs, t, edu, kernel)
