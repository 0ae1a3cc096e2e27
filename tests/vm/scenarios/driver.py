# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario driver: "driver --json" parses and names the candidates."""
import json

CATCH_ALL = "vfio_pci:v*d*sv*sd*bc*sc*i*"


def check(blobs, t):
    facts = {}
    for ln in blobs["facts"]["text"].splitlines():
        f = ln.split()
        if len(f) >= 11:
            facts[(f[1], f[2])] = {"address": f[0], "vfio_module": f[9], "modalias": f[10]}
    for name, ids in (("json-edu", ("0x1234", "0x11e8")), ("json-e1000e", ("0x8086", "0x10d3"))):
        dev = facts.get(ids)
        b = blobs.get(name, {"text": "", "rc": None})
        t.ok(b["rc"] == 0, f"driver {dev['address']} --json exits 0", f"exit status {b['rc']}")
        try:
            j = json.loads(b["text"])
        except ValueError as e:
            t.ok(False, f"driver {dev['address']} --json prints valid JSON", f"{e}\n{b['text'][:2000]}")
            continue
        t.ok(isinstance(j, dict), f"driver {dev['address']} --json is an object")
        if not isinstance(j, dict):
            continue
        t.ok(j.get("modalias") == dev["modalias"], f"{name}: modalias is the device's {dev['modalias']}",
             f"tool says {j.get('modalias')!r}")
        if "key" in j:
            t.ok(j["key"] == "vfio_" + dev["modalias"], f"{name}: key is vfio_ + modalias", f"tool says {j['key']!r}")
        t.ok(j.get("module") == dev["vfio_module"], f"{name}: module is {dev['vfio_module']}",
             f"tool says {j.get('module')!r}")
        cands = j.get("candidates")
        ok = isinstance(cands, list) and all(
            isinstance(c, dict) and isinstance(c.get("module"), str) and isinstance(c.get("pattern"), str)
            and isinstance(c.get("wildcards"), int) for c in cands)
        t.ok(ok, f"{name}: candidates are objects with module, pattern, wildcards", json.dumps(cands)[:2000])
        if not ok:
            continue
        by_mod = {c["module"]: c for c in cands}
        t.ok(by_mod.get("vfio_pci", {}).get("pattern") == CATCH_ALL and by_mod["vfio_pci"]["wildcards"] == 7,
             f"{name}: candidates include vfio_pci's catch-all with 7 wildcards", json.dumps(cands))
        if dev["vfio_module"] != "vfio_pci":
            v = by_mod.get(dev["vfio_module"], {})
            want = "vfio_pci:v0000%sd0000%ssv*sd*bc*sc*i*" % (ids[0][2:].upper(), ids[1][2:].upper())
            t.ok(v.get("pattern") == want and v.get("wildcards") == 5,
                 f"{name}: candidates include {dev['vfio_module']} ({want}, 5 wildcards)", json.dumps(cands))
        best = min(c["wildcards"] for c in cands) if cands else None
        chosen = [c for c in cands if c["module"] == j.get("module")]
        t.ok(bool(chosen) and chosen[0]["wildcards"] == best, f"{name}: the chosen module has the fewest wildcards",
             json.dumps(cands))
