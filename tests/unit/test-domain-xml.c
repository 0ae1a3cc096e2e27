// SPDX-License-Identifier: LGPL-2.1-or-later
/* libvirt domain XML: what is read from <hostdev> and <interface> elements, and hostile
 * input refused with a one-line error that says where. */
#include <string.h>

#include "hostdev/managed/domain-xml.h"
#include "util/hd-error.h"

static GPtrArray *parse(const char *text, GError **error)
{
  return hd_domain_xml_parse(text, strlen(text), "vm.xml", error);
}

static const HdHostdevSpec *spec_at(GPtrArray *specs, guint i)
{
  g_assert_cmpuint(i, <, specs->len);
  return g_ptr_array_index(specs, i);
}

static void assert_address(const HdHostdevSpec *spec, const char *expected)
{
  g_autofree char *text = hd_pci_address_to_string(&spec->address);

  g_assert_cmpstr(text, ==, expected);
}

/* Parsing must fail with HD_ERROR_INVALID and a message containing NEEDLE. */
static void assert_refused(const char *text, const char *needle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse(text, &error);

  g_assert_null(specs);
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
  g_test_message("%s", error->message);
  g_assert_nonnull(strstr(error->message, needle));
  g_assert_null(strchr(error->message, '\n'));
}

static const char domain_xml[] =
  "<domain type='kvm'>\n"
  "  <name>vm1</name>\n"
  "  <devices>\n"
  "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
  "      <driver name='vfio' model='mlx5_vfio_pci'/>\n"
  "      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/></source>\n"
  "    </hostdev>\n"
  "    <hostdev mode='subsystem' type='usb' managed='yes'>\n"
  "      <source><vendor id='0x1234'/><product id='0xbeef'/></source>\n"
  "    </hostdev>\n"
  "    <hostdev mode='subsystem' type='pci'>\n"
  "      <source><address domain='0' bus='10' slot='31' function='7'/></source>\n"
  "    </hostdev>\n"
  "  </devices>\n"
  "</domain>\n";

static void test_domain(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse(domain_xml, &error);

  g_assert_no_error(error);
  g_assert_cmpuint(specs->len, ==, 2);
  assert_address(spec_at(specs, 0), "0000:01:00.1");
  g_assert_true(spec_at(specs, 0)->managed);
  g_assert_cmpstr(spec_at(specs, 0)->model, ==, "mlx5_vfio_pci");
  g_assert_cmpuint(spec_at(specs, 0)->line, ==, 4);
  /* decimal numbers, and managed defaults to no as in libvirt */
  assert_address(spec_at(specs, 1), "0000:0a:1f.7");
  g_assert_false(spec_at(specs, 1)->managed);
  g_assert_null(spec_at(specs, 1)->model);
}

static void test_bare_hostdev(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) one = parse("<hostdev mode='subsystem' type='pci' managed='no'><source>"
                                   "<address domain='0x10000' bus='0x00' slot='0x02' function='0x0'/></source></hostdev>",
                                   &error);
  g_assert_no_error(error);
  g_assert_cmpuint(one->len, ==, 1);
  assert_address(spec_at(one, 0), "10000:00:02.0");

  /* a missing domain is 0, as in libvirt */
  g_autoptr(GPtrArray) no_domain = parse("<?xml version='1.0'?>\n"
                                         "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
                                         "<address bus='1' slot='0' function='0'/></source></hostdev>\n",
                                         &error);
  g_assert_no_error(error);
  g_assert_cmpuint(no_domain->len, ==, 1);
  assert_address(spec_at(no_domain, 0), "0000:01:00.0");
  g_assert_cmpuint(spec_at(no_domain, 0)->line, ==, 2);
}

/* Exactly one root element: whatever follows it is refused, never read
 * as more devices nor dropped. */
static void test_one_root(void)
{
#define HOSTDEV_AT(bus) "<hostdev type='pci' managed='yes'><source><address bus='" bus "' slot='0' function='0'/></source></hostdev>"
  assert_refused("<domain><devices>" HOSTDEV_AT("1") "</devices></domain>\n"
                 "<domain><devices>" HOSTDEV_AT("2") "</devices></domain>\n",
                 "vm.xml:2: malformed XML: Extra content at the end of the document");
  assert_refused("<domain><devices>" HOSTDEV_AT("1") "</devices></domain>\n" HOSTDEV_AT("2"),
                 "vm.xml:2: malformed XML");
  assert_refused(HOSTDEV_AT("1") "\n" HOSTDEV_AT("2"), "vm.xml:2: malformed XML");
  assert_refused("<domain/>\ntrailing junk", "vm.xml:2: malformed XML");
  assert_refused("<domain/><", "malformed XML");
  assert_refused("<devices>" HOSTDEV_AT("1") "</devices>", "vm.xml:1: the root element <devices> is not <domain>");
  assert_refused("<hostdevs>\n" HOSTDEV_AT("1") "</hostdevs>", "vm.xml:1: the root element <hostdevs>");
  /* comments and processing instructions after the root are XML */
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse("<domain><devices>" HOSTDEV_AT("1") "</devices></domain>\n<!-- end -->\n", &error);
  g_assert_no_error(error);
  g_assert_cmpuint(specs->len, ==, 1);
#undef HOSTDEV_AT
}

/* <interface type='hostdev'>: an SR-IOV VF as a guest NIC is a PCI hostdev. */
static void test_interface(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse("<domain><devices>\n"
                                     "<interface type='network'><source network='default'/></interface>\n"
                                     "<interface type='hostdev' managed='yes'>\n"
                                     "  <mac address='52:54:00:6d:90:02'/>\n"
                                     "  <driver name='vfio' model='ice_vfio_pci'/>\n"
                                     "  <source><address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x2'/></source>\n"
                                     "  <vlan><tag id='42'/></vlan>\n"
                                     "</interface>\n"
                                     "<interface type='hostdev'><source><address type='pci' bus='4' slot='0' function='1'/>"
                                     "</source></interface>\n"
                                     "</devices></domain>",
                                     &error);
  g_assert_no_error(error);
  g_assert_cmpuint(specs->len, ==, 2);
  assert_address(spec_at(specs, 0), "0000:03:10.2");
  g_assert_true(spec_at(specs, 0)->managed);
  g_assert_cmpstr(spec_at(specs, 0)->model, ==, "ice_vfio_pci");
  g_assert_cmpuint(spec_at(specs, 0)->line, ==, 3);
  assert_address(spec_at(specs, 1), "0000:04:00.1");
  g_assert_false(spec_at(specs, 1)->managed);

  g_autoptr(GPtrArray) bare = parse("<interface type='hostdev' managed='yes'><source><address type='pci' domain='0' "
                                    "bus='5' slot='0' function='0'/></source></interface>",
                                    &error);
  g_assert_no_error(error);
  g_assert_cmpuint(bare->len, ==, 1);
  assert_address(spec_at(bare, 0), "0000:05:00.0");

  assert_refused("<interface type='hostdev'>\n<source><address type='usb' bus='1' port='1'/></source></interface>",
                 "vm.xml:2: <address type='usb'> is not a PCI address");
  assert_refused("<interface type='hostdev'/>", "vm.xml:1: <interface> has no <source><address");
  assert_refused("<domain><devices>\n<hostdev type='pci'><source><address bus='1' slot='0' function='0'/></source></hostdev>\n"
                 "<interface type='hostdev'><source><address type='pci' bus='0x1' slot='0' function='0'/></source></interface>\n"
                 "</devices></domain>",
                 "vm.xml:3: 0000:01:00.0 is listed twice (first on line 2)");
}

/* strtoul with base 0, as libvirt: 0x hex, a leading 0 octal, else decimal. */
static void test_number_bases(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse("<hostdev type='pci'><source><address domain='0' bus='010' slot='0X1f' function='07'/>"
                                     "</source></hostdev>",
                                     &error);
  g_assert_no_error(error);
  assert_address(spec_at(specs, 0), "0000:08:1f.7");
  g_autoptr(GPtrArray) big = parse("<hostdev type='pci'><source><address domain='65536' bus='0377' slot='31' function='0'/>"
                                   "</source></hostdev>",
                                   &error);
  g_assert_no_error(error);
  assert_address(spec_at(big, 0), "10000:ff:1f.0");
#define BUS(value) "<hostdev type='pci'><source><address domain='0' bus='" value "' slot='0' function='0'/></source></hostdev>"
  assert_refused(BUS("08"), "bus='08'");
  assert_refused(BUS("0400"), "bus='0400'");
  assert_refused(BUS("256"), "bus='256'");
  assert_refused(BUS("0x"), "bus='0x'");
  assert_refused(BUS("+1"), "bus='+1'");
  assert_refused(BUS("0x0x1"), "bus='0x0x1'");
  assert_refused(BUS("1 "), "bus='1 '");
#undef BUS
}

static void test_no_hostdevs(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = parse("<domain><devices><disk/></devices></domain>", &error);

  g_assert_no_error(error);
  g_assert_cmpuint(specs->len, ==, 0);
}

static void test_hostile_declarations(void)
{
  assert_refused("<?xml version='1.0'?>\n<!DOCTYPE lolz [\n <!ENTITY lol 'lol'>\n"
                 " <!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n]>\n<domain>&lol2;</domain>",
                 "vm.xml:2: refusing XML that declares <!DOCTYPE");
  assert_refused("<!DOCTYPE domain SYSTEM 'http://example.invalid/x.dtd'><domain/>", "DOCTYPE");
  assert_refused("<domain>\n<!ENTITY x SYSTEM 'file:///etc/passwd'></domain>", "vm.xml:2: refusing XML that declares <!ENTITY");
}

static void test_encodings(void)
{
  static const char utf16[] = "\xff\xfe<\0d\0o\0m\0a\0i\0n\0/\0>\0";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = hd_domain_xml_parse(utf16, sizeof(utf16) - 1, "vm.xml", &error);

  g_assert_null(specs);
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
  assert_refused("<domain name='\xc3\x28'/>", "not UTF-8");
  /* a declared encoding is ignored: the text is read as UTF-8 */
  g_clear_error(&error);
  g_autoptr(GPtrArray) latin = parse("<?xml version='1.0' encoding='UTF-7'?><domain/>", &error);
  g_assert_no_error(error);
  g_assert_cmpuint(latin->len, ==, 0);
}

static void test_malformed(void)
{
  assert_refused("<domain>\n<devices>\n<hostdev type='pci'>\n</devices>\n</domain>", "vm.xml:4: malformed XML");
  assert_refused("", "malformed XML");
  assert_refused("just text", "vm.xml:1: malformed XML");
}

static void test_deep_nesting(void)
{
  g_autoptr(GString) text = g_string_new(NULL);

  for (int i = 0; i < 5000; i++)
    g_string_append(text, "<a>");
  for (int i = 0; i < 5000; i++)
    g_string_append(text, "</a>");
  assert_refused(text->str, "malformed XML");
}

static void test_bad_fields(void)
{
#define HOSTDEV(attrs) "<hostdev type='pci'><source><address " attrs "/></source></hostdev>"
  assert_refused(HOSTDEV("domain='0' slot='0' function='0'"), "no bus attribute");
  assert_refused(HOSTDEV("domain='0' bus='0' function='0'"), "no slot attribute");
  assert_refused(HOSTDEV("domain='0' bus='0' slot='0'"), "no function attribute");
  assert_refused(HOSTDEV("domain='0' bus='zz' slot='0' function='0'"), "bus='zz'");
  assert_refused(HOSTDEV("domain='0' bus='0x100' slot='0' function='0'"), "bus");
  assert_refused(HOSTDEV("domain='0' bus='0' slot='0x20' function='0'"), "slot");
  assert_refused(HOSTDEV("domain='0' bus='0' slot='0' function='8'"), "function");
  assert_refused(HOSTDEV("domain='-1' bus='0' slot='0' function='0'"), "domain");
  assert_refused(HOSTDEV("domain='0x' bus='0' slot='0' function='0'"), "domain");
  assert_refused(HOSTDEV("domain='' bus='0' slot='0' function='0'"), "domain");
  assert_refused(HOSTDEV("domain=' 1' bus='0' slot='0' function='0'"), "domain");
  assert_refused("<hostdev type='pci'/>", "vm.xml:1: <hostdev> has no <source><address");
  assert_refused("<hostdev type='pci' managed='maybe'><source><address domain='0' bus='0' slot='0' function='0'/>"
                 "</source></hostdev>",
                 "managed='maybe'");
  assert_refused("<hostdev type='pci'><driver name='kvm'/><source><address domain='0' bus='0' slot='0' function='0'/>"
                 "</source></hostdev>",
                 "name='kvm'");
  assert_refused("<hostdev type='pci'><driver name='vfio' model='../evil'/><source>"
                 "<address domain='0' bus='0' slot='0' function='0'/></source></hostdev>",
                 "not a module name");
#undef HOSTDEV
}

static void test_huge_attribute(void)
{
  g_autoptr(GString) text = g_string_new("<hostdev type='pci'><source><address domain='0' bus='");

  for (int i = 0; i < 200000; i++)
    g_string_append_c(text, '1');
  g_string_append(text, "' slot='0' function='0'/></source></hostdev>");
  assert_refused(text->str, "is not a number");
}

static void test_too_large(void)
{
  g_autoptr(GString) text = g_string_new("<domain>");
  g_autoptr(GError) error = NULL;

  while (text->len <= HD_DOMAIN_XML_MAX_BYTES)
    g_string_append(text, "<!-- padding padding padding padding padding padding -->\n");
  g_string_append(text, "</domain>");
  g_autoptr(GPtrArray) specs = hd_domain_xml_parse(text->str, text->len, "vm.xml", &error);
  g_assert_null(specs);
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "larger than"));

  /* a file is read with the same bound, however much it would give */
  g_clear_error(&error);
  g_autoptr(GPtrArray) zero = hd_domain_xml_parse_file("/dev/zero", &error);
  g_assert_null(zero);
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
}

static void test_duplicates(void)
{
  assert_refused("<domain><devices>\n"
                 "<hostdev type='pci'><source><address domain='0' bus='1' slot='0' function='0'/></source></hostdev>\n"
                 "<hostdev type='pci'><source><address domain='0x0' bus='0x01' slot='0' function='0'/></source></hostdev>\n"
                 "</devices></domain>",
                 "vm.xml:3: 0000:01:00.0 is listed twice (first on line 2)");
}

static void test_missing_file(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = hd_domain_xml_parse_file("/nonexistent/vm.xml", &error);

  g_assert_null(specs);
  g_assert_error(error, HD_ERROR, HD_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "/nonexistent/vm.xml"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/domain-xml/domain", test_domain);
  g_test_add_func("/domain-xml/bare-hostdev", test_bare_hostdev);
  g_test_add_func("/domain-xml/one-root", test_one_root);
  g_test_add_func("/domain-xml/interface", test_interface);
  g_test_add_func("/domain-xml/number-bases", test_number_bases);
  g_test_add_func("/domain-xml/no-hostdevs", test_no_hostdevs);
  g_test_add_func("/domain-xml/hostile-declarations", test_hostile_declarations);
  g_test_add_func("/domain-xml/encodings", test_encodings);
  g_test_add_func("/domain-xml/malformed", test_malformed);
  g_test_add_func("/domain-xml/deep-nesting", test_deep_nesting);
  g_test_add_func("/domain-xml/bad-fields", test_bad_fields);
  g_test_add_func("/domain-xml/huge-attribute", test_huge_attribute);
  g_test_add_func("/domain-xml/too-large", test_too_large);
  g_test_add_func("/domain-xml/duplicates", test_duplicates);
  g_test_add_func("/domain-xml/missing-file", test_missing_file);
  return g_test_run();
}
