# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The install_files module end to end on a temporary directory: check mode, diff, idempotence."""

from __future__ import annotations

import grp
import os
import pwd

from ansible_collections.mirrorkit.gentoo.plugins.modules import install_files

OWNER = dict(owner=pwd.getpwuid(os.getuid()).pw_name, group=grp.getgrgid(os.getgid()).gr_name)


def args(tmp_path, **extra):
    return dict(directories=[dict(path=str(tmp_path / 'etc'), **OWNER)],
                files=[dict(dest=str(tmp_path / 'etc' / 'a.conf'), content='a\n', mode='0640', **OWNER)],
                **extra)


def test_check_mode_reports_and_writes_nothing(tmp_path, monkeypatch, run_module):
    failed, result = run_module(install_files.main, args(tmp_path, _ansible_check_mode=True, _ansible_diff=True),
                                monkeypatch)
    assert not failed and result['changed']
    assert result['changed_paths'] == [str(tmp_path / 'etc'), str(tmp_path / 'etc' / 'a.conf')]
    assert result['diff'][1]['after'] == 'a\n'
    assert os.listdir(tmp_path) == []


def test_a_second_run_changes_nothing(tmp_path, monkeypatch, run_module):
    failed, first = run_module(install_files.main, args(tmp_path), monkeypatch)
    assert not failed and first['changed'] and (tmp_path / 'etc' / 'a.conf').read_text() == 'a\n'
    failed, second = run_module(install_files.main, args(tmp_path), monkeypatch)
    assert not failed and not second['changed'] and second['changed_paths'] == []
    assert 'diff' not in second


def test_a_bad_mode_fails_before_anything_changes(tmp_path, monkeypatch, run_module):
    bad = args(tmp_path)
    bad['files'][0]['mode'] = 'rw-r--r--'
    failed, result = run_module(install_files.main, bad, monkeypatch)
    assert failed and "mode of %s is 'rw-r--r--'" % (tmp_path / 'etc' / 'a.conf') in result['msg']
    assert os.listdir(tmp_path) == []
