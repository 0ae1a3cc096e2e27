/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading the PCI devices of libvirt domain XML, from input that may be
 * hostile. The document has exactly one root element: a whole <domain> (its
 * <devices>/<hostdev> and <devices>/<interface type='hostdev'>), or one bare
 * <hostdev> or <interface>. */
#pragma once

#include <glib.h>

#include "util/pci-address.h"

/* Largest document read; domain XML is a few kilobytes. */
#define HD_DOMAIN_XML_MAX_BYTES (1024 * 1024)

typedef struct {
  HdPciAddress address;
  gboolean managed; /* managed='yes': bind and release it; 'no' (libvirt's default): it must already be on VFIO */
  char *model;      /* <driver name='vfio' model='MODULE'/>: an explicit variant module, or NULL */
  guint line;       /* where the <hostdev> or <interface> starts, for messages */
} HdHostdevSpec;

void hd_hostdev_spec_free(HdHostdevSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdHostdevSpec, hd_hostdev_spec_free)

/* Parses TEXT (LENGTH bytes; NAME names it in messages). A document that
 * declares a DTD or entities is refused outright, as is anything that is not
 * UTF-8 or larger than HD_DOMAIN_XML_MAX_BYTES; nothing is fetched from the
 * network and no entity is expanded. Malformed XML fails with its line.
 * A second root element, text after the root, or a root that is not
 * <domain>, <hostdev> or <interface> is refused. Numbers are read as
 * libvirt reads them (0x hex, leading 0 octal, else decimal; a missing
 * domain is 0). Returns HdHostdevSpec* (free func set) in document order;
 * non-PCI hostdevs (USB, SCSI, mdev) and other interfaces are skipped.
 * Errors are HD_ERROR_INVALID. */
GPtrArray *hd_domain_xml_parse(const char *text, gsize length, const char *name, GError **error);

/* The same for a file (read with the same size bound). */
GPtrArray *hd_domain_xml_parse_file(const char *path, GError **error);
