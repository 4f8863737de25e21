# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Parsing what host_facts reads: dpkg-query, /proc, systemctl show, the account databases."""

from __future__ import annotations

import grp
import os
import pwd

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import host_facts

DPKG = """ii  nginx 1.22.1-9+deb12u2
rc  apache2 2.4.62-1
ii  python3-apt 2.6.0
un  certbot <none>
"""
IF_INET6 = """00000000000000000000000000000001 01 80 10 80       lo
fe800000000000000000000000000001 02 40 20 80     eth0
"""
LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max processes             4096                 4096                 processes
Max open files            16384                524288               files
"""
UNITS = """Id=nginx.service
ActiveState=active
UnitFileState=enabled

Id=rsync.service
ActiveState=inactive
UnitFileState=
"""


def test_only_installed_packages_count():
    assert host_facts.parse_packages(DPKG) == {'nginx': '1.22.1-9+deb12u2', 'python3-apt': '2.6.0'}
    assert host_facts.parse_packages(None) == {}


def test_upstream_version_drops_epoch_and_revision():
    assert host_facts.upstream_version('1:1.22.1-9') == '1.22.1'
    assert host_facts.upstream_version('1.26.3-3') == '1.26.3' and host_facts.upstream_version(None) == ''


def test_ipv6_needs_an_address_and_the_switch_on():
    assert host_facts.parse_ipv6(IF_INET6, '0\n') == (True, False)
    assert host_facts.parse_ipv6(IF_INET6, '1\n') == (False, False)
    assert host_facts.parse_ipv6(None, None) == (False, False)
    assert host_facts.parse_ipv6('20010db8000000000000000000000001 03 40 00 80 eth0\n', '0') == (True, True)


def test_hard_nofile_reads_the_hard_column():
    assert host_facts.parse_hard_nofile(LIMITS) == 524288
    assert host_facts.parse_hard_nofile(LIMITS.replace('524288', 'unlimited')) == host_facts.UNLIMITED_NOFILE
    assert host_facts.parse_hard_nofile('') == host_facts.UNLIMITED_NOFILE


def test_units_by_id():
    assert host_facts.parse_units(UNITS) == {
        'nginx.service': {'active': 'active', 'enabled': 'enabled'},
        'rsync.service': {'active': 'inactive', 'enabled': ''}}
    assert host_facts.parse_units('') == {}


def test_accounts_report_what_exists():
    me = pwd.getpwuid(os.getuid())
    my_group = grp.getgrgid(os.getgid()).gr_name
    found = host_facts.accounts([me.pw_name, 'no-such-user-here'], [my_group, 'no-such-group-here'])
    assert list(found['users']) == [me.pw_name] and found['users'][me.pw_name]['home'] == me.pw_dir
    assert found['groups'] == {my_group: os.getgid()}


def test_host_facts_put_it_together():
    facts = host_facts.host_facts(DPKG, IF_INET6, '0', LIMITS, UNITS, [], [])
    assert facts['nginx_version'] == '1.22.1' and facts['apt_check_mode'] and facts['ipv6']
    assert facts['nofile_hard'] == 524288 and facts['units']['nginx.service']['active'] == 'active'
    assert facts['users'] == {} and facts['groups'] == {}
