# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario variant-virtio: bind/status/list/show --json
for virtio-net on virtio_vfio_pci (modern kernel), cdev included."""
import importlib.util
import json
import os


def _load(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
    spec = importlib.util.spec_from_file_location("vm_check_helper_" + name.replace("-", "_"), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


listcheck = _load("list")
bindcheck = _load("bind-variant")


def check(blobs, t):
    vio, vf, group = blobs["facts"]["text"].split()
    bound = bindcheck.parse(t, blobs, "bind-json", f"bind --json {vio}")
    if isinstance(bound, list) and t.ok(len(bound) == 1, "bind --json: one result", repr(bound)):
        bindcheck.fields(t, bound[0], {"address": vio, "outcome": "bound", "driver": "virtio_vfio_pci",
                                       "module": "virtio_vfio_pci", "original_driver": "virtio-pci",
                                       "original_override": None, "vfio_device": vf,
                                       "iommu_group": int(group), "error": None}, "bind --json")
    status = bindcheck.parse(t, blobs, "status-json", "status --json while bound")
    if isinstance(status, list) and t.ok(len(status) == 1, "status --json: one device", repr(status)):
        bindcheck.fields(t, status[0], {"address": vio, "state": "bound", "present": True,
                                        "original_driver": "virtio-pci", "current_driver": "virtio_vfio_pci",
                                        "problem": None}, "status --json")

    sysfs = listcheck.facts(blobs["sysfs"])
    t.ok(sysfs.get(vio, {}).get("cdev") == f"/dev/vfio/devices/{vf}",
         f"sysfs facts: {vio} has the cdev /dev/vfio/devices/{vf}", repr(sysfs.get(vio)))
    lj = blobs.get("list-json", {"text": "", "rc": None})
    t.ok(lj["rc"] == 0, "list --json exits 0", f"exit status {lj['rc']}")
    try:
        devices = json.loads(lj["text"])
    except ValueError as e:
        t.ok(False, "list --json prints valid JSON", f"{e}\n{lj['text'][:2000]}")
        devices = []
    by_addr = {d.get("address"): d for d in devices if isinstance(d, dict)}
    t.ok(sorted(by_addr) == sorted(sysfs), "list --json has exactly the PCI devices of sysfs",
         f"only in sysfs: {sorted(set(sysfs) - set(by_addr))}\nonly in list: {sorted(set(by_addr) - set(sysfs))}")
    for a in sorted(sysfs):
        if a in by_addr:
            listcheck.expect_device(t, by_addr[a], sysfs[a], "list")
    d = by_addr.get(vio, {})
    v = d.get("vfio") or {}
    t.ok(d.get("driver") == "virtio_vfio_pci" and v.get("bound") is True
         and v.get("cdev") == f"/dev/vfio/devices/{vf}" and v.get("group_node") == f"/dev/vfio/{group}",
         f"list: {vio} on virtio_vfio_pci, VFIO-bound, cdev /dev/vfio/devices/{vf}, group node /dev/vfio/{group}",
         json.dumps(d, indent=1))
    t.ok(d.get("vfio_driver") == "virtio_vfio_pci", f"list: vfio_driver of {vio} is virtio_vfio_pci",
         f"tool says {d.get('vfio_driver')!r}")

    b = blobs.get("show-virtio", {"text": "", "rc": None})
    t.ok(b["rc"] == 0, f"show {vio} --json exits 0", f"exit status {b['rc']}")
    try:
        s = json.loads(b["text"])
    except ValueError as e:
        t.ok(False, f"show {vio} --json prints valid JSON", f"{e}\n{b['text'][:2000]}")
        return
    if t.ok(isinstance(s, dict) and s.get("address") == vio, f"show {vio} --json is an object for {vio}"):
        listcheck.expect_device(t, s, sysfs[vio], "show")
        t.ok((s.get("vfio") or {}).get("cdev") == f"/dev/vfio/devices/{vf}",
             f"show: vfio.cdev of {vio} is /dev/vfio/devices/{vf}", json.dumps(s.get("vfio"), indent=1))
