# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario doctor-noiommu: advice for the VMM; on the
modern kernel also no-IOMMU mode as doctor, show and list report it."""
import json


def check_advice(blobs, t):
    blob = blobs["doctor"]
    t.ok(blob["rc"] == 1, "doctor exits 1 (the IOMMU check fails)", f"rc={blob['rc']}")
    found = {c["id"]: c for c in json.loads(blob["text"])["checks"]}
    iommu = found["iommu"]
    text = f"{iommu['message']} | fix: {iommu['fix']}"
    t.ok(iommu["status"] == "fail" and "QEMU virtual machine" in iommu["message"],
         "the IOMMU check fails naming a QEMU virtual machine", text)
    t.ok("-device intel-iommu,intremap=on,caching-mode=on" in iommu["fix"]
         and "kernel-irqchip=split" in iommu["fix"] and "virtio-iommu" in iommu["fix"],
         "the fix is what QEMU must give the guest", text)
    t.ok("firmware" not in iommu["fix"], "no firmware advice in a VM", text)
    for name in ("list", "show"):
        t.ok("vfio-hostdev doctor` says why" in blobs[name]["text"], f"{name} warns that the IOMMU is off",
             blobs[name]["text"][-300:])
    for name in ("doctor", "list", "show"):
        t.ok("amd_iommu=on" not in blobs[name]["text"], f"{name}: amd_iommu=on is advised nowhere")
    t.ok("No-IOMMU" not in blobs["show"]["text"], "show says nothing of no-IOMMU mode while it is off")


def check_noiommu(blobs, t):
    found = {c["id"]: c for c in json.loads(blobs["noiommu-doctor"]["text"])["checks"]}
    mode = found.get("noiommu", {})
    t.ok(mode.get("status") == "warn" and "enable_unsafe_noiommu_mode=Y" in mode.get("message", ""),
         "doctor warns that no-IOMMU mode is on", str(mode))
    show = blobs["noiommu-show"]["text"]
    t.ok("No-IOMMU:" in show and "NO DMA ISOLATION" in show and "can DMA anywhere in host memory" in show,
         "show says loudly that edu would get a no-IOMMU group", show[-600:])
    edu = [d for d in json.loads(blobs["noiommu-list"]["text"]) if d["address"] == "0000:00:02.0"]
    t.ok(len(edu) == 1 and edu[0]["noiommu"] is True and edu[0]["iommu_group"] is None,
         "list --json: edu noiommu true, no group yet", str(edu))
    bound = json.loads(blobs["noiommu-bound"]["text"])
    group = bound.get("iommu_group")
    t.ok(bound["noiommu"] is True and group is not None
         and bound["vfio"]["group_node"] == f"/dev/vfio/noiommu-{group}" and bound["driver"] == "vfio-pci",
         "show --json once bound: its no-IOMMU group and node", json.dumps(bound)[:600])


def check(blobs, t):
    check_advice(blobs, t)
    if blobs["kernel"]["text"].strip() == "modern":
        check_noiommu(blobs, t)
