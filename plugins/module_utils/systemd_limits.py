# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The open-files limit a systemd service runs with, and the unit file that sets it."""

from __future__ import annotations

import glob

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.files import read_text

SYSTEM_CONF = '/etc/systemd/system.conf'
SYSTEM_CONF_DROP_INS = '/etc/systemd/system.conf.d/*.conf'


def parse_systemctl_show(text):
    """``Key=Value`` lines of ``systemctl show`` into a dict."""
    out = {}
    for line in text.splitlines():
        if '=' in line:
            key, value = line.split('=', 1)
            out[key.strip()] = value.strip()
    return out


def parse_limit(value):
    """A systemd or /proc limit (``1024``, ``infinity``, ``unlimited``) to int or None."""
    if value is None:
        return None
    value = value.strip()
    if value in ('infinity', 'unlimited', ''):
        return None
    try:
        return int(value)
    except ValueError:
        return None


def parse_proc_limits(text):
    """Soft and hard 'Max open files' from /proc/PID/limits."""
    for line in text.splitlines():
        if line.startswith('Max open files'):
            fields = line[len('Max open files'):].split()
            if len(fields) >= 2:
                return parse_limit(fields[0]), parse_limit(fields[1])
    return None, None


def unit_setting_file(texts, setting='LimitNOFILE'):
    """The unit file that sets ``setting`` last, from ``[(path, text)]`` in systemd's order
    (the unit file, then its drop-ins); None when none of them sets it."""
    found = None
    for path, text in texts:
        for line in (text or '').splitlines():
            if line.strip().startswith(setting + '='):
                found = path
    return found


def _systemctl_show(module, service):
    systemctl = module.get_bin_path('systemctl')
    if not systemctl:
        return {}
    rc, out, dummy_err = module.run_command(
        [systemctl, 'show', service, '-p', 'LimitNOFILE', '-p', 'LimitNOFILESoft',
         '-p', 'MainPID', '-p', 'FragmentPath', '-p', 'DropInPaths'])
    return parse_systemctl_show(out) if rc == 0 else {}


def service_nofile(module, service, label):
    """The soft open-files limit the processes of ``service`` inherit, with where it comes from.

    ``label`` names the program in ``source`` (``running nginx, pid 812``).
    Returns ``{'value', 'source', 'file', 'directive'}`` or None when systemd gives no figure.
    The running main process's /proc/PID/limits wins over ``systemctl show``; ``file`` is the
    unit file or drop-in that sets LimitNOFILE last, or, when the unit sets none, the file that
    sets systemd's DefaultLimitNOFILE.
    """
    show = _systemctl_show(module, service)
    units = [show.get('FragmentPath')] + (show.get('DropInPaths') or '').split()
    units = [unit for unit in units if unit]
    unit_file = unit_setting_file([(unit, read_text(unit)) for unit in units])
    directive = 'LimitNOFILE'
    if unit_file is None and show:
        # Not set for the unit: systemd's DefaultLimitNOFILE applies.
        directive = 'DefaultLimitNOFILE'
        candidates = [SYSTEM_CONF] + sorted(glob.glob(SYSTEM_CONF_DROP_INS))
        unit_file = unit_setting_file([(path, read_text(path)) for path in candidates], 'DefaultLimitNOFILE')
    pid = show.get('MainPID')
    if pid and pid != '0':
        soft, dummy_hard = parse_proc_limits(read_text('/proc/%s/limits' % pid) or '')
        if soft:
            return {'value': soft, 'source': 'running %s, pid %s' % (label, pid), 'file': unit_file,
                    'directive': directive}
    soft = parse_limit(show.get('LimitNOFILESoft'))
    if soft is None and 'LimitNOFILESoft' not in show:
        soft = parse_limit(show.get('LimitNOFILE'))
    if soft:
        return {'value': soft, 'source': 'systemctl show %s' % service, 'file': unit_file,
                'directive': directive}
    return None
