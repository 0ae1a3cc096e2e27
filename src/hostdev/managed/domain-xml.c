// SPDX-License-Identifier: LGPL-2.1-or-later
#include "hostdev/managed/domain-xml.h"

#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/hd-error.h"

void hd_hostdev_spec_free(HdHostdevSpec *spec)
{
  if (spec == NULL)
    return;
  g_free(spec->model);
  g_free(spec);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt)

static guint line_of(const char *text, const char *at)
{
  guint line = 1;

  for (const char *p = text; p < at; p++)
    line += *p == '\n';
  return line;
}

/* Domain XML never needs a DTD, and a DTD is where entity expansion attacks
 * (billion laughs, external entities) live: refuse before parsing. The input
 * is UTF-8 without NUL bytes by then, so the markup cannot hide behind
 * another encoding. */
static gboolean refuse_declarations(const char *text, gsize length, const char *name, GError **error)
{
  static const char *const forbidden[] = {"<!DOCTYPE", "<!ENTITY", "<!ELEMENT", "<!ATTLIST"};

  for (guint i = 0; i < G_N_ELEMENTS(forbidden); i++) {
    const char *at = memmem(text, length, forbidden[i], strlen(forbidden[i]));
    if (at != NULL) {
      g_set_error(error, HD_ERROR, HD_ERROR_INVALID,
                  "%s:%u: refusing XML that declares %s (domain XML needs no DTD or entities)", name,
                  line_of(text, at), forbidden[i]);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean check_bytes(const char *text, gsize length, const char *name, GError **error)
{
  const char *bad = NULL;

  if (length > HD_DOMAIN_XML_MAX_BYTES) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s: %" G_GSIZE_FORMAT " bytes is larger than the %d bytes domain XML may have",
                name, length, HD_DOMAIN_XML_MAX_BYTES);
    return FALSE;
  }
  if (memchr(text, '\0', length) != NULL || !g_utf8_validate(text, (gssize)length, &bad)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%u: not UTF-8 text", name,
                bad != NULL ? line_of(text, bad) : 1);
    return FALSE;
  }
  return refuse_declarations(text, length, name, error);
}

/* libxml2 goes on reporting after the first fatal error (a tag mismatch is
 * followed by "premature end of data" at the end): the first one says
 * where the document is broken. */
typedef struct {
  int line;
  char *message;
} FirstError;

static void remember_first_error(void *data, xmlErrorPtr error)
{
  xmlParserCtxt *context = data;
  FirstError *first = context->_private;

  if (first->message == NULL) {
    first->line = error->line;
    first->message = g_strstrip(g_strdup(error->message != NULL ? error->message : "malformed XML"));
  }
}

/* Parses without network, DTD loading or entity substitution, and with
 * libxml2's default limits (depth, text size) left on. A document has
 * exactly one root element: a second one (two <domain> documents one after
 * the other, a <domain> and a bare <hostdev>) or text after it is libxml2's
 * "Extra content at the end of the document", an error like any other. */
static xmlDoc *parse_document(const char *text, gsize length, const char *name, GError **error)
{
  g_autoptr(xmlParserCtxt) context = xmlNewParserCtxt();
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  FirstError first = {0};

  if (context == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_FAILED, "%s: out of memory", name);
    return NULL;
  }
  context->_private = &first;
  context->sax->serror = remember_first_error;
  xmlDoc *doc = xmlCtxtReadMemory(context, text, (int)length, NULL, "UTF-8", options);
  if (doc == NULL || !context->wellFormed) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%d: malformed XML: %s", name, first.line,
                first.message != NULL ? first.message : "not a document");
    g_free(first.message);
    xmlFreeDoc(doc);
    return NULL;
  }
  g_free(first.message);
  return doc;
}

static gboolean is_element(const xmlNode *node, const char *name)
{
  return node->type == XML_ELEMENT_NODE && xmlStrEqual(node->name, (const xmlChar *)name);
}

static const xmlNode *first_child(const xmlNode *parent, const char *name)
{
  for (const xmlNode *child = parent->children; child != NULL; child = child->next)
    if (is_element(child, name))
      return child;
  return NULL;
}

static char *get_attr(const xmlNode *node, const char *attr)
{
  xmlChar *value = xmlGetNoNsProp(node, (const xmlChar *)attr);
  char *copy = g_strdup((const char *)value);

  xmlFree(value);
  return copy;
}

static guint64 digit_value(char c)
{
  int value = g_ascii_xdigit_value(c);

  return value < 0 ? G_MAXUINT64 : (guint64)value;
}

/* Numbers as libvirt reads address attributes (strtoul with base 0, the
 * whole text): "0x" hex, a leading "0" octal, otherwise decimal. No sign
 * and no blanks: libvirt would skip leading blanks, an address written so is
 * refused here rather than guessed at. */
static gboolean parse_number(const char *text, guint64 max, guint64 *out)
{
  const char *digits = text;
  guint64 base = 10, value = 0;

  if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    digits = text + 2;
  } else if (text[0] == '0' && text[1] != '\0') {
    base = 8;
    digits = text + 1;
  }
  if (*digits == '\0')
    return FALSE;
  for (const char *p = digits; *p != '\0'; p++) {
    guint64 digit = digit_value(*p);
    if (digit >= base || digit > max || value > (max - digit) / base)
      return FALSE;
    value = value * base + digit;
  }
  *out = value;
  return TRUE;
}

/* A missing field is an error, except for DEFAULT_VALUE (non-NULL): libvirt
 * takes a missing domain as 0. */
static gboolean read_address_field(const xmlNode *address, const char *field, guint64 max,
                                   const guint64 *default_value, guint64 *out, const char *name, GError **error)
{
  g_autofree char *value = get_attr(address, field);

  if (value == NULL && default_value != NULL) {
    *out = *default_value;
    return TRUE;
  }
  if (value == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%ld: <address> has no %s attribute", name,
                xmlGetLineNo(address), field);
    return FALSE;
  }
  if (!parse_number(value, max, out)) {
    g_autofree char *shown = g_strescape(value, NULL);
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%ld: <address %s='%.40s'> is not a number from 0 to %#" G_GINT64_MODIFIER "x",
                name, xmlGetLineNo(address), field, shown, max);
    return FALSE;
  }
  return TRUE;
}

/* The <source><address> of a <hostdev> or an <interface type='hostdev'>;
 * the latter says type='pci' (anything else is not a PCI device). */
static gboolean read_address(const xmlNode *device, HdPciAddress *out, const char *name, GError **error)
{
  const xmlNode *source = first_child(device, "source");
  const xmlNode *address = source != NULL ? first_child(source, "address") : NULL;
  g_autofree char *type = address != NULL ? get_attr(address, "type") : NULL;
  static const guint64 domain_default = 0;
  guint64 domain = 0, bus = 0, slot = 0, function = 0;

  if (address == NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%ld: <%s> has no <source><address .../></source>", name,
                xmlGetLineNo(device), (const char *)device->name);
    return FALSE;
  }
  if (type != NULL && !g_str_equal(type, "pci")) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%ld: <address type='%.20s'> is not a PCI address", name,
                xmlGetLineNo(address), type);
    return FALSE;
  }
  if (!read_address_field(address, "domain", G_MAXUINT32, &domain_default, &domain, name, error) ||
      !read_address_field(address, "bus", 0xff, NULL, &bus, name, error) ||
      !read_address_field(address, "slot", 0x1f, NULL, &slot, name, error) ||
      !read_address_field(address, "function", 7, NULL, &function, name, error))
    return FALSE;
  out->domain = (guint32)domain;
  out->bus = (guint8)bus;
  out->slot = (guint8)slot;
  out->function = (guint8)function;
  return TRUE;
}

static gboolean valid_module_name(const char *model)
{
  if (*model == '\0' || strlen(model) > 64)
    return FALSE;
  for (const char *p = model; *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

/* <driver name='vfio' model='MODULE'/>: only VFIO is supported; the model
 * names an explicit variant module. */
static gboolean read_driver(const xmlNode *hostdev, char **model, const char *name, GError **error)
{
  const xmlNode *driver = first_child(hostdev, "driver");
  g_autofree char *driver_name = driver != NULL ? get_attr(driver, "name") : NULL;
  g_autofree char *driver_model = driver != NULL ? get_attr(driver, "model") : NULL;

  if (driver_name != NULL && !g_str_equal(driver_name, "vfio")) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%ld: <driver name='%.20s'> is not supported; use 'vfio'", name,
                xmlGetLineNo(driver), driver_name);
    return FALSE;
  }
  if (driver_model != NULL && !valid_module_name(driver_model)) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%ld: <driver model='%.40s'> is not a module name", name,
                xmlGetLineNo(driver), driver_model);
    return FALSE;
  }
  *model = g_steal_pointer(&driver_model);
  return TRUE;
}

static gboolean read_managed(const xmlNode *hostdev, gboolean *managed, const char *name, GError **error)
{
  g_autofree char *value = get_attr(hostdev, "managed");

  if (value == NULL || g_str_equal(value, "no")) {
    *managed = FALSE;
    return TRUE;
  }
  if (g_str_equal(value, "yes")) {
    *managed = TRUE;
    return TRUE;
  }
  g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%ld: managed='%.20s' must be 'yes' or 'no'", name,
              xmlGetLineNo(hostdev), value);
  return FALSE;
}

/* Only <hostdev mode='subsystem' type='pci'> is ours; other hostdevs (USB,
 * SCSI, mdev, capabilities mode) belong to other code in a VM manager. An
 * <interface type='hostdev'> (an SR-IOV VF given as a NIC) is a PCI hostdev
 * too, with the same managed=, <driver> and <source><address>. */
static gboolean is_pci_device(const xmlNode *node)
{
  g_autofree char *mode = get_attr(node, "mode");
  g_autofree char *type = get_attr(node, "type");

  if (is_element(node, "interface"))
    return g_strcmp0(type, "hostdev") == 0;
  return is_element(node, "hostdev") && g_strcmp0(mode != NULL ? mode : "subsystem", "subsystem") == 0 &&
         g_strcmp0(type, "pci") == 0;
}

static HdHostdevSpec *read_device(const xmlNode *device, const char *name, GError **error)
{
  g_autoptr(HdHostdevSpec) spec = g_new0(HdHostdevSpec, 1);

  spec->line = (guint)xmlGetLineNo(device);
  if (!read_managed(device, &spec->managed, name, error) || !read_address(device, &spec->address, name, error) ||
      !read_driver(device, &spec->model, name, error))
    return NULL;
  return g_steal_pointer(&spec);
}

static gboolean add_unique(GPtrArray *specs, HdHostdevSpec *spec, const char *name, GError **error)
{
  for (guint i = 0; i < specs->len; i++) {
    const HdHostdevSpec *other = g_ptr_array_index(specs, i);
    if (hd_pci_address_equal(&other->address, &spec->address)) {
      g_autofree char *address = hd_pci_address_to_string(&spec->address);
      g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%u: %s is listed twice (first on line %u)", name, spec->line,
                  address, other->line);
      hd_hostdev_spec_free(spec);
      return FALSE;
    }
  }
  g_ptr_array_add(specs, spec);
  return TRUE;
}

static gboolean add_device(GPtrArray *specs, const xmlNode *device, const char *name, GError **error)
{
  if (!is_pci_device(device))
    return TRUE;
  HdHostdevSpec *spec = read_device(device, name, error);
  return spec != NULL && add_unique(specs, spec, name, error);
}

/* libvirt reads ./devices/hostdev and ./devices/interface: every <devices>
 * child of <domain> counts. */
static gboolean collect_domain_devices(GPtrArray *specs, const xmlNode *domain, const char *name, GError **error)
{
  for (const xmlNode *devices = domain->children; devices != NULL; devices = devices->next) {
    if (!is_element(devices, "devices"))
      continue;
    for (const xmlNode *node = devices->children; node != NULL; node = node->next)
      if ((is_element(node, "hostdev") || is_element(node, "interface")) && !add_device(specs, node, name, error))
        return FALSE;
  }
  return TRUE;
}

/* The root is a <domain>, or one bare <hostdev> or <interface> (what
 * `virsh attach-device` takes); anything else is not domain XML. */
static GPtrArray *collect_devices(const xmlNode *root, const char *name, GError **error)
{
  g_autoptr(GPtrArray) specs = g_ptr_array_new_with_free_func((GDestroyNotify)hd_hostdev_spec_free);

  if (is_element(root, "domain"))
    return collect_domain_devices(specs, root, name, error) ? g_steal_pointer(&specs) : NULL;
  if (is_element(root, "hostdev") || is_element(root, "interface"))
    return add_device(specs, root, name, error) ? g_steal_pointer(&specs) : NULL;
  g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s:%ld: the root element <%.40s> is not <domain>, <hostdev> or <interface>",
              name, xmlGetLineNo(root), (const char *)root->name);
  return NULL;
}

GPtrArray *hd_domain_xml_parse(const char *text, gsize length, const char *name, GError **error)
{
  if (!check_bytes(text, length, name, error))
    return NULL;
  g_autoptr(xmlDoc) doc = parse_document(text, length, name, error);
  if (doc == NULL)
    return NULL;
  /* defence in depth: nothing may have slipped a DTD past the byte check */
  if (doc->intSubset != NULL || doc->extSubset != NULL) {
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "%s: refusing XML with a DTD", name);
    return NULL;
  }
  return collect_devices(xmlDocGetRootElement(doc), name, error);
}

/* Reads at most one byte more than the bound, so that /dev/zero or a huge
 * file cannot make the tool allocate without limit. */
static char *read_bounded(const char *path, gsize *length, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  g_autofree char *buffer = NULL;
  gsize used = 0;

  if (fd < 0) {
    int saved = errno;
    g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "cannot read %s: %s", path, g_strerror(saved));
    return NULL;
  }
  buffer = g_malloc(HD_DOMAIN_XML_MAX_BYTES + 2);
  while (used <= HD_DOMAIN_XML_MAX_BYTES) {
    ssize_t n = read(fd, buffer + used, HD_DOMAIN_XML_MAX_BYTES + 1 - used);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int saved = errno;
      close(fd);
      g_set_error(error, HD_ERROR, HD_ERROR_INVALID, "cannot read %s: %s", path, g_strerror(saved));
      return NULL;
    }
    if (n == 0)
      break;
    used += (gsize)n;
  }
  close(fd);
  buffer[used] = '\0';
  *length = used;
  return g_steal_pointer(&buffer);
}

GPtrArray *hd_domain_xml_parse_file(const char *path, GError **error)
{
  gsize length = 0;
  g_autofree char *contents = read_bounded(path, &length, error);

  if (contents == NULL)
    return NULL;
  return hd_domain_xml_parse(contents, length, path, error);
}
