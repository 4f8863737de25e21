# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the roles need to know about a mirror host, parsed from what one module run reads
(host_facts): installed packages, usable IPv6, PID 1's open-files limit, accounts and the state
of systemd units."""

from __future__ import annotations

import grp
import pwd
import re

# A dpkg-query line: status abbreviation, package, version ("ii  nginx 1.22.1-9").
DPKG_FORMAT = '${db:Status-Abbrev} ${Package} ${Version}\n'
LOOPBACK = '0' * 31 + '1'
# What /proc/1/limits says when nothing caps the open files; the roles size nginx below this.
UNLIMITED_NOFILE = 1048576


def parse_packages(text):
    """{package: version} of the installed ("ii") packages in dpkg-query's output."""
    packages = {}
    for line in (text or '').splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == 'ii':
            packages[fields[1]] = fields[2]
    return packages


def upstream_version(version):
    """The upstream part of a Debian version, without epoch or revision ("1:1.22.1-9" -> "1.22.1")."""
    match = re.match(r'^(?:[0-9]+:)?([0-9.]+)', version or '')
    return match.group(1) if match else ''


def parse_ipv6(if_inet6, disable_ipv6):
    """(usable, global): the kernel has IPv6 on and some address; one of them is neither
    link-local (fe80::/10) nor loopback."""
    addresses = [line.split()[0] for line in (if_inet6 or '').splitlines() if line.split()]
    usable = bool(addresses) and (disable_ipv6 or '').strip() == '0'
    global_ = any(not a.startswith('fe80') and a != LOOPBACK for a in addresses)
    return usable, global_


def parse_hard_nofile(limits):
    """The hard 'Max open files' of /proc/PID/limits, UNLIMITED_NOFILE for unlimited or unknown."""
    for line in (limits or '').splitlines():
        if line.startswith('Max open files'):
            hard = line[len('Max open files'):].split()[1]
            return UNLIMITED_NOFILE if hard == 'unlimited' else int(hard)
    return UNLIMITED_NOFILE


def parse_units(text):
    """{unit: {'active': ActiveState, 'enabled': UnitFileState}} from `systemctl show -p Id -p
    ActiveState -p UnitFileState UNIT...` (blocks separated by blank lines)."""
    units = {}
    for block in re.split(r'\n\s*\n', (text or '').strip()):
        values = dict(line.split('=', 1) for line in block.splitlines() if '=' in line)
        if values.get('Id'):
            units[values['Id']] = dict(active=values.get('ActiveState', ''),
                                       enabled=values.get('UnitFileState', ''))
    return units


def accounts(users, groups):
    """The named users and groups that exist: {'users': {name: {...}}, 'groups': {name: gid}}."""
    found_users, found_groups = {}, {}
    for name in users:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        try:
            group = grp.getgrgid(entry.pw_gid).gr_name
        except KeyError:
            group = str(entry.pw_gid)
        found_users[name] = dict(uid=entry.pw_uid, group=group, home=entry.pw_dir, shell=entry.pw_shell)
    for name in groups:
        try:
            found_groups[name] = grp.getgrnam(name).gr_gid
        except KeyError:
            continue
    return dict(users=found_users, groups=found_groups)


def host_facts(dpkg, if_inet6, disable_ipv6, limits, units, users, groups):
    """The published facts (README.md, 'gentoo_mirror_host') from what was read."""
    packages = parse_packages(dpkg)
    ipv6, ipv6_global = parse_ipv6(if_inet6, disable_ipv6)
    facts = dict(packages=packages, apt_check_mode='python3-apt' in packages, ipv6=ipv6,
                 ipv6_global=ipv6_global, nofile_hard=parse_hard_nofile(limits),
                 nginx_version=upstream_version(packages.get('nginx')), units=parse_units(units))
    facts.update(accounts(users, groups))
    return facts
