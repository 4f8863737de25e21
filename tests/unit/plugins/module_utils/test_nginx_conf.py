# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import nginx_conf


def test_split_and_includes(debian_nginx_dump):
    conf = nginx_conf.load(debian_nginx_dump)
    assert conf['main_file'] == '/etc/nginx/nginx.conf'
    assert conf['files'][1] == '/etc/nginx/modules-enabled/50-mod-http-echo.conf'
    http = [d for d in conf['tree'] if d['name'] == 'http'][0]
    names = [d['name'] for d in http['block']]
    # mime.types and the site were pulled in where they were included.
    assert names.index('types') < names.index('limit_conn_zone') < names.index('server')
    assert [d for d in conf['tree'] if d['name'] == 'load_module'][0]['file'].endswith('50-mod-http-echo.conf')


def test_summarize_tracks_files_and_lines(debian_nginx_dump):
    s = nginx_conf.summarize(nginx_conf.load(debian_nginx_dump))
    assert s['worker_processes'] == {'file': '/etc/nginx/nginx.conf', 'line': 2, 'value': 'auto'}
    assert s['worker_connections'] == {'file': '/etc/nginx/nginx.conf', 'line': 7, 'value': 768}
    assert s['worker_rlimit_nofile'] is None
    # 80 and 0.0.0.0:80 are one socket; [::]:80 and 127.0.0.1:8080 are others.
    assert s['listen'] == ['*:80', '127.0.0.1:8080', '[::]:80']
    perip, perserver = s['limit_conn']
    assert perip['per_client'] and perip['value'] == 4 and perip['line'] == 6
    assert not perserver['per_client'] and perserver['key'] == '$server_name'
    assert perserver['file'] == '/etc/nginx/sites-enabled/gentoo-mirror'
    assert perserver['context'] == 'http/server/location'


def test_tokenizer_quotes_comments_escapes():
    toks = [t[0] for t in nginx_conf.tokenize('a "b c;" \'d}\' e\\;f; # g {\nh;')]
    assert toks == ['a', 'b c;', 'd}', 'e\\;f', ';', 'h', ';']


def test_parse_errors(nginx_dump):
    with pytest.raises(nginx_conf.NginxParseError):
        nginx_conf.load('nginx: the configuration file syntax is ok\n')
    with pytest.raises(nginx_conf.NginxParseError):
        nginx_conf.load(nginx_dump('events {\n'))
    with pytest.raises(nginx_conf.NginxParseError):
        nginx_conf.load(nginx_dump('}\n'))


def test_relative_include(nginx_dump):
    text = nginx_dump('include snippets/*.conf;\nevents {}\n',
                      '\n# configuration file /etc/nginx/snippets/w.conf:\nworker_processes 3;\n')
    s = nginx_conf.summarize(nginx_conf.load(text))
    assert s['worker_processes']['value'] == '3'
    assert s['worker_processes']['file'] == '/etc/nginx/snippets/w.conf'


def test_normalize_listen():
    assert nginx_conf.normalize_listen('80') == '*:80'
    assert nginx_conf.normalize_listen('*:443') == '*:443'
    assert nginx_conf.normalize_listen('[::]:80') == '[::]:80'
    assert nginx_conf.normalize_listen('[::1]') == '[::1]:80'
    assert nginx_conf.normalize_listen('10.0.0.1') == '10.0.0.1:80'
    assert nginx_conf.normalize_listen('unix:/run/x.sock') == 'unix:/run/x.sock'
