# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning and applying a set of directories and files, on a real temporary directory."""

from __future__ import annotations

import grp
import os
import pwd
import stat
import subprocess

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import file_set

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def shell(command):
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def directory(path, mode=0o755):
    return dict(path=str(path), owner=ME, group=MY_GROUP, mode=mode)


def text_file(dest, content, mode=0o644, validate=None):
    return dict(dest=str(dest), content=content, owner=ME, group=MY_GROUP, mode=mode, validate=validate)


def plan(entries):
    return [file_set.plan_entry(e) for e in entries]


def converge(entries):
    return file_set.apply(plan(entries), entries, shell)


def test_parse_mode_takes_octal_strings_only():
    assert file_set.parse_mode('0644', '/x') == 0o644 and file_set.parse_mode('755', '/x') == 0o755
    for bad in ('u+rw', '0888', '', '12345'):
        with pytest.raises(file_set.FileSetError, match='mode of /x is'):
            file_set.parse_mode(bad, '/x')


def test_first_run_creates_everything_and_second_run_plans_nothing(tmp_path):
    entries = [directory(tmp_path / 'etc'), directory(tmp_path / 'etc' / 'sub', 0o700),
               text_file(tmp_path / 'etc' / 'sub' / 'a.conf', 'a = 1\n', 0o600)]
    assert converge(entries) == [str(tmp_path / 'etc'), str(tmp_path / 'etc' / 'sub'),
                                 str(tmp_path / 'etc' / 'sub' / 'a.conf')]
    assert (tmp_path / 'etc' / 'sub' / 'a.conf').read_text() == 'a = 1\n'
    assert stat.S_IMODE(os.stat(tmp_path / 'etc' / 'sub').st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / 'etc' / 'sub' / 'a.conf').st_mode) == 0o600
    assert file_set.changes(plan(entries)) == []
    assert sorted(os.listdir(tmp_path / 'etc' / 'sub')) == ['a.conf']


def test_a_changed_mode_is_fixed_without_rewriting(tmp_path):
    target = tmp_path / 'run.sh'
    target.write_text('#!/bin/sh\n')
    os.chmod(target, 0o644)
    inode = os.stat(target).st_ino
    entries = [text_file(target, '#!/bin/sh\n', 0o755)]
    [only] = file_set.changes(plan(entries))
    assert only['fix'] == ['mode'] and not only['write']
    converge(entries)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o755 and os.stat(target).st_ino == inode


def test_a_file_failing_validation_changes_nothing(tmp_path):
    good, bad = tmp_path / 'good.conf', tmp_path / 'bad.conf'
    good.write_text('old\n')
    entries = [text_file(good, 'new\n', validate='grep -q new %s'),
               text_file(bad, 'broken\n', validate='grep -q valid %s')]
    with pytest.raises(file_set.FileSetError, match='bad.conf failed validation, nothing was changed'):
        converge(entries)
    assert good.read_text() == 'old\n' and not bad.exists()
    assert sorted(os.listdir(tmp_path)) == ['good.conf']


def test_validate_sees_the_new_content(tmp_path):
    target = tmp_path / 'x.conf'
    converge([text_file(target, 'valid\n', validate='grep -qx valid %s')])
    assert target.read_text() == 'valid\n'


def test_validate_needs_the_placeholder(tmp_path):
    with pytest.raises(file_set.FileSetError, match='must contain %s'):
        converge([text_file(tmp_path / 'x.conf', 'x\n', validate='true')])
    assert os.listdir(tmp_path) == []


def test_unknown_owner_is_a_change_and_a_clear_error_for_a_real_run(tmp_path):
    entries = [dict(directory(tmp_path / 'tree'), owner='no-such-user-here')]
    plans = plan(entries)
    assert file_set.changes(plans) == plans
    with pytest.raises(file_set.FileSetError, match="no user 'no-such-user-here'"):
        file_set.require_ids(plans, entries)


def test_a_path_of_the_wrong_kind_is_refused(tmp_path):
    (tmp_path / 'file').write_text('')
    (tmp_path / 'dir').mkdir()
    with pytest.raises(file_set.FileSetError, match='is not a directory'):
        file_set.plan_directory(directory(tmp_path / 'file'))
    with pytest.raises(file_set.FileSetError, match='is not a regular file'):
        file_set.plan_file(text_file(tmp_path / 'dir', 'x'))


def test_diff_shows_content_or_attributes(tmp_path):
    target = tmp_path / 'a.conf'
    target.write_text('old\n')
    entry = text_file(target, 'new\n')
    content = file_set.diff_of(file_set.plan_file(entry), entry)
    assert content['before'] == 'old\n' and content['after'] == 'new\n'
    entry = directory(tmp_path / 'new-dir', 0o750)
    attributes = file_set.diff_of(file_set.plan_directory(entry), entry)
    assert attributes['before'] == 'directory: absent\n' and 'mode 0750' in attributes['after']


def test_an_absent_file_is_removed_and_then_left_alone(tmp_path):
    stale = tmp_path / 'old.conf'
    stale.write_text('x\n')
    entries = [dict(dest=str(stale), state='absent', owner=ME, group=MY_GROUP, mode=0o644)]
    assert converge(entries) == [str(stale)] and not stale.exists()
    assert file_set.changes(plan(entries)) == [] and converge(entries) == []


def test_a_file_whose_template_rendered_nothing_is_an_empty_file(tmp_path):
    """Ansible hands a template that renders nothing to the module as null."""
    entries = [text_file(tmp_path / 'empty', None)]
    assert converge(entries) == [str(tmp_path / 'empty')]
    assert (tmp_path / 'empty').read_text() == ''
    assert file_set.changes(plan(entries)) == []
