# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import probe


def test_http_status():
    assert probe.http_status(b'HTTP/1.1 200 OK\r\nServer: nginx') == 200
    assert probe.http_status(b'HTTP/1.1 503 Service') is None
    assert probe.http_status(b'HTTP/1.1 503 Service Unavailable\r\n') == 503
    assert probe.http_status(b'garbage\n') == -1


def test_http_request():
    assert probe.http_request('/x', 'm.example') .startswith(b'GET /x HTTP/1.1\r\nHost: m.example\r\n')


def test_rsync_reply():
    assert probe.rsync_reply(b'Welcome\n@RSYNCD: OK\n') == ('served', '@RSYNCD: OK')
    assert probe.rsync_reply(b'@RSYNCD: AUTHREQD abc\n')[0] == 'served'
    assert probe.rsync_reply(b'@ERROR: max connections (10) reached -- try again later\n') == (
        'refused', '@ERROR: max connections (10) reached -- try again later')
    assert probe.rsync_reply(b'motd line\n@RSYNCD: O') == (None, None)


def test_probe_unresolvable_host():
    result = probe.run_probe('http', 'no-such-host.invalid', 80, 5, 1)
    assert result['errors'] == 5 and result['served'] == 0 and 'cannot resolve' in result['sample_error']
