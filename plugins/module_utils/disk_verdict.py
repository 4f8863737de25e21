# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The disk_space module's verdict: is there room for the mirror, in a message with the figures."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.units import (
    GIB,
    fmt_count,
    fmt_gib,
    to_gib,
)


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
               fmt_gib(usable), _whole_or_decimal(min_gib), fmt_gib(figures['size_bytes']),
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
                         % (fmt_gib(usable), path, where, _whole_or_decimal(min_gib)))
    return result


def _whole_or_decimal(value):
    """800.0 -> '800', 0.5 -> '0.5'."""
    value = float(value)
    return ('%d' % value) if value.is_integer() else ('%g' % value)
