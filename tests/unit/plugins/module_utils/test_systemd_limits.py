# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import systemd_limits


def test_systemd_and_proc_limits():
    show = 'LimitNOFILE=524288\nLimitNOFILESoft=1024\nMainPID=812\nFragmentPath=/lib/systemd/system/nginx.service\n'
    parsed = systemd_limits.parse_systemctl_show(show)
    assert parsed['LimitNOFILESoft'] == '1024' and parsed['MainPID'] == '812'
    assert systemd_limits.parse_limit('infinity') is None and systemd_limits.parse_limit('65536') == 65536
    limits = ('Limit                     Soft Limit           Hard Limit           Units\n'
              'Max processes             4096                 4096                 processes\n'
              'Max open files            1024                 524288               files\n')
    assert systemd_limits.parse_proc_limits(limits) == (1024, 524288)
    assert systemd_limits.parse_proc_limits('') == (None, None)


def test_unit_setting_file():
    texts = [('/lib/systemd/system/nginx.service', '[Service]\nLimitNOFILE=1024\n'),
             ('/etc/systemd/system/nginx.service.d/a.conf', '[Service]\nNice=5\n'),
             ('/etc/systemd/system/nginx.service.d/b.conf', '[Service]\nLimitNOFILE=65536\n')]
    assert systemd_limits.unit_setting_file(texts) == '/etc/systemd/system/nginx.service.d/b.conf'
    assert systemd_limits.unit_setting_file(texts[1:2]) is None
    assert systemd_limits.unit_setting_file([('/etc/systemd/system.conf', '#DefaultLimitNOFILE=1024:524288\n')],
                                            'DefaultLimitNOFILE') is None


class FakeModule(object):
    def __init__(self, show):
        self.show = show

    def get_bin_path(self, name):
        return '/usr/bin/' + name

    def run_command(self, args):
        assert args[:3] == ['/usr/bin/systemctl', 'show', 'nginx.service']
        return 0, self.show, ''


def test_service_nofile_names_the_drop_in_that_sets_it(tmp_path):
    unit = tmp_path / 'nginx.service'
    unit.write_text('[Service]\nLimitNOFILE=1024\n')
    drop_in = tmp_path / 'limits.conf'
    drop_in.write_text('[Service]\nLimitNOFILE=40\n')
    show = 'LimitNOFILE=40\nLimitNOFILESoft=40\nMainPID=0\nFragmentPath=%s\nDropInPaths=%s\n' % (unit, drop_in)
    assert systemd_limits.service_nofile(FakeModule(show), 'nginx.service', 'nginx') == {
        'value': 40, 'source': 'systemctl show nginx.service', 'file': str(drop_in), 'directive': 'LimitNOFILE'}
    assert systemd_limits.service_nofile(FakeModule(''), 'nginx.service', 'nginx') is None
