# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario list: the tool's JSON against guest sysfs."""
import json


def facts(blob):
    out = {}
    for ln in blob["text"].splitlines():
        f = ln.split()
        if len(f) < 11:
            continue
        out[f[0]] = dict(zip(
            ("address", "vendor", "device", "class", "driver", "group", "vfio_dev",
             "group_node", "cdev", "vfio_module", "modalias"), f))
    return out


def none_if_dash(v):
    return None if v == "-" else v


def expect_device(t, d, s, where):
    """Check one list/show object d against sysfs facts s."""
    a = s["address"]
    errs = []

    def eq(key, want, got):
        if want != got:
            errs.append(f"{key}: sysfs says {want!r}, tool says {got!r}")

    eq("vendor_id", s["vendor"][2:].lower(), d.get("vendor_id"))
    eq("device_id", s["device"][2:].lower(), d.get("device_id"))
    eq("class", s["class"][2:].lower(), d.get("class"))
    eq("driver", none_if_dash(s["driver"]), d.get("driver"))
    eq("iommu_group", None if s["group"] == "-" else int(s["group"]), d.get("iommu_group"))
    v = d.get("vfio") or {}
    bound = s["vfio_dev"] != "-"
    eq("vfio.bound", bound, v.get("bound"))
    eq("vfio.device", none_if_dash(s["vfio_dev"]), v.get("device"))
    eq("vfio.cdev", none_if_dash(s["cdev"]), v.get("cdev"))
    if bound:
        eq("vfio.group_node", none_if_dash(s["group_node"]), v.get("group_node"))
    t.ok(not errs, f"{where}: {a} agrees with sysfs", "\n".join(errs))


def check(blobs, t):
    sysfs = facts(blobs["sysfs"])
    t.ok(len(sysfs) >= 10, f"sysfs facts read ({len(sysfs)} devices)")
    edu = next((a for a, s in sysfs.items() if s["vendor"] == "0x1234" and s["device"] == "0x11e8"), None)
    e1000e = next((a for a, s in sysfs.items() if s["vendor"] == "0x8086" and s["device"] == "0x10d3"), None)
    ahci = next((a for a, s in sysfs.items() if s["vendor"] == "0x8086" and s["device"] == "0x2922"), None)

    lj = blobs.get("list-json", {"text": "", "rc": None})
    t.ok(lj["rc"] == 0, "list --json exits 0", f"exit status {lj['rc']}")
    try:
        devices = json.loads(lj["text"])
    except ValueError as e:
        t.ok(False, "list --json prints valid JSON", f"{e}\n{lj['text'][:2000]}")
        return
    t.ok(isinstance(devices, list), "list --json prints an array")
    if not isinstance(devices, list):
        return
    by_addr = {d.get("address"): d for d in devices if isinstance(d, dict)}
    t.ok(sorted(by_addr) == sorted(sysfs), "list --json has exactly the PCI devices of sysfs",
         f"only in sysfs: {sorted(set(sysfs) - set(by_addr))}\nonly in list: {sorted(set(by_addr) - set(sysfs))}")
    for a in sorted(sysfs):
        if a in by_addr:
            expect_device(t, by_addr[a], sysfs[a], "list")

    # The point of the scenario: a VFIO driver without "vfio" in its name.
    d = by_addr.get(edu, {})
    v = d.get("vfio") or {}
    t.ok(d.get("driver") == "qedu-mig" and v.get("bound") is True
         and str(v.get("device", "")).startswith("vfio"),
         f"list reports edu {edu} on qedu-mig as VFIO-bound with device {v.get('device')}",
         json.dumps(d, indent=1))
    for a in (edu, e1000e):
        want = sysfs[a]["vfio_module"]
        t.ok(by_addr.get(a, {}).get("vfio_driver") == want,
             f"list: vfio_driver of {a} is {want} (as modules.alias says)",
             f"tool says {by_addr.get(a, {}).get('vfio_driver')!r}")
    t.ok(by_addr.get(edu, {}).get("vfio_driver") == "qedu_mig", "list: vfio_driver of edu is qedu_mig")

    for name, a in (("show-edu", edu), ("show-e1000e", e1000e), ("show-ahci", ahci)):
        b = blobs.get(name, {"text": "", "rc": None})
        t.ok(b["rc"] == 0, f"show {a} --json exits 0", f"exit status {b['rc']}")
        try:
            s = json.loads(b["text"])
        except ValueError as e:
            t.ok(False, f"show {a} --json prints valid JSON", f"{e}\n{b['text'][:2000]}")
            continue
        t.ok(isinstance(s, dict) and s.get("address") == a, f"show {a} --json is an object for {a}")
        if not isinstance(s, dict):
            continue
        expect_device(t, s, sysfs[a], "show")
        members = sorted(x for x, f in sysfs.items() if f["group"] == sysfs[a]["group"])
        got = s.get("iommu_group_members")
        got = sorted((m if isinstance(m, str) else m.get("address")) for m in got) if isinstance(got, list) else got
        t.ok(got == members, f"show {a}: iommu_group_members are the group's devices {members}", f"tool says {got!r}")
