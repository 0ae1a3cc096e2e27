#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keeps the source tree's layout as docs/design.md describes it, in TAP.

Checks, over the tree at ROOT:
  - no folder under src/ holds more than 25 C files;
  - internal #includes are path-qualified below src/ ("util/sysfs.h"),
    never point up a layer (util < hostdev < api < tools; tools use only
    the public header) and close no cycle between folders;
  - no C file is over 600 lines (the public header excepted);
  - the README's layout tree names exactly the folders on disk;
  - every tracked source file (C, headers, meson, shell, Python, scripts
    with a shebang) names its licence in an SPDX-License-Identifier line
    near its top: GPL-2.0-only in tests/vm/qedu_mig/ (a kernel module),
    LGPL-2.1-or-later everywhere else (COPYING).

Usage: check-layout.py ROOT         check the tree, print TAP
       check-layout.py --self-test  prove each check fails on a broken tree
"""
import os
import re
import subprocess
import sys
import tempfile

MAX_C_FILES = 25
MAX_LINES = 600
PUBLIC_HEADER = 'include/vfio-hostdev.h'
# Layers from the bottom up; a file may include only its own layer or lower.
LAYERS = {'util': 0, 'hostdev': 1, 'api': 2, 'tools': 3}
# Folders the README's tree must list: every folder down to this depth,
# and the subsystem folders of src/hostdev/.
TREE_DEPTH = 2
SOURCE_DIRS = ('src', 'tools', 'include', 'tests', 'fuzz', 'bench', 'docs')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# Where the SPDX line must be (a shebang comes first).
SPDX_LINES = 3
SPDX = re.compile(r'SPDX-License-Identifier: (\S+)')
GPL_FOLDERS = ('tests/vm/qedu_mig/',)
SOURCE_NAMES = ('meson.build', 'meson_options.txt', 'Kbuild')
SOURCE_SUFFIXES = ('.c', '.h', '.h.in', '.py', '.sh')


def c_files(root):
    """Every .c and .h file below SOURCE_DIRS, as paths relative to ROOT."""
    for top in SOURCE_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith('.'))
            for name in sorted(filenames):
                if name.endswith(('.c', '.h')):
                    yield os.path.relpath(os.path.join(dirpath, name), root)


def read(root, path):
    with open(os.path.join(root, path), encoding='utf-8', errors='replace') as f:
        return f.read()


def check_folder_sizes(root):
    counts = {}
    for path in c_files(root):
        if path.startswith('src/') and path.endswith('.c'):
            counts[os.path.dirname(path)] = counts.get(os.path.dirname(path), 0) + 1
    return ['%s holds %d C files (at most %d)' % (d, n, MAX_C_FILES)
            for d, n in sorted(counts.items()) if n > MAX_C_FILES]


def check_file_lengths(root):
    problems = []
    for path in c_files(root):
        if path == PUBLIC_HEADER:
            continue
        lines = read(root, path).count('\n')
        if lines > MAX_LINES:
            problems.append('%s has %d lines (at most %d)' % (path, lines, MAX_LINES))
    return problems


def src_folder(path):
    """The folder of a src/ file as includes name it: util, api, hostdev/bind."""
    return os.path.dirname(path[len('src/'):])


def layer_of_folder(folder):
    return LAYERS.get(folder.split('/')[0])


def included_folder(root, including, name):
    """Where "NAME" included by INCLUDING lives: a src folder, 'public',
    'config', 'local' (beside the including file), or None (unknown)."""
    if name == 'vfio-hostdev.h':
        return 'public'
    if name == 'config.h':
        return 'config'
    if os.path.exists(os.path.join(root, os.path.dirname(including), name)) and '/' not in name:
        return 'local'
    if os.path.exists(os.path.join(root, 'src', name)):
        return os.path.dirname(name)
    return None


def include_edges(root):
    """(including file, its folder, included name, included folder)."""
    for path in c_files(root):
        for name in INCLUDE.findall(read(root, path)):
            yield path, name, included_folder(root, path, name)


def check_includes(root):
    problems = []
    graph = {}
    src_names = {os.path.basename(p) for p in c_files(root) if p.startswith('src/')}
    for path, name, target in include_edges(root):
        if path.startswith('src/'):
            own = src_folder(path)
            if target is None or target == 'local':
                problems.append('%s: #include "%s" is not a path below src/' % (path, name))
            elif target == 'public' and own == 'util':
                problems.append('%s: util/ includes the public header' % path)
            elif target not in ('public', 'config'):
                if layer_of_folder(target) > layer_of_folder(own):
                    problems.append('%s: #include "%s" goes up from %s to %s' % (path, name, own, target))
                if target != own:
                    graph.setdefault(own, set()).add(target)
        elif path.startswith('tools/'):
            if target not in ('public', 'config', 'local'):
                problems.append('%s: #include "%s": tools/ use only the public header' % (path, name))
        elif target is None and '/' not in name and name in src_names:
            problems.append('%s: #include "%s" names a src/ header without its path' % (path, name))
    problems += ['folders include each other in a cycle: %s' % ' -> '.join(c) for c in cycles(graph)]
    return problems


def cycles(graph):
    """One cycle per strongly connected component of more than one folder."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component) + [sorted(component)[0]])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def readme_tree(root):
    """The folders the README's "## Layout" code block names."""
    text = read(root, 'README.md')
    match = re.search(r'^## Layout\n+```\n(.*?)\n```', text, re.M | re.S)
    if match is None:
        return None
    return {line.split()[0].rstrip('/') for line in match.group(1).splitlines() if line.strip()}


def disk_folders(root):
    folders = set()
    for dirpath, dirnames, _ in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        depth = 0 if rel == '.' else rel.count('/') + 1
        dirnames[:] = [d for d in dirnames
                       if not d.startswith(('.', '__')) and not (depth == 0 and d.startswith('build'))]
        if rel != '.' and (depth <= TREE_DEPTH or os.path.dirname(rel) == 'src/hostdev'):
            folders.add(rel)
        if depth > TREE_DEPTH and not rel.startswith('src/hostdev'):
            dirnames[:] = []
    return folders


def check_readme_tree(root):
    listed = readme_tree(root)
    if listed is None:
        return ['README.md has no "## Layout" section with a code block']
    on_disk = disk_folders(root)
    problems = ['README layout lists %s/, which is not on disk' % f for f in sorted(listed - on_disk)]
    for folder in sorted(on_disk - listed):
        # a parent is named through its children (src/ through src/util/)
        if not any(other.startswith(folder + '/') for other in listed):
            problems.append('README layout does not list %s/' % folder)
    return problems


def tracked_files(root):
    """git's tracked files, or every file outside build and hidden folders
    when ROOT is no git work tree."""
    try:
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z'], check=True, capture_output=True).stdout
        return sorted(name for name in out.decode().split('\0') if name)
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith('.') and not (rel == '.' and d.startswith('build')))
        files += [os.path.normpath(os.path.join(rel, name)) for name in filenames]
    return sorted(files)


def is_source(root, path):
    name = os.path.basename(path)
    if name in SOURCE_NAMES or name.endswith(SOURCE_SUFFIXES) or '/completion/' in '/' + path:
        return True
    with open(os.path.join(root, path), 'rb') as f:
        return f.read(2) == b'#!'


def check_spdx(root):
    problems = []
    for path in tracked_files(root):
        if not os.path.isfile(os.path.join(root, path)) or not is_source(root, path):
            continue
        head = read(root, path).splitlines()[:SPDX_LINES]
        found = [m.group(1) for m in map(SPDX.search, head) if m]
        wanted = 'GPL-2.0-only' if path.startswith(GPL_FOLDERS) else 'LGPL-2.1-or-later'
        if not found:
            problems.append('%s has no SPDX-License-Identifier line in its first %d lines' % (path, SPDX_LINES))
        elif found[0].rstrip('*/') != wanted:
            problems.append('%s says %s, expected %s' % (path, found[0], wanted))
    return problems


CHECKS = [
    ('no folder under src/ has more than %d C files' % MAX_C_FILES, check_folder_sizes),
    ('includes are path-qualified, never go up a layer, close no cycle', check_includes),
    ('no C file over %d lines but the public header' % MAX_LINES, check_file_lengths),
    ('the README layout tree is the tree on disk', check_readme_tree),
    ('every source file names its licence (SPDX)', check_spdx),
]


def run(root, out=sys.stdout):
    failed = 0
    print('1..%d' % len(CHECKS), file=out)
    for number, (title, check) in enumerate(CHECKS, 1):
        problems = check(root)
        print('%s %d - %s' % ('not ok' if problems else 'ok', number, title), file=out)
        for problem in problems:
            print('# ' + problem, file=out)
        failed += bool(problems)
    return failed


# ---- self-test: each check must fail on a tree broken its way ----------------

C = '// SPDX-License-Identifier: LGPL-2.1-or-later\n'
H = '/* SPDX-License-Identifier: LGPL-2.1-or-later */\n'

GOOD_TREE = {
    'README.md': '## Layout\n```\nsrc/util/   x\nsrc/hostdev/   x\nsrc/hostdev/a/   x\n'
                 'src/hostdev/b/   x\ntools/   x\ntests/vm/   x\n```\n',
    'src/util/u.h': H + '#pragma once\n',
    'src/util/u.c': C + '#include "util/u.h"\n',
    'src/hostdev/a/a.h': H + '#include "util/u.h"\n',
    'src/hostdev/b/b.c': C + '#include "hostdev/a/a.h"\n#include "config.h"\n',
    'tools/t.c': C + '#include "vfio-hostdev.h"\n#include "t.h"\n',
    'tools/t.h': H + '#pragma once\n',
    'tools/meson.build': '# SPDX-License-Identifier: LGPL-2.1-or-later\n',
    'tests/run': '#!/bin/sh\n# SPDX-License-Identifier: LGPL-2.1-or-later\n',
    'tests/vm/qedu_mig/q.c': '// SPDX-License-Identifier: GPL-2.0-only\n',
    'tests/data.txt': 'not source\n',
}

BREAKAGES = {
    'folder size': {'src/util/f%d.c' % i: C for i in range(MAX_C_FILES + 1)},
    'include up a layer': {'src/util/u.c': C + '#include "hostdev/a/a.h"\n'},
    'include cycle': {'src/hostdev/a/a.c': C + '#include "hostdev/b/b.h"\n', 'src/hostdev/b/b.h': H},
    'bare include': {'src/hostdev/b/b.c': C + '#include "u.h"\n'},
    'tools include internals': {'tools/t.c': C + '#include "util/u.h"\n'},
    'long file': {'tests/x.c': C + '\n' * MAX_LINES},
    'README lists a folder not on disk': {'README.md': GOOD_TREE['README.md'].replace('tools/', 'tools/\nsrc/gone/')},
    'README misses a folder': {'src/hostdev/c/c.c': C},
    'C file without SPDX': {'tools/t.c': '#include "vfio-hostdev.h"\n'},
    'script without SPDX': {'tests/run': '#!/bin/sh\nexit 0\n'},
    'meson.build without SPDX': {'tools/meson.build': "project('x')\n"},
    'SPDX below the top': {'tools/t.h': '\n\n\n' + H},
    'wrong licence': {'tests/vm/qedu_mig/q.c': C},
}


def self_test():
    def make(files):
        root = tempfile.mkdtemp(prefix='layout-')
        for path, text in files.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), 'w') as f:
                f.write(text)
        return root

    with open(os.devnull, 'w') as null:
        results = [('a well-formed tree passes', run(make(GOOD_TREE), null) == 0)]
        for name, change in BREAKAGES.items():
            results.append(('a tree with a %s fails' % name, run(make({**GOOD_TREE, **change}), null) > 0))
    print('1..%d' % len(results))
    for number, (title, ok) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', number, title))
    return sum(not ok for _, ok in results)


if __name__ == '__main__':
    if sys.argv[1:] == ['--self-test']:
        sys.exit(1 if self_test() else 0)
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(1 if run(sys.argv[1]) else 0)
