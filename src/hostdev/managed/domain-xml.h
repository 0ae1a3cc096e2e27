/* Reading the PCI <hostdev> elements of libvirt domain XML, from input that
 * may be hostile. Accepts a whole <domain> (its <devices>/<hostdev>), a bare
 * <hostdev>, or several bare <hostdev> elements one after the other. */
#pragma once

#include <glib.h>

#include "util/pci-address.h"

/* Largest document read; domain XML is a few kilobytes. */
#define HD_DOMAIN_XML_MAX_BYTES (1024 * 1024)

typedef struct {
  HdPciAddress address;
  gboolean managed; /* managed='yes': bind and release it; 'no' (libvirt's default): it must already be on VFIO */
  char *model;      /* <driver name='vfio' model='MODULE'/>: an explicit variant module, or NULL */
  guint line;       /* where the <hostdev> starts, for messages */
} HdHostdevSpec;

void hd_hostdev_spec_free(HdHostdevSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HdHostdevSpec, hd_hostdev_spec_free)

/* Parses TEXT (LENGTH bytes; NAME names it in messages). A document that
 * declares a DTD or entities is refused outright, as is anything that is not
 * UTF-8 or larger than HD_DOMAIN_XML_MAX_BYTES; nothing is fetched from the
 * network and no entity is expanded. Malformed XML fails with its line.
 * Returns HdHostdevSpec* (free func set) in document order; non-PCI
 * hostdevs (USB, SCSI, mdev) are skipped. Errors are HD_ERROR_INVALID. */
GPtrArray *hd_domain_xml_parse(const char *text, gsize length, const char *name, GError **error);

/* The same for a file (read with the same size bound). */
GPtrArray *hd_domain_xml_parse_file(const char *path, GError **error);
