# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario doctor-noiommu: advice for the VMM."""
import json


def check(blobs, t):
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
