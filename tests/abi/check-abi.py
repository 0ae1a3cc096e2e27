#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks the shared library's ABI against what the repository says it is.

Usage: check-abi.py LIBRARY HEADER SYMBOLS SONAME TEST_HOOKS

- every function the header marks VH_PUBLIC is exported, and nothing else
  is (the library is built with -fvisibility=hidden);
- the exported set is exactly the committed list SYMBOLS, so that adding
  a symbol is a visible change and removing one (an ABI break) cannot
  happen by accident;
- the library's soname is SONAME;
- the crash-test hook's variable (VFIO_HOSTDEV_TEST_CRASH_AT) is in the
  library exactly when it was built with -Dtest_hooks=true (TEST_HOOKS
  "true"): a production library has no trace of it.
Prints TAP.
"""
import re
import subprocess
import sys


def exported(library):
    out = subprocess.run(['nm', '-D', '--defined-only', library], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def declared(header):
    text = open(header).read()
    # "VH_PUBLIC <return type> name(" at the start of a line (not the #define)
    return set(re.findall(r'^VH_PUBLIC\b[^;(]*?\b(\w+)\s*\(', text, re.M))


def listed(symbols):
    with open(symbols) as f:
        return {line.strip() for line in f if line.strip() and not line.startswith('#')}


def soname(library):
    out = subprocess.run(['readelf', '-d', library], check=True, capture_output=True, text=True).stdout
    match = re.search(r'\(SONAME\)\s+Library soname: \[(.*)\]', out)
    return match.group(1) if match else None


CRASH_VARIABLE = b'VFIO_HOSTDEV_TEST_CRASH_AT'


def test_hook_problems(library, test_hooks):
    with open(library, 'rb') as f:
        present = CRASH_VARIABLE in f.read()
    if present == test_hooks:
        return []
    if present:
        return ['%s is in a library built without -Dtest_hooks=true' % CRASH_VARIABLE.decode()]
    return ['%s is missing from a library built with -Dtest_hooks=true' % CRASH_VARIABLE.decode()]


def check(number, name, problems):
    print(('ok' if not problems else 'not ok') + ' %d %s' % (number, name))
    for problem in problems:
        print('# ' + problem)
    return not problems


def main():
    library, header, symbols, expected_soname, test_hooks = sys.argv[1:6]
    lib, decl, lst = exported(library), declared(header), listed(symbols)
    print('TAP version 13')
    print('1..5')
    results = [
        check(1, 'only vh_ symbols are exported', ['exported: ' + s for s in sorted(lib) if not s.startswith('vh_')]),
        check(2, 'the header and the library agree',
              ['declared, not exported: ' + s for s in sorted(decl - lib)] +
              ['exported, not declared: ' + s for s in sorted(lib - decl)]),
        check(3, 'the library and the committed symbol list agree',
              ['exported, not in the list (add it): ' + s for s in sorted(lib - lst)] +
              ['in the list, not exported (an ABI break): ' + s for s in sorted(lst - lib)]),
        check(4, 'soname', [] if soname(library) == expected_soname else
              ['soname %s, expected %s' % (soname(library), expected_soname)]),
        check(5, 'the crash-test hook is there exactly in test builds',
              test_hook_problems(library, test_hooks == 'true')),
    ]
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
