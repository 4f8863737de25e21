# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import connection_checks


class Failed(Exception):
    pass


class FakeModule(object):
    def __init__(self, **params):
        self.params = dict(probe=False, probe_connections=None, recommended_connections=30, nginx_path=None,
                           http=None, rsync=None, rsyncd_conf='/nonexistent/rsyncd.conf', rsync_modules=[])
        self.params.update(params)
        self.warnings = []

    def get_bin_path(self, name, opt_dirs=None):
        return None

    def fail_json(self, **kwargs):
        raise Failed(kwargs)

    def warn(self, text):
        self.warnings.append(text)


def test_probe_count_defaults_to_the_recommendation_and_is_bounded():
    assert connection_checks.probe_count(FakeModule()) == 30
    assert connection_checks.probe_count(FakeModule(probe=True, probe_connections=5)) == 5
    with pytest.raises(Failed, match='probe_connections must be between 1 and 1000'):
        connection_checks.probe_count(FakeModule(probe=True, probe_connections=1001))


def test_nothing_to_check_fails_with_both_protocols_off():
    with pytest.raises(Failed) as info:
        connection_checks.check_protocols(FakeModule())
    assert 'nothing to check: nginx is not installed' in info.value.args[0]['msg']
    assert info.value.args[0]['protocols'] == {'http': {'enabled': False}, 'rsync': {'enabled': False}}
    with pytest.raises(Failed, match='http is true but nginx is not installed'):
        connection_checks.check_protocols(FakeModule(http=True))


def test_rsync_checked_when_its_configuration_exists(tmp_path):
    conf = tmp_path / 'rsyncd.conf'
    conf.write_text('&include /etc/rsyncd.d\n[gentoo]\npath = /srv/gentoo\nmax connections = 40\nlock file = %s/l\n' % tmp_path)
    module = FakeModule(rsyncd_conf=str(conf))
    protocols = connection_checks.check_protocols(module)
    assert protocols['http'] == {'enabled': False}
    assert protocols['rsync']['enabled'] and protocols['rsync']['capacity'] == 40
    assert protocols['rsync']['config_file'] == str(conf)
    assert module.warnings == ['%s uses &include /etc/rsyncd.d; included files are not read by this check' % conf]
