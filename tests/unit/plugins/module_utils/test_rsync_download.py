# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import rsync_download


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
    url, size = rsync_download.choose_rsync_file(module, 'rsync://upstream/gentoo/')
    assert url == base + 'snapshots/gentoo-latest.tar.xz' and size == 67108864
    assert '--list-only' in module.calls[0] and '--no-motd' in module.calls[0]


def test_choose_rsync_file_accepts_a_file_url():
    url = 'rsync://upstream/gentoo/snapshots/gentoo-latest.tar.xz'
    module = FakeModule({url: '-rw-r--r--     67,108,864 2026/11/25 08:00:00 gentoo-latest.tar.xz\n'})
    assert rsync_download.choose_rsync_file(module, url) == (url, 67108864)


def test_rsync_login_goes_to_the_url_and_the_environment_never_the_arguments():
    url = rsync_download.with_rsync_user('rsync://upstream/gentoo/snapshots/gentoo-latest.tar.xz', 'mirror42')
    assert url == 'rsync://mirror42@upstream/gentoo/snapshots/gentoo-latest.tar.xz'
    assert rsync_download.with_rsync_user('rsync://other@upstream/gentoo/', 'mirror42') == 'rsync://other@upstream/gentoo/'
    assert rsync_download.with_rsync_user('rsync://upstream/gentoo/', None) == 'rsync://upstream/gentoo/'
    module = FakeModule({url: '-rw-r--r--     67,108,864 2026/11/25 08:00:00 gentoo-latest.tar.xz\n'},
                        rsync_password='s3cret-pw')
    assert rsync_download.choose_rsync_file(module, url) == (url, 67108864)
    assert module.environments == [{'RSYNC_PASSWORD': 's3cret-pw'}]
    assert not any('s3cret-pw' in arg for call in module.calls for arg in call)
    assert rsync_download.rsync_environment(FakeModule({})) == {}


def test_rsync_password_file_is_read_by_the_module_not_by_rsync(tmp_path):
    secret = tmp_path / 'rsync.password'
    secret.write_text('file-pw-42\n')
    module = FakeModule({}, rsync_password_file=str(secret))
    assert rsync_download.rsync_environment(module) == {'RSYNC_PASSWORD': 'file-pw-42'}
    assert not any(arg.startswith('--password-file') for arg in rsync_download.rsync_base_args(module))
    # an explicit password wins; a missing file is a clear error
    assert rsync_download.rsync_environment(FakeModule({}, rsync_password='x', rsync_password_file=str(secret))) == {
        'RSYNC_PASSWORD': 'x'}
    with pytest.raises(rsync_download.MeasureError, match='cannot read the rsync password file'):
        rsync_download.rsync_environment(FakeModule({}, rsync_password_file=str(tmp_path / 'missing')))


def test_choose_rsync_file_listing_budget():
    base = 'rsync://upstream/gentoo/'
    module = FakeModule({base: LIST_TOP, base + 'distfiles/': LIST_DISTFILES}, rsync_max_listings=2)
    url, size = rsync_download.choose_rsync_file(module, base)
    assert url == base + 'distfiles/layout.conf' and len(module.calls) == 2


def test_stop_reason_from_the_samples():
    samples = rsync_download.Samples()
    samples.add(2.0, 500)
    assert rsync_download.stop_reason(samples, 1000, 10) == 'end_of_file'
    assert rsync_download.stop_reason(samples, 500, 10) == 'max_bytes'
    assert rsync_download.stop_reason(samples, 1000, 2) == 'max_seconds'


def test_measure_rsync_error_names_the_url_with_the_login():
    module = FakeModule({}, rsync_user='mirror42')
    module.run_command = lambda args, **kwargs: (5, '', '@ERROR: auth failed on module gentoo')
    with pytest.raises(rsync_download.MeasureError) as info:
        rsync_download.measure_rsync(module, 'rsync://upstream/gentoo/')
    assert info.value.url == 'rsync://mirror42@upstream/gentoo/'
    assert 'auth failed' in str(info.value)
