# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""File system figures for the disk_space module: statvfs, mount points, tree usage."""

from __future__ import annotations

import os
import re
import stat

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.common import (
    GIB,
    fmt_count,
    fmt_gib,
    to_gib,
)


def nearest_existing(path, exists=os.path.exists):
    """``path`` itself or its nearest existing parent directory."""
    current = os.path.abspath(path)
    while not exists(current):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return current


def _unescape_mountinfo(field):
    # The kernel escapes space, tab, newline and backslash as \ooo octal.
    return re.sub(r'\\([0-7]{3})', lambda m: chr(int(m.group(1), 8)), field)


def parse_mountinfo(text):
    """Parse /proc/self/mountinfo into a list of dicts (mount, fstype, source, root)."""
    mounts = []
    for line in text.splitlines():
        fields = line.split()
        if '-' not in fields or len(fields) < 7:
            continue
        sep = fields.index('-')
        post = fields[sep + 1:]
        mounts.append({
            'mount': _unescape_mountinfo(fields[4]),
            'root': _unescape_mountinfo(fields[3]),
            'device': fields[2],
            'fstype': post[0] if post else None,
            'source': _unescape_mountinfo(post[1]) if len(post) > 1 else None,
        })
    return mounts


def _is_under(path, mount):
    if mount == '/':
        return True
    return path == mount or path.startswith(mount.rstrip('/') + '/')


def find_mount(path, mounts):
    """The mount entry that holds ``path`` (an absolute, resolved path).

    The longest matching mount point wins; when the same point is mounted several times the
    last one (the one on top) wins, as the kernel does.
    """
    best = None
    for entry in mounts:
        if _is_under(path, entry['mount']):
            if best is None or len(entry['mount']) >= len(best['mount']):
                best = entry
    return best


def mount_point_by_walk(path, ismount=os.path.ismount):
    """Fallback without /proc: walk up until os.path.ismount() says yes."""
    current = path
    while not ismount(current):
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return current


def fs_figures(st):
    """Figures from an os.statvfs() result, in bytes and inodes.

    ``available`` is what an unprivileged user (the sync user) may still write
    (f_bavail), not the root reserve included in f_bfree.
    """
    frsize = st.f_frsize or st.f_bsize
    size = st.f_blocks * frsize
    free = st.f_bfree * frsize
    return {
        'size_bytes': size,
        'used_bytes': size - free,
        'available_bytes': st.f_bavail * frsize,
        # Some file systems (btrfs, some network file systems) have no fixed inode table and
        # report 0 inodes: the inode figures are then unknown, not exhausted.
        'inodes_total': st.f_files if st.f_files else None,
        'inodes_free': st.f_favail if st.f_files else None,
    }


def tree_usage(path, device=None, walk=os.walk, lstat=os.lstat):
    """Space (bytes, from st_blocks) and inodes used by the tree at ``path``.

    Hard links are counted once. Only entries on ``device`` count when it is given (the
    space of a different file system mounted inside the tree is not on this one).
    Returns (bytes, inodes, errors).
    """
    seen = set()
    total = 0
    inodes = 0
    errors = 0

    def account(full):
        try:
            st = lstat(full)
        except OSError:
            return 0, 0, 1
        if device is not None and st.st_dev != device:
            return 0, 0, 0
        if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in seen:
                return 0, 0, 0
            seen.add(key)
        return st.st_blocks * 512, 1, 0

    def onerror(dummy_err):
        nonlocal errors
        errors += 1

    b, i, e = account(path)
    total, inodes, errors = total + b, inodes + i, errors + e
    for root, dirs, files in walk(path, onerror=onerror):
        for name in dirs + files:
            b, i, e = account(os.path.join(root, name))
            total += b
            inodes += i
            errors += e
    return total, inodes, errors


def evaluate(path, checked_path, figures, mount, mirror_used_bytes, mirror_inodes,
             min_gib, min_inodes):
    """Decide pass/fail and write the message. Pure function of its inputs."""
    usable = figures['available_bytes'] + (mirror_used_bytes or 0)
    need = float(min_gib) * GIB
    mount_point = mount.get('mount') if mount else None
    fstype = mount.get('fstype') if mount else None
    where = 'the file system mounted at %s%s' % (mount_point, ' (%s)' % fstype if fstype else '')
    result = {
        'checked_path': checked_path,
        'exists': path == checked_path,
        'mount': mount_point,
        'fstype': fstype,
        'device': mount.get('source') if mount else None,
        'size_gib': to_gib(figures['size_bytes']),
        'used_gib': to_gib(figures['used_bytes']),
        'available_gib': to_gib(figures['available_bytes']),
        'mirror_used_gib': to_gib(mirror_used_bytes or 0),
        'usable_gib': to_gib(usable),
        'min_gib': min_gib,
        'size_bytes': figures['size_bytes'],
        'available_bytes': figures['available_bytes'],
        'mirror_used_bytes': mirror_used_bytes or 0,
        'inodes_total': figures['inodes_total'],
        'inodes_free': figures['inodes_free'],
        'mirror_inodes': mirror_inodes or 0,
        'min_inodes': min_inodes,
    }
    problems = []
    if usable < need:
        problems.append(
            'not enough disk space for the mirror at %s: %s has %s available plus %s already used '
            'by the mirror = %s, below the %s GiB required (size %s, used %s)'
            % (path, where, fmt_gib(figures['available_bytes']), fmt_gib(mirror_used_bytes or 0),
               fmt_gib(usable), _num(min_gib), fmt_gib(figures['size_bytes']),
               fmt_gib(figures['used_bytes'])))
    if figures['inodes_free'] is None:
        result['inodes_status'] = 'unknown'
    elif min_inodes and figures['inodes_free'] + (mirror_inodes or 0) < min_inodes:
        result['inodes_status'] = 'too_few'
        problems.append(
            'too few free inodes for a distfiles tree at %s: %s has %s free inodes plus %s used by '
            'the mirror, below the %s required (%s in total)'
            % (path, where, fmt_count(figures['inodes_free']), fmt_count(mirror_inodes or 0),
               fmt_count(min_inodes), fmt_count(figures['inodes_total'])))
    else:
        result['inodes_status'] = 'ok'
    result['passed'] = not problems
    if problems:
        msg = '; '.join(problems)
        result['msg'] = msg[0].upper() + msg[1:]
    else:
        result['msg'] = ('%s usable for the mirror at %s on %s (at least %s GiB required)'
                         % (fmt_gib(usable), path, where, _num(min_gib)))
    return result


def _num(value):
    value = float(value)
    return ('%d' % value) if value.is_integer() else ('%g' % value)
