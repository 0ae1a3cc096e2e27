# SPDX-License-Identifier: LGPL-2.1-or-later
"""Host-side checks of scenario doctor: what `doctor --json` says in the
guest, from its kernel's config and what is loaded, per kernel: stock
Debian 6.12 (no iommufd, no cdev) or modern (both)."""
import json


def checks(t, blob, name, want_rc):
    t.ok(blob["rc"] == want_rc, f"{name}: doctor exits {want_rc}", f"rc={blob['rc']}")
    try:
        return {c["id"]: c for c in json.loads(blob["text"])["checks"]}
    except (ValueError, KeyError) as e:
        t.ok(False, f"{name}: doctor --json parses", str(e))
        return {}


def expect(t, found, name, check_id, status, *words):
    c = found.get(check_id, {})
    text = f"{c.get('message', '')} | fix: {c.get('fix')}"
    t.ok(c.get("status") == status and all(w in text for w in words),
         f"{name}: {check_id} is {status}" + (f" naming {', '.join(words)}" if words else ""),
         f"{c.get('status')}: {text}")


def check(blobs, t):
    config = "/boot/config-"
    modern = blobs["kernel"]["text"].strip() == "modern"
    fresh = checks(t, blobs["fresh"], "fresh", 0)
    expect(t, fresh, "fresh", "iommu", "pass")
    expect(t, fresh, "fresh", "interrupt-remapping", "pass")
    expect(t, fresh, "fresh", "vfio", "pass", "built as a module (CONFIG_VFIO=m) and not loaded")
    expect(t, fresh, "fresh", "vfio-pci", "pass", "CONFIG_VFIO_PCI=m")
    expect(t, fresh, "fresh", "vfio-iommu-type1", "pass", "softdep")
    expect(t, fresh, "fresh", "vfio-dev", "pass", "CONFIG_VFIO_GROUP")
    if modern:
        expect(t, fresh, "fresh", "vfio-cdev", "pass", "CONFIG_VFIO_DEVICE_CDEV")
        expect(t, fresh, "fresh", "iommufd", "pass", "CONFIG_IOMMUFD=m", "module vfio depends on it")
    else:
        expect(t, fresh, "fresh", "vfio-cdev", "warn", "CONFIG_IOMMUFD", config)
        expect(t, fresh, "fresh", "iommufd", "warn", "built without CONFIG_IOMMUFD", config)
    expect(t, fresh, "fresh", "noiommu", "pass")

    # without type1 the legacy container fails; with iommufd VMMs have another way
    alone = checks(t, blobs["vfio-alone"], "vfio alone", 0 if modern else 1)
    expect(t, alone, "vfio alone", "vfio", "pass", "is loaded")
    if modern:
        expect(t, alone, "vfio alone", "vfio-iommu-type1", "warn", "VFIO_SET_IOMMU", "VMMs using iommufd are not affected")
        expect(t, alone, "vfio alone", "iommufd", "pass", "/dev/iommu is present")
        expect(t, alone, "vfio alone", "vfio-cdev", "pass")
    else:
        expect(t, alone, "vfio alone", "vfio-iommu-type1", "fail", "VFIO_SET_IOMMU", "modprobe vfio_iommu_type1")
    expect(t, alone, "vfio alone", "vfio-dev", "pass", "/sys/class/vfio-dev")
    expect(t, alone, "vfio alone", "dev-vfio", "pass")

    type1 = checks(t, blobs["type1"], "with type1", 0)
    expect(t, type1, "with type1", "vfio-iommu-type1", "pass", "loaded")
    for name in ("fresh", "vfio-alone", "type1", "plain"):
        t.ok("amd_iommu=on" not in blobs[name]["text"], f"{name}: amd_iommu=on is advised nowhere")
    t.ok("PASS  vfio_iommu_type1" in blobs["plain"]["text"], "plain doctor output lists vfio_iommu_type1 as PASS")
