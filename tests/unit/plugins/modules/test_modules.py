# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules end to end, with run_command and the file system as the only stand-ins."""

from __future__ import annotations

import collections
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.mirrorkit.gentoo.plugins.modules import bandwidth, connection_limits, disk_space

GIB = 1024 ** 3
StatVFS = collections.namedtuple(
    'StatVFS', 'f_bsize f_frsize f_blocks f_bfree f_bavail f_files f_ffree f_favail')


class Exit(Exception):
    pass


def run_module(main, args, monkeypatch, commands=None):
    """Run a module's main() and return (failed, result)."""
    calls = []

    def run_command(self, args, **kwargs):
        calls.append(args)
        for prefix, answer in (commands or {}).items():
            if ' '.join(args[1:]).startswith(prefix):
                return answer
        raise AssertionError('unexpected command %r' % (args,))

    def exit_json(self, **kwargs):
        raise Exit(False, kwargs)

    def fail_json(self, **kwargs):
        raise Exit(True, kwargs)

    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(basic.AnsibleModule, 'get_bin_path',
                        lambda self, name, required=False, opt_dirs=None: '/usr/bin/' + name)
    with patch_module_args(args):
        with pytest.raises(Exit) as info:
            main()
    failed, result = info.value.args
    json.dumps(result)
    return failed, result


def test_disk_space_fails_with_figures(monkeypatch, tmp_path):
    monkeypatch.setattr(disk_space.os, 'statvfs',
                        lambda p: StatVFS(4096, 4096, 100 * 262144, 40 * 262144, 35 * 262144, 10 ** 6, 9 * 10 ** 5, 9 * 10 ** 5))
    monkeypatch.setattr(disk_space, 'MOUNTINFO', str(tmp_path / 'none'))
    failed, result = run_module(disk_space.main, {'path': str(tmp_path / 'gentoo')}, monkeypatch)
    assert failed and not result['changed']
    assert result['available_gib'] == 35.0 and result['size_gib'] == 100.0
    assert 'has 35.00 GiB available' in result['msg'] and 'below the 800 GiB required' in result['msg']
    assert result['mount'] == '/'


def test_disk_space_passes(monkeypatch, tmp_path):
    monkeypatch.setattr(disk_space.os, 'statvfs',
                        lambda p: StatVFS(4096, 4096, 1000 * 262144, 900 * 262144, 850 * 262144, 0, 0, 0))
    failed, result = run_module(disk_space.main, {'path': str(tmp_path)}, monkeypatch)
    assert not failed and result['passed'] and result['inodes_status'] == 'unknown'
    assert result['exists'] and result['usable_gib'] >= 850


NGINX_T = """# configuration file /etc/nginx/nginx.conf:
worker_processes 1;
events {
    worker_connections 12;
}
http {
    server { listen 80; root /srv/gentoo; }
}
"""


def test_connection_limits_names_the_directive(monkeypatch, tmp_path):
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


def test_connection_limits_rsync_only_warns(monkeypatch, tmp_path):
    rsyncd = tmp_path / 'rsyncd.conf'
    rsyncd.write_text('[gentoo]\npath = /srv/gentoo\nmax connections = 20\nlock file = %s/l\n' % tmp_path)
    failed, result = run_module(connection_limits.main, {'rsyncd_conf': str(rsyncd), 'http': False}, monkeypatch)
    assert not failed and result['verdict'] == 'below_recommended'
    assert result['protocols']['http'] == {'enabled': False}
    assert 'below the recommended 30' in result['msg']


def test_connection_limits_unknown_module(monkeypatch, tmp_path):
    rsyncd = tmp_path / 'rsyncd.conf'
    rsyncd.write_text('[gentoo]\npath = /srv/gentoo\n')
    failed, result = run_module(connection_limits.main,
                                {'rsyncd_conf': str(rsyncd), 'http': False, 'rsync_modules': ['distfiles']},
                                monkeypatch)
    assert failed and 'defines no module distfiles' in result['msg']


LIST_TOP = """drwxr-xr-x          4,096 2026/11/25 08:00:00 .
-rw-r--r--            100 2026/11/25 08:00:00 timestamp.chk
drwxr-xr-x          4,096 2026/11/25 08:00:00 distfiles
drwxr-xr-x          4,096 2026/11/25 08:00:00 snapshots
"""
LIST_DISTFILES = """drwxr-xr-x          4,096 2026/11/25 08:00:00 .
-rw-r--r--            200 2026/11/25 08:00:00 layout.conf
"""
LIST_SNAPSHOTS = """drwxr-xr-x          4,096 2026/11/25 08:00:00 .
-rw-r--r--     67,108,864 2026/11/25 08:00:00 gentoo-latest.tar.xz
-rw-r--r--            833 2026/11/25 08:00:00 gentoo-latest.tar.xz.gpgsig
"""


class FakeModule(object):
    def __init__(self, answers, **params):
        self.params = dict(timeout=10, rsync_path=None, rsync_password_file=None, rsync_max_listings=8,
                           max_bytes=1 << 30, rsync_user=None, rsync_password=None)
        self.params.update(params)
        self.answers = answers
        self.calls = []

    def get_bin_path(self, name, required=False):
        return '/usr/bin/' + name

    def run_command(self, args, **kwargs):
        self.calls.append(args)
        self.environments = getattr(self, 'environments', []) + [kwargs.get('environ_update')]
        return 0, self.answers[args[-1]], ''


def test_choose_rsync_file_breadth_first():
    base = 'rsync://upstream/gentoo/'
    module = FakeModule({base: LIST_TOP, base + 'distfiles/': LIST_DISTFILES, base + 'snapshots/': LIST_SNAPSHOTS})
    url, size = bandwidth.choose_rsync_file(module, 'rsync://upstream/gentoo/')
    assert url == base + 'snapshots/gentoo-latest.tar.xz' and size == 67108864
    assert '--list-only' in module.calls[0] and '--no-motd' in module.calls[0]


def test_choose_rsync_file_accepts_a_file_url():
    url = 'rsync://upstream/gentoo/snapshots/gentoo-latest.tar.xz'
    module = FakeModule({url: '-rw-r--r--     67,108,864 2026/11/25 08:00:00 gentoo-latest.tar.xz\n'})
    assert bandwidth.choose_rsync_file(module, url) == (url, 67108864)


def test_rsync_login_goes_to_the_url_and_the_environment_never_the_arguments():
    url = bandwidth.with_rsync_user('rsync://upstream/gentoo/snapshots/gentoo-latest.tar.xz', 'mirror42')
    assert url == 'rsync://mirror42@upstream/gentoo/snapshots/gentoo-latest.tar.xz'
    assert bandwidth.with_rsync_user('rsync://other@upstream/gentoo/', 'mirror42') == 'rsync://other@upstream/gentoo/'
    assert bandwidth.with_rsync_user('rsync://upstream/gentoo/', None) == 'rsync://upstream/gentoo/'
    module = FakeModule({url: '-rw-r--r--     67,108,864 2026/11/25 08:00:00 gentoo-latest.tar.xz\n'},
                        rsync_password='s3cret-pw')
    assert bandwidth.choose_rsync_file(module, url) == (url, 67108864)
    assert module.environments == [{'RSYNC_PASSWORD': 's3cret-pw'}]
    assert not any('s3cret-pw' in arg for call in module.calls for arg in call)
    assert bandwidth.rsync_environment(FakeModule({})) == {}


def test_rsync_password_file_is_read_by_the_module_not_by_rsync(tmp_path):
    secret = tmp_path / 'rsync.password'
    secret.write_text('file-pw-42\n')
    module = FakeModule({}, rsync_password_file=str(secret))
    assert bandwidth.rsync_environment(module) == {'RSYNC_PASSWORD': 'file-pw-42'}
    assert not any(arg.startswith('--password-file') for arg in bandwidth.rsync_base_args(module))
    # an explicit password wins; a missing file is a clear error
    assert bandwidth.rsync_environment(FakeModule({}, rsync_password='x', rsync_password_file=str(secret))) == {
        'RSYNC_PASSWORD': 'x'}
    with pytest.raises(bandwidth.MeasureError, match='cannot read the rsync password file'):
        bandwidth.rsync_environment(FakeModule({}, rsync_password_file=str(tmp_path / 'missing')))


def test_choose_rsync_file_listing_budget():
    base = 'rsync://upstream/gentoo/'
    module = FakeModule({base: LIST_TOP, base + 'distfiles/': LIST_DISTFILES}, rsync_max_listings=2)
    url, size = bandwidth.choose_rsync_file(module, base)
    assert url == base + 'distfiles/layout.conf' and len(module.calls) == 2


def test_bandwidth_describe():
    result = {'min_mbit': 5.0, 'recommended_mbit': 100.0, 'measured_mbit': 1.91, 'url': 'http://m/x',
              'window_seconds': 9.0, 'warmup_discarded': True, 'warmup_seconds': 1.0,
              'verdict': 'below_minimum'}
    assert bandwidth.describe(result) == ('Measured 1.91 Mbit/s from http://m/x over 9.00 s (after a 1.00 s '
                                          'warm-up): below the minimum of 5 Mbit/s (min_mbit) that a Gentoo '
                                          'source mirror needs')
    result.update(verdict='below_recommended', measured_mbit=19.2)
    assert bandwidth.describe(result).endswith('below the recommended 100 Mbit/s (recommended_mbit), '
                                               'above the minimum of 5 Mbit/s')


def test_bandwidth_rejects_bad_scheme(monkeypatch):
    failed, result = run_module(bandwidth.main, {'url': 'ftp://mirror/x'}, monkeypatch)
    assert failed and 'http://, https:// or rsync://' in result['msg']


def test_connection_limits_names_the_unit_drop_in(monkeypatch, tmp_path):
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


# ---------------------------------------------------------------------------------------
# check mode: the modules only read and measure, so --check gives the very same answer


def test_disk_space_in_check_mode_reports_as_usual(monkeypatch, tmp_path):
    monkeypatch.setattr(disk_space.os, 'statvfs',
                        lambda p: StatVFS(4096, 4096, 1000 * 262144, 900 * 262144, 850 * 262144, 0, 0, 0))
    failed, result = run_module(disk_space.main, {'path': str(tmp_path), '_ansible_check_mode': True}, monkeypatch)
    assert not failed and not result['changed'] and result['passed'] and result['usable_gib'] >= 850
    assert 'skipped' not in result


def test_connection_limits_in_check_mode_reports_as_usual(monkeypatch, tmp_path):
    rsyncd = tmp_path / 'rsyncd.conf'
    rsyncd.write_text('[gentoo]\npath = /srv/gentoo\nmax connections = 20\nlock file = %s/l\n' % tmp_path)
    args = {'rsyncd_conf': str(rsyncd), 'http': False}
    plain = run_module(connection_limits.main, args, monkeypatch)
    checked = run_module(connection_limits.main, dict(args, _ansible_check_mode=True), monkeypatch)
    assert checked == plain and not checked[1]['changed'] and 'skipped' not in checked[1]


def test_bandwidth_in_check_mode_measures_for_real(monkeypatch, tmp_path):
    """A real HTTP server on 127.0.0.1 in this process; the module downloads from it in check mode."""
    import http.server
    import threading

    payload = b'x' * (8 << 20)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header('Content-Length', str(len(payload)))
            self.end_headers()
            for start in range(0, len(payload), 1 << 16):
                self.wfile.write(payload[start:start + (1 << 16)])

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(bandwidth, 'link_figures', lambda: {'link_speed_mbit': None, 'link_speeds': {}})
    try:
        failed, result = run_module(bandwidth.main, {
            'url': 'http://127.0.0.1:%d/big' % server.server_address[1], 'max_seconds': 3,
            'warmup_seconds': 0, 'min_mbit': 0.001, 'recommended_mbit': 0.002, '_ansible_check_mode': True,
        }, monkeypatch)
    finally:
        server.shutdown()
    assert not failed, result
    assert not result['changed'] and result['bytes'] > 0 and result['measured_mbit'] > 0
    assert result['verdict'] == 'ok'
