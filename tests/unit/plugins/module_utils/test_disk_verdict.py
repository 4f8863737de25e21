# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import disk_verdict

GIB = 1024 ** 3


def _figures(avail_gib, size_gib=1000, inodes_free=10 ** 7):
    return {'size_bytes': size_gib * GIB, 'used_bytes': (size_gib - avail_gib) * GIB,
            'available_bytes': avail_gib * GIB, 'inodes_total': 2 * 10 ** 7,
            'inodes_free': inodes_free}


MOUNT = {'mount': '/srv', 'fstype': 'xfs', 'source': '/dev/vdb1'}


def test_evaluate_pass_counts_mirror_usage():
    r = disk_verdict.evaluate('/srv/gentoo', '/srv/gentoo', _figures(300), MOUNT, 500 * GIB, 90000, 800, 200000)
    assert r['passed'] and r['usable_gib'] == 800.0 and r['exists']
    assert r['mirror_used_gib'] == 500.0
    assert 'at least 800 GiB required' in r['msg']


def test_evaluate_fail_message_has_figures_and_mount():
    r = disk_verdict.evaluate('/srv/gentoo', '/srv', _figures(120.5, size_gib=200), MOUNT, 0, 0, 800, 200000)
    assert not r['passed'] and not r['exists']
    assert r['msg'].startswith('Not enough disk space for the mirror at /srv/gentoo')
    assert 'mounted at /srv (xfs) has 120.50 GiB available' in r['msg']
    assert 'below the 800 GiB required (size 200.00 GiB, used 79.50 GiB)' in r['msg']


def test_evaluate_inodes():
    few = disk_verdict.evaluate('/m', '/m', _figures(900, inodes_free=150000), MOUNT, 0, 10000, 800, 200000)
    assert not few['passed'] and few['inodes_status'] == 'too_few'
    assert '150,000 free inodes plus 10,000 used by the mirror, below the 200,000' in few['msg']
    off = disk_verdict.evaluate('/m', '/m', _figures(900, inodes_free=10), MOUNT, 0, 0, 800, 0)
    assert off['passed']
    figures = _figures(900)
    figures.update(inodes_total=None, inodes_free=None)
    unknown = disk_verdict.evaluate('/m', '/m', figures, MOUNT, 0, 0, 800, 200000)
    assert unknown['passed'] and unknown['inodes_status'] == 'unknown'
