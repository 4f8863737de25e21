# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bandwidth module end to end."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.modules import bandwidth


def test_bandwidth_rejects_bad_scheme(monkeypatch, run_module):
    failed, result = run_module(bandwidth.main, {'url': 'ftp://mirror/x'}, monkeypatch)
    assert failed and 'http://, https:// or rsync://' in result['msg']


def test_bandwidth_in_check_mode_measures_for_real(monkeypatch, tmp_path, run_module):
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
