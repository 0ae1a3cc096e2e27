/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PCI addresses (domain:bus:device.function) as the kernel names devices in sysfs. */
#pragma once

#include <glib.h>

typedef struct {
  guint32 domain;  /* up to 0xffff normally; VMD domains go to 0x10000 and above */
  guint8 bus;
  guint8 slot;     /* 0x00-0x1f */
  guint8 function; /* 0-7 */
} HdPciAddress;

/* Longest canonical form: 8 hex digits of domain + ":bb:dd.f" + NUL. */
#define HD_PCI_ADDRESS_STRLEN 17

/* Parses "DDDD:BB:DD.F" (domain: 4 to 8 hex digits) or "BB:DD.F" (domain 0),
 * hex digits in either case. Anything else fails with HD_ERROR_INVALID and a
 * one-line reason that quotes the input. */
gboolean hd_pci_address_parse(const char *text, HdPciAddress *out, GError **error);

/* Writes the canonical lower-case form ("0000:00:02.0"; wider domains keep
 * their digits, e.g. "10000:00:02.0") into buf and returns buf. */
const char *hd_pci_address_format(const HdPciAddress *addr, char buf[HD_PCI_ADDRESS_STRLEN]);

/* TRUE when TEXT is an address in exactly its canonical form: what the
 * state files hold, since they name files and sysfs paths ("../x", "1:0.0"
 * and an upper-case spelling are not). */
gboolean hd_pci_address_is_canonical(const char *text);

/* Newly allocated canonical form. */
char *hd_pci_address_to_string(const HdPciAddress *addr);

gboolean hd_pci_address_equal(const HdPciAddress *a, const HdPciAddress *b);

/* Orders by domain, bus, slot, function (for sorted listings). */
int hd_pci_address_compare(const HdPciAddress *a, const HdPciAddress *b);
