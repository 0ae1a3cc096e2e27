#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`vfio-hostdev cdi` against what consumes CDI specs, printing TAP:

1. the CDI schema Debian ships (golang-github-container-orchestrated-
   devices-container-device-interface-dev), with python3-jsonschema, and
   the CDI rules the schema leaves out (names, the version a spec needs);
2. a real CDI client: Debian's podman runs a busybox rootfs with
   `--device vfio-hostdev.io/pci=...` and the container sees the nodes.

The spec is the tool's, made on the fake host (tests/mock) for a prepared
owner. podman resolves deviceNodes on the real host, which the fake host
cannot reach, so for step 2 each node the spec names gets a real character
device made with mknod in a temporary directory (the major:minor of
/dev/null, /dev/zero, ... so each is told apart) and the spec's hostPath
points there; the paths inside the container stay the tool's. podman 4.3
reads specs only from /etc/cdi and /var/run/cdi: the run happens in a
private mount namespace with the test's directory bound on /run/cdi.

Usage: test-cdi-consumers.py VFIO_HOSTDEV_BIN (MOCK_* from meson's
mock_test_env). Without the schema, jsonschema, root or podman a step is
skipped, except under CI=true, where it fails.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SCHEMA_DIR = ("/usr/share/gocode/src/github.com/container-orchestrated-devices/"
              "container-device-interface/schema")
KIND = "vfio-hostdev.io/pci"
NVME, VF = "0000:02:00.0", "0000:03:10.4"
# real character devices to copy, one per node the spec names
CHAR_DEVICES = [(1, 3), (1, 5), (1, 7), (1, 8), (1, 9), (5, 0), (5, 2)]
# what this sandbox needs (docs/containers.md): runc (crun refuses hybrid
# cgroups), limits within the hard ones, no network stack
PODMAN_RUN = ["podman", "run", "--rm", "--runtime", "runc", "--network", "none",
              "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]

results = []


def tap(ok, name, why_not=""):
    """One TAP line; WHY_NOT is shown when the check failed."""
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}", flush=True)
    if not ok and why_not:
        print(f"# {why_not}", flush=True)


def skip_or_fail(name, why):
    if os.environ.get("CI") == "true":
        tap(False, name, f"{why} (CI=true: required)")
    else:
        results.append(True)
        print(f"ok {len(results)} - {name} # SKIP {why}", flush=True)


def run(argv, env=None, check=True):
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {proc.returncode}: {proc.stderr.strip()}")
    return proc


def make_spec(tool, tmp):
    """A fake host with VM vm1 prepared (two devices); the tool's spec."""
    root = os.path.join(tmp, "root")
    run([os.environ["MOCK_MKHOST"], os.path.join(os.environ["MOCK_FIXTURES"], "realistic.ini"), root])
    env = dict(os.environ, LD_PRELOAD=os.environ["MOCK_PRELOAD"], VFIO_HOSTDEV_MOCK_ROOT=root,
               PATH=os.environ["MOCK_BIN_DIR"] + ":" + os.environ["PATH"])
    run([tool, "prepare", "--owner", "vm1", NVME, VF], env=env)
    return json.loads(run([tool, "cdi", "--owner", "vm1", "--output", "-"], env=env).stdout)


def load_schema():
    """schema.json with defs.json's definitions inlined, so that no
    resolver is needed: "defs.json#/definitions/X" becomes "#/definitions/X"."""
    with open(os.path.join(SCHEMA_DIR, "schema.json")) as f:
        text = f.read().replace('"defs.json#/definitions/', '"#/definitions/')
    schema = json.loads(text)
    with open(os.path.join(SCHEMA_DIR, "defs.json")) as f:
        schema["definitions"] = json.load(f)["definitions"]
    return schema


def check_schema(spec):
    name = "the spec validates against Debian's CDI schema.json"
    if not os.path.exists(os.path.join(SCHEMA_DIR, "schema.json")):
        return skip_or_fail(name, f"no {SCHEMA_DIR}/schema.json")
    try:
        import jsonschema
    except ImportError:
        return skip_or_fail(name, "no python3-jsonschema")
    validator = jsonschema.Draft7Validator(load_schema())
    errors = [e.message for e in validator.iter_errors(spec)]
    tap(not errors, name, "; ".join(errors))
    # the validator must be able to say no
    broken = copy.deepcopy(spec)
    del broken["devices"][0]["containerEdits"]
    broken["devices"][1]["containerEdits"]["deviceNodes"][0].pop("path")
    tap(len(list(validator.iter_errors(broken))) == 2, "the schema rejects a spec missing containerEdits and a path")


def check_cdi_rules(spec):
    """What the schema does not say: kind and name syntax, the version."""
    name_re = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?$")
    names = [d["name"] for d in spec["devices"]]
    tap(re.match(r"^[a-z0-9.-]+/[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?$", spec["kind"]) is not None
        and spec["kind"] == KIND, "the kind is vendor/class with no dot in the class (no 0.6.0 needed)")
    tap(names == ["0000-02-00.0", "0000-03-10.4", "vm1"] and all(name_re.match(n) for n in names),
        "device names: the addresses with '-' for ':', then the owner; valid CDI names")
    # 0.5.0 allowed names starting with a digit; nothing else here needs more than 0.3.0
    uses_hostpath = any("hostPath" in n for d in spec["devices"] for n in d["containerEdits"]["deviceNodes"])
    needed = "0.5.0" if any(not n[0].isalpha() for n in names) or uses_hostpath else "0.3.0"
    tap(spec["cdiVersion"] == needed and not uses_hostpath, f"cdiVersion is the lowest the content needs ({needed})")


def node_paths(device):
    return [n["path"] for n in device["containerEdits"]["deviceNodes"]]


def podman_missing():
    if os.geteuid() != 0:
        return "not root"
    for program in ("podman", "runc", "unshare", "mount"):
        if shutil.which(program) is None:
            return f"no {program}"
    busybox = shutil.which("busybox")
    # the rootfs holds busybox alone: it must need no loader
    if busybox is None or "not a dynamic executable" not in run(["ldd", busybox], check=False).stderr + \
            run(["ldd", busybox], check=False).stdout:
        return "no static busybox (busybox-static)"
    return None


def podman_setup(spec, tmp):
    """Real nodes for every path, the spec pointing at them, a rootfs."""
    nodes = {}
    for device in spec["devices"]:
        for path in node_paths(device):
            nodes.setdefault(path, CHAR_DEVICES[len(nodes)])
    real = copy.deepcopy(spec)
    for device in real["devices"]:
        for node in device["containerEdits"]["deviceNodes"]:
            host = os.path.join(tmp, "dev-copy" + node["path"])
            if not os.path.exists(host):
                os.makedirs(os.path.dirname(host), exist_ok=True)
                os.mknod(host, 0o600 | 0o020000, os.makedev(*nodes[node["path"]]))
            node["hostPath"] = host  # the container path stays the tool's
    os.makedirs(os.path.join(tmp, "cdi"))
    with open(os.path.join(tmp, "cdi", "vfio-hostdev-vm1.json"), "w") as f:
        json.dump(real, f)
    rootfs = os.path.join(tmp, "rootfs")
    os.makedirs(os.path.join(rootfs, "bin"))
    shutil.copy(shutil.which("busybox"), os.path.join(rootfs, "bin", "busybox"))
    os.symlink("busybox", os.path.join(rootfs, "bin", "sh"))
    return nodes, rootfs


def podman_ls(tmp, rootfs, device):
    """`stat` of /dev/vfio (recursively) and /dev/iommu inside a container given DEVICE."""
    script = ("cd / && for f in $(busybox find /dev/vfio /dev/iommu 2>/dev/null); do "
              "[ -c $f ] && busybox stat -c '%n %t:%T' $f; done; true")
    podman = PODMAN_RUN + ["--device", f"{KIND}={device}", "--rootfs", rootfs, "/bin/sh", "-c", script]
    created = not os.path.isdir("/run/cdi")
    try:
        proc = run(["unshare", "-m", "--propagation", "private", "sh", "-c",
                    'mkdir -p /run/cdi && mount --bind "$1" /run/cdi && shift && exec "$@"', "sh",
                    os.path.join(tmp, "cdi")] + podman, check=False)
    finally:
        if created and os.path.isdir("/run/cdi") and not os.listdir("/run/cdi"):
            os.rmdir("/run/cdi")
    if proc.returncode != 0:
        raise RuntimeError(f"podman: exit {proc.returncode}: {proc.stderr.strip()}")
    seen = {}
    for line in proc.stdout.split("\n"):
        if line:
            path, numbers = line.split(" ")
            seen[path] = tuple(int(x, 16) for x in numbers.split(":"))
    return seen


def check_podman(spec, tmp):
    name = "podman gives a container the owner's nodes (vfio-hostdev.io/pci=vm1)"
    missing = podman_missing()
    if missing:
        skip_or_fail(name, missing)
        skip_or_fail("podman gives one device's nodes only", missing)
        return
    nodes, rootfs = podman_setup(spec, tmp)
    owner = next(d for d in spec["devices"] if d["name"] == "vm1")
    seen = podman_ls(tmp, rootfs, "vm1")
    expected = {p: nodes[p] for p in node_paths(owner)}
    tap(seen == expected, name, f"seen {seen}, expected {expected}")
    nvme = next(d for d in spec["devices"] if d["name"] == "0000-02-00.0")
    seen = podman_ls(tmp, rootfs, "0000-02-00.0")
    expected = {p: nodes[p] for p in node_paths(nvme)}
    tap(seen == expected and len(expected) < len(nodes), "podman gives one device's nodes only",
        f"seen {seen}, expected {expected}")


def main():
    tool = sys.argv[1]
    print("TAP version 13", flush=True)
    with tempfile.TemporaryDirectory(prefix="vfio-hostdev-cdi-") as tmp:
        spec = make_spec(tool, tmp)
        check_schema(spec)
        check_cdi_rules(spec)
        check_podman(spec, tmp)
    print(f"1..{len(results)}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
