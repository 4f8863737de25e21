# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import http.server
import threading

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import http_download
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.throughput import MeasureError

PAYLOAD = b'x' * (4 << 20)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path != '/big':
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(PAYLOAD)))
        self.end_headers()
        for start in range(0, len(PAYLOAD), 1 << 16):
            self.wfile.write(PAYLOAD[start:start + (1 << 16)])

    def log_message(self, *args):
        pass


class FakeModule(object):
    def __init__(self, **params):
        self.params = dict(timeout=5, validate_certs=True, ca_path=None, max_bytes=1 << 30, max_seconds=10)
        self.params.update(params)


@pytest.fixture(scope='module')
def server_url():
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield 'http://127.0.0.1:%d' % server.server_address[1]
    server.shutdown()


def test_reads_to_the_end_of_the_file(server_url):
    url, samples, stopped_by = http_download.download_http(FakeModule(), server_url + '/big')
    assert url == server_url + '/big' and stopped_by == 'end_of_file'
    assert samples.total_bytes == len(PAYLOAD) and samples.points[0] == (0.0, 0)


def test_stops_at_the_byte_budget(server_url):
    dummy_url, samples, stopped_by = http_download.download_http(FakeModule(max_bytes=1 << 20), server_url + '/big')
    assert stopped_by == 'max_bytes' and (1 << 20) <= samples.total_bytes < len(PAYLOAD)


def test_a_failed_request_is_a_measure_error(server_url):
    with pytest.raises(MeasureError, match='downloading %s/missing failed' % server_url):
        http_download.download_http(FakeModule(), server_url + '/missing')
