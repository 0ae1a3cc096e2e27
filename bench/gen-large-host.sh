#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Writes a mock fixture (tests/mock/README.md format) for a large host to
# DIR/large.ini and DIR/large.modules.alias: NPF SR-IOV physical functions
# with NVF VFs each behind root ports, and NDEV plain endpoints spread over
# extra PCI domains, all with their own IOMMU groups.
# Usage: gen-large-host.sh DIR [NPF] [NVF] [NDEV]
set -eu
dir=$1 npf=${2:-2} nvf=${3:-250} ndev=${4:-512}

{
  printf '[host]\nrelease=6.12.0-bench\niommu=true\nvfio-cdev=true\n\n'
  printf '[driver pcieport]\nmodule=pcieportdrv\nstate=builtin\n\n'
  printf '[driver igb]\nmodule=igb\n\n[driver igbvf]\nmodule=igbvf\n\n'
  printf '[driver e1000e]\nmodule=e1000e\n\n'
  printf '[driver vfio-pci]\nmodule=vfio_pci\nvfio=true\nstate=available\n\n'
  printf '[names]\n8086=Intel Corporation\n8086:1521=I350 Gigabit Network Connection\n'
  printf '8086:1520=I350 Ethernet Controller Virtual Function\n8086:10d3=82574L Gigabit Network Connection\n\n'
  printf '[device 0000:00:00.0]\nvendor=8086\ndevice=29c0\nclass=060000\niommu-group=0\n\n'
  group=1
  pf=0
  while [ "$pf" -lt "$npf" ]; do
    port=$(printf '0000:00:%02x.0' $((pf + 1)))
    bus=$(printf '%02x' $((pf * 4 + 1)))
    printf '[device %s]\nvendor=8086\ndevice=a33c\nclass=060400\nheader-type=1\niommu-group=%d\ndriver=pcieport\n\n' \
      "$port" "$group"
    group=$((group + 1))
    printf '[device 0000:%s:00.0]\nparent=%s\nvendor=8086\ndevice=1521\nclass=020000\niommu-group=%d\n' \
      "$bus" "$port" "$group"
    printf 'reset-method=flr bus\ndriver=igb\nsriov-totalvfs=%d\nsriov-numvfs=%d\nsriov-offset=128\nsriov-stride=1\nsriov-vf-device=1520\n\n' \
      "$nvf" "$nvf"
    group=$((group + 1))
    pf=$((pf + 1))
  done
  n=0
  while [ "$n" -lt "$ndev" ]; do
    domain=$((n / 256 + 1))
    slot=$(((n % 256) / 8))
    fn=$((n % 8))
    printf '[device %04x:00:%02x.%d]\nvendor=8086\ndevice=10d3\nclass=020000\niommu-group=%d\nreset-method=pm bus\ndriver=e1000e\n\n' \
      "$domain" "$slot" "$fn" "$group"
    group=$((group + 1))
    n=$((n + 1))
  done
} > "$dir/large.ini"

cat > "$dir/large.modules.alias" <<'ALIASES'
alias pci:v00008086d00001521sv*sd*bc*sc*i* igb
alias pci:v00008086d00001520sv*sd*bc*sc*i* igbvf
alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e
alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci
alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* mlx5_vfio_pci
alias vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i* virtio_vfio_pci
ALIASES
