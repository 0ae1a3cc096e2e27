/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every PCI device of the host, found through libudev. */
#pragma once

#include "hostdev/device/device.h"

/* HdDevice* sorted by address. Devices that vanish while being read (hot
 * unplug, VFs being disabled) are skipped. */
GPtrArray *hd_enumerate_devices(HdManager *manager, GError **error);
