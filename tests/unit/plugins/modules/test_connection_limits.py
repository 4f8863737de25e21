# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection_limits module end to end, with run_command and the file system as the only stand-ins."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.modules import connection_limits


NGINX_T = """# configuration file /etc/nginx/nginx.conf:
worker_processes 1;
events {
    worker_connections 12;
}
http {
    server { listen 80; root /srv/gentoo; }
}
"""


def test_connection_limits_names_the_directive(monkeypatch, tmp_path, run_module):
    rsyncd = tmp_path / 'rsyncd.conf'
    rsyncd.write_text('lock file = %s/rsyncd.lock\n[gentoo]\npath = /srv/gentoo\nmax connections = 100\n' % tmp_path)
    commands = {
        '-T': (0, NGINX_T, 'nginx: configuration file /etc/nginx/nginx.conf test is successful'),
        'show nginx.service': (0, 'LimitNOFILE=524288\nLimitNOFILESoft=1024\nMainPID=0\n', ''),
    }
    failed, result = run_module(connection_limits.main, {'rsyncd_conf': str(rsyncd)}, monkeypatch, commands)
    assert failed and result['verdict'] == 'below_minimum'
    http = result['protocols']['http']
    assert http['capacity'] == 11 and http['limiting']['directive'] == 'worker_connections'
    assert 'limited by worker_connections 12 in /etc/nginx/nginx.conf line 3' in result['msg']
    assert 'below the minimum of 15 (min_connections)' in result['msg']
    assert result['protocols']['rsync']['verdict'] == 'ok'


def test_connection_limits_rsync_only_warns(monkeypatch, tmp_path, run_module):
    rsyncd = tmp_path / 'rsyncd.conf'
    rsyncd.write_text('[gentoo]\npath = /srv/gentoo\nmax connections = 20\nlock file = %s/l\n' % tmp_path)
    failed, result = run_module(connection_limits.main, {'rsyncd_conf': str(rsyncd), 'http': False}, monkeypatch)
    assert not failed and result['verdict'] == 'below_recommended'
    assert result['protocols']['http'] == {'enabled': False}
    assert 'below the recommended 30' in result['msg']


def test_connection_limits_unknown_module(monkeypatch, tmp_path, run_module):
    rsyncd = tmp_path / 'rsyncd.conf'
    rsyncd.write_text('[gentoo]\npath = /srv/gentoo\n')
    failed, result = run_module(connection_limits.main,
                                {'rsyncd_conf': str(rsyncd), 'http': False, 'rsync_modules': ['distfiles']},
                                monkeypatch)
    assert failed and 'defines no module distfiles' in result['msg']


def test_connection_limits_names_the_unit_drop_in(monkeypatch, tmp_path, run_module):
    unit = tmp_path / 'nginx.service'
    unit.write_text('[Service]\nExecStart=/usr/sbin/nginx\n')
    drop_in = tmp_path / 'limits.conf'
    drop_in.write_text('[Service]\nLimitNOFILE=40\n')
    text = NGINX_T.replace('worker_connections 12', 'worker_connections 1024')
    show = 'LimitNOFILE=40\nLimitNOFILESoft=40\nMainPID=0\nFragmentPath=%s\nDropInPaths=%s\n' % (unit, drop_in)
    commands = {'-T': (0, text, ''), 'show nginx.service': (0, show, '')}
    failed, result = run_module(connection_limits.main, {'rsync': False}, monkeypatch, commands)
    http = result['protocols']['http']
    # (40 - 1 listening - 10 reserved) // 2 = 14 clients for the single worker
    assert failed and http['capacity'] == 14
    assert http['limiting']['directive'] == 'LimitNOFILE' and http['limiting']['file'] == str(drop_in)
    assert 'limited by LimitNOFILE 40 in %s' % drop_in in result['msg']


def test_connection_limits_in_check_mode_reports_as_usual(monkeypatch, tmp_path, run_module):
    rsyncd = tmp_path / 'rsyncd.conf'
    rsyncd.write_text('[gentoo]\npath = /srv/gentoo\nmax connections = 20\nlock file = %s/l\n' % tmp_path)
    args = {'rsyncd_conf': str(rsyncd), 'http': False}
    plain = run_module(connection_limits.main, args, monkeypatch)
    checked = run_module(connection_limits.main, dict(args, _ansible_check_mode=True), monkeypatch)
    assert checked == plain and not checked[1]['changed'] and 'skipped' not in checked[1]
