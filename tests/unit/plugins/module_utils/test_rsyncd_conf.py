# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import rsyncd_conf

CONF = """# rsyncd for the mirror
uid = nobody
Max_Connections = 40
lock file = /run/rsyncd.lock
; old comment style
&include /etc/rsyncd.d

[gentoo]
    path = /srv/gentoo
    comment = Gentoo \\
      source mirror
    max connections = 1000

[inherit]
    path = /srv/other

[off]
    path = /srv/off
    maxconnections = -1
"""


def test_parse_sections_and_continuations():
    conf = rsyncd_conf.parse(CONF)
    assert [m[0] for m in conf['modules']] == ['gentoo', 'inherit', 'off']
    gentoo = conf['modules'][0][1]
    assert gentoo['comment']['value'] == 'Gentoo source mirror'
    assert gentoo['maxconnections'] == {'name': 'max connections', 'value': '1000',
                                        'file': '/etc/rsyncd.conf', 'line': 12}
    assert conf['global']['maxconnections']['value'] == '40'
    assert conf['directives'] == [{'line': 6, 'text': '&include /etc/rsyncd.d'}]


def test_capacity_per_module_and_inherited():
    conf = rsyncd_conf.parse(CONF)
    result = rsyncd_conf.capacity(conf, exists=lambda p: True)
    by_name = dict((m['module'], m) for m in result['modules'])
    assert by_name['gentoo']['capacity'] == 1000
    assert by_name['inherit']['capacity'] == 40
    assert by_name['inherit']['limiting']['section'] == 'global section'
    assert by_name['inherit']['limiting']['line'] == 3
    assert by_name['off']['capacity'] == 0
    assert result['capacity'] == 0 and result['limiting']['module'] == 'off'
    only = rsyncd_conf.capacity(conf, modules=['gentoo'], exists=lambda p: True)
    assert only['capacity'] == 1000 and only['limiting']['directive'] == 'max connections'
    assert only['limiting']['module'] == 'gentoo'


def test_unlimited_by_default():
    conf = rsyncd_conf.parse('[gentoo]\npath = /srv/gentoo\n')
    result = rsyncd_conf.capacity(conf, exists=lambda p: False)
    assert result['capacity'] is None
    assert result['modules'][0]['lock_file'] == '/var/run/rsyncd.lock'
    assert result['limiting']['explanation'] == 'max connections is not set: no limit'


def test_missing_lock_directory_blocks_everyone():
    conf = rsyncd_conf.parse('[gentoo]\npath = /srv\nmax connections = 50\nlock file = /nonexistent/dir/rsyncd.lock\n')
    result = rsyncd_conf.capacity(conf, exists=lambda p: not p.startswith('/nonexistent'))
    assert result['capacity'] == 0
    assert result['limiting']['directive'] == 'lock file' and result['limiting']['line'] == 4


def test_below_minimum_names_file_and_line():
    conf = rsyncd_conf.parse('lock file = /run/rsyncd.lock\n[gentoo]\n  path = /srv\n  max connections = 10\n',
                             name='/etc/rsyncd.conf')
    result = rsyncd_conf.capacity(conf, exists=lambda p: True)
    assert result['capacity'] == 10
    assert result['limiting']['file'] == '/etc/rsyncd.conf' and result['limiting']['line'] == 4
    assert result['limiting']['section'] == 'module [gentoo]'


def test_key_normalization():
    assert rsyncd_conf.key('Max Connections') == rsyncd_conf.key('max_connections') == 'maxconnections'
