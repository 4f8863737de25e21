# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Bring a set of directories and small files to a wanted state in one pass (install_files).

What a run must change is planned first, by reading the host only; then every file that changes
is written to a temporary file beside its destination and validated, and only when every one
passed are they moved into place. So a bad file changes nothing, and a run where nothing
differs writes nothing.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
import tempfile


class FileSetError(Exception):
    """A wanted state that cannot be reached; the message names the path and why."""


def parse_mode(value, path):
    """The octal permission string ``value`` ("0644", "755") as an int."""
    text = str(value)
    if not text or len(text) > 4 or any(c not in '01234567' for c in text):
        raise FileSetError('mode of %s is %r: give it in octal, like "0644"' % (path, value))
    return int(text, 8)


def lookup_ids(owner, group):
    """(uid, gid) of the names; None for a name the host does not know (yet)."""
    try:
        uid = pwd.getpwnam(owner).pw_uid
    except KeyError:
        uid = None
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        gid = None
    return uid, gid


def _attributes(info, entry, uid, gid):
    """What differs between the lstat() result ``info`` and the wanted owner, group and mode."""
    differ = []
    if uid is None or info.st_uid != uid or gid is None or info.st_gid != gid:
        differ.append('owner')
    if stat.S_IMODE(info.st_mode) != entry['mode']:
        differ.append('mode')
    return differ


def _lstat(path):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def plan_directory(entry):
    """One directory's plan: {'path', 'kind': 'directory', 'create', 'fix'}."""
    path = entry['path']
    info = _lstat(path)
    uid, gid = lookup_ids(entry['owner'], entry['group'])
    if info is None:
        return dict(path=path, kind='directory', create=True, fix=['owner', 'mode'], uid=uid, gid=gid)
    if not stat.S_ISDIR(info.st_mode):
        raise FileSetError('%s exists and is not a directory' % path)
    return dict(path=path, kind='directory', create=False, fix=_attributes(info, entry, uid, gid), uid=uid, gid=gid)


def plan_file(entry):
    """One file's plan: {'path', 'kind': 'file', 'write', 'fix', 'remove', 'before'} (before: old
    text)."""
    path = entry['dest']
    info = _lstat(path)
    uid, gid = lookup_ids(entry['owner'], entry['group'])
    if entry.get('state') == 'absent':
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise FileSetError('%s is a directory, not a file to remove' % path)
        return dict(path=path, kind='file', write=False, fix=[], remove=info is not None,
                    before=None, uid=uid, gid=gid)
    # A template that renders nothing reaches the module as null: an empty file.
    want = (entry['content'] or '').encode('utf-8')
    if info is None:
        return dict(path=path, kind='file', write=True, fix=['owner', 'mode'], before=None,
                    uid=uid, gid=gid, data=want)
    if not stat.S_ISREG(info.st_mode):
        raise FileSetError('%s exists and is not a regular file' % path)
    with open(path, 'rb') as handle:
        have = handle.read()
    return dict(path=path, kind='file', write=have != want, fix=_attributes(info, entry, uid, gid),
                before=have.decode('utf-8', 'replace'), uid=uid, gid=gid, data=want)


def plan_entry(entry):
    """The plan of one entry: a directory ('path') or a file ('dest')."""
    return plan_directory(entry) if 'path' in entry else plan_file(entry)


def changing(plan):
    """Whether the plan changes something."""
    return bool(plan.get('create') or plan.get('write') or plan.get('remove') or plan['fix'])


def changes(plans):
    """The plans that change something, in order."""
    return [p for p in plans if changing(p)]


def require_ids(plans, entries):
    """Fail for an owner or group the host does not know (a real run cannot set it)."""
    for plan, entry in zip(plans, entries):
        # A file to remove needs no owner.
        if changing(plan) and not plan.get('remove') and (plan['uid'] is None or plan['gid'] is None):
            raise FileSetError('%s: no user %r or no group %r on the host'
                               % (plan['path'], entry['owner'], entry['group']))


def diff_of(plan, entry):
    """An Ansible diff entry for one changing plan."""
    if plan.get('remove'):
        return dict(before_header=plan['path'], after_header=plan['path'],
                    before='file: present\n', after='file: absent\n')
    if plan['kind'] == 'file' and plan['write']:
        return dict(before_header=plan['path'], after_header=plan['path'],
                    before=plan['before'] or '', after=entry['content'])
    state = 'absent' if plan.get('create') else 'present'
    return dict(before_header=plan['path'], after_header=plan['path'],
                before='%s: %s\n' % (plan['kind'], state),
                after='%s: present, owner %s:%s, mode %04o\n'
                % (plan['kind'], entry['owner'], entry['group'], entry['mode']))


def _set_attributes(path, plan, mode):
    os.chown(path, plan['uid'], plan['gid'])
    os.chmod(path, mode)


def stage_file(plan, entry, run_command):
    """Write the new content beside the destination and validate it; returns the temporary path."""
    directory = os.path.dirname(plan['path']) or '.'
    fd, temporary = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(plan['path']))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(plan['data'])
        _set_attributes(temporary, plan, entry['mode'])
        if entry.get('validate'):
            if '%s' not in entry['validate']:
                raise FileSetError('validate of %s must contain %%s (the file to check)' % plan['path'])
            rc, out, err = run_command(entry['validate'] % temporary)
            if rc != 0:
                raise FileSetError('%s failed validation, nothing was changed: %s'
                                   % (plan['path'], (err or out).strip()))
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def apply(plans, entries, run_command):
    """Make the planned changes: directories, then every file staged and validated, then moved
    into place. Returns the changed paths."""
    changed = []
    staged = []
    try:
        for plan, entry in zip(plans, entries):
            if plan['kind'] == 'directory' and (plan['create'] or plan['fix']):
                if plan['create']:
                    os.makedirs(plan['path'], exist_ok=True)
                _set_attributes(plan['path'], plan, entry['mode'])
                changed.append(plan['path'])
        for plan, entry in zip(plans, entries):
            if plan['kind'] == 'file' and plan['write']:
                staged.append((stage_file(plan, entry, run_command), plan))
            elif plan['kind'] == 'file' and plan['fix']:
                _set_attributes(plan['path'], plan, entry['mode'])
                changed.append(plan['path'])
    except BaseException:
        for temporary, dummy in staged:
            os.unlink(temporary)
        raise
    for temporary, plan in staged:
        os.rename(temporary, plan['path'])
        changed.append(plan['path'])
    for plan in plans:
        if plan.get('remove'):
            os.unlink(plan['path'])
            changed.append(plan['path'])
    return changed
