# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The disk_space module end to end, with the file system as the only stand-in."""

from __future__ import annotations

import collections
import os

from ansible_collections.mirrorkit.gentoo.plugins.modules import disk_space

GIB = 1024 ** 3
StatVFS = collections.namedtuple(
    'StatVFS', 'f_bsize f_frsize f_blocks f_bfree f_bavail f_files f_ffree f_favail')


def test_disk_space_fails_with_figures(monkeypatch, tmp_path, run_module):
    monkeypatch.setattr(os, 'statvfs',
                        lambda p: StatVFS(4096, 4096, 100 * 262144, 40 * 262144, 35 * 262144, 10 ** 6, 9 * 10 ** 5, 9 * 10 ** 5))
    monkeypatch.setattr(disk_space, 'MOUNTINFO', str(tmp_path / 'none'))
    failed, result = run_module(disk_space.main, {'path': str(tmp_path / 'gentoo')}, monkeypatch)
    assert failed and not result['changed']
    assert result['available_gib'] == 35.0 and result['size_gib'] == 100.0
    assert 'has 35.00 GiB available' in result['msg'] and 'below the 800 GiB required' in result['msg']
    assert result['mount'] == '/'


def test_disk_space_passes(monkeypatch, tmp_path, run_module):
    monkeypatch.setattr(os, 'statvfs',
                        lambda p: StatVFS(4096, 4096, 1000 * 262144, 900 * 262144, 850 * 262144, 0, 0, 0))
    failed, result = run_module(disk_space.main, {'path': str(tmp_path)}, monkeypatch)
    assert not failed and result['passed'] and result['inodes_status'] == 'unknown'
    assert result['exists'] and result['usable_gib'] >= 850


def test_disk_space_in_check_mode_reports_as_usual(monkeypatch, tmp_path, run_module):
    monkeypatch.setattr(os, 'statvfs',
                        lambda p: StatVFS(4096, 4096, 1000 * 262144, 900 * 262144, 850 * 262144, 0, 0, 0))
    failed, result = run_module(disk_space.main, {'path': str(tmp_path), '_ansible_check_mode': True}, monkeypatch)
    assert not failed and not result['changed'] and result['passed'] and result['usable_gib'] >= 850
    assert 'skipped' not in result
