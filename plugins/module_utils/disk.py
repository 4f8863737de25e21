# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""File system figures for the disk_space module: statvfs, mount points, tree usage."""

from __future__ import annotations

import os
import re
import stat

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.disk_verdict import evaluate


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


def check(path, min_gib, min_inodes, mountinfo_text=None):
    """Gather the figures for ``path`` from the real file system and evaluate them.

    ``mountinfo_text`` is the text of /proc/self/mountinfo; without it the mount point is
    found by walking up the tree.
    """
    path = os.path.abspath(path)
    checked = nearest_existing(path)
    real = os.path.realpath(checked)
    figures = fs_figures(os.statvfs(real))
    mount = None
    if mountinfo_text:
        mount = find_mount(real, parse_mountinfo(mountinfo_text))
    if mount is None:
        mount = {'mount': mount_point_by_walk(real)}
    used, inodes, errors = 0, 0, 0
    if os.path.isdir(path):
        used, inodes, errors = tree_usage(path, device=os.stat(real).st_dev)
    result = evaluate(path, checked, figures, mount, used, inodes, min_gib, min_inodes)
    result['walk_errors'] = errors
    return result
