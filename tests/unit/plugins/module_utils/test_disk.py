# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import collections
import os

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import disk

GIB = 1024 ** 3
StatVFS = collections.namedtuple(
    'StatVFS', 'f_bsize f_frsize f_blocks f_bfree f_bavail f_files f_ffree f_favail')


def test_nearest_existing(tmp_path):
    (tmp_path / 'srv').mkdir()
    assert disk.nearest_existing(str(tmp_path / 'srv' / 'gentoo' / 'distfiles')) == str(tmp_path / 'srv')
    assert disk.nearest_existing(str(tmp_path / 'srv')) == str(tmp_path / 'srv')
    assert disk.nearest_existing('/no/such/dir', exists=lambda p: p == '/') == '/'


MOUNTINFO = r"""22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
25 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
30 22 253:2 / /srv rw,relatime shared:2 - xfs /dev/vdb1 rw,attr2
31 30 253:3 / /srv/gentoo\040mirror rw,relatime shared:3 - btrfs /dev/vdc rw,space_cache=v2
32 22 253:4 / /srvx rw,relatime shared:4 - ext4 /dev/vdd rw
33 30 253:5 / /srv rw,relatime shared:5 - ext4 /dev/vde rw
"""


def test_mountinfo():
    mounts = disk.parse_mountinfo(MOUNTINFO)
    assert mounts[3]['mount'] == '/srv/gentoo mirror'
    assert mounts[3]['fstype'] == 'btrfs'
    assert disk.find_mount('/srv/gentoo mirror/distfiles', mounts)['source'] == '/dev/vdc'
    # /srvx is not below /srv; the later mount on /srv hides the earlier one.
    assert disk.find_mount('/srv/gentoo', mounts)['source'] == '/dev/vde'
    assert disk.find_mount('/srvx/a', mounts)['mount'] == '/srvx'
    assert disk.find_mount('/home', mounts)['mount'] == '/'


def test_mount_point_by_walk():
    assert disk.mount_point_by_walk('/srv/gentoo/x', ismount=lambda p: p in ('/', '/srv')) == '/srv'
    assert disk.mount_point_by_walk('/a/b', ismount=lambda p: p == '/') == '/'


def test_fs_figures_uses_bavail_and_frsize():
    st = StatVFS(4096, 4096, 1000 * 262144, 600 * 262144, 550 * 262144, 1000, 900, 800)
    f = disk.fs_figures(st)
    assert f['size_bytes'] == 1000 * GIB
    assert f['used_bytes'] == 400 * GIB
    assert f['available_bytes'] == 550 * GIB
    assert (f['inodes_total'], f['inodes_free']) == (1000, 800)


def test_fs_figures_btrfs_inodes_unknown():
    st = StatVFS(4096, 4096, 262144, 262144, 262144, 0, 0, 0)
    f = disk.fs_figures(st)
    assert f['inodes_total'] is None and f['inodes_free'] is None


def test_tree_usage_counts_hard_links_once(tmp_path):
    root = tmp_path / 'gentoo'
    (root / 'distfiles' / 'ab').mkdir(parents=True)
    data = root / 'distfiles' / 'ab' / 'file'
    data.write_bytes(b'x' * 200000)
    os.link(str(data), str(root / 'distfiles' / 'hardlink'))
    os.symlink('ab/file', str(root / 'distfiles' / 'symlink'))
    used, inodes, errors = disk.tree_usage(str(root))
    blocks = os.lstat(str(data)).st_blocks * 512
    assert blocks <= used < blocks + 5 * 8192 + 4096
    # gentoo, distfiles, ab, file (once), symlink
    assert inodes == 5 and errors == 0


def test_tree_usage_other_device_is_skipped(tmp_path):
    (tmp_path / 'f').write_bytes(b'y' * 10000)
    used, inodes, dummy = disk.tree_usage(str(tmp_path), device=-1)
    assert used == 0 and inodes == 0


def test_check_counts_the_tree_on_the_real_file_system(tmp_path):
    tree = tmp_path / 'gentoo'
    (tree / 'distfiles').mkdir(parents=True)
    (tree / 'distfiles' / 'f').write_bytes(b'z' * 100000)
    result = disk.check(str(tree), 0, 0)
    assert result['passed'] and result['exists'] and result['walk_errors'] == 0
    assert result['mirror_used_bytes'] >= 100000 and os.path.ismount(result['mount'])
    missing = disk.check(str(tmp_path / 'none' / 'gentoo'), 0, 0)
    assert missing['checked_path'] == str(tmp_path) and not missing['exists'] and missing['mirror_used_bytes'] == 0
