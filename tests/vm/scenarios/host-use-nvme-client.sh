# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Scenario host-use-nvme-client: host-use-nvme with nvme_core.multipath=N
# (host-use-nvme-client.vm), the client layout: the namespace nvmeXnY below
# its controller.
. /vmtest/scenarios/host-use-nvme.sh
