# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import nginx_conf

# As Debian 12's nginx -T prints it (shortened): the main file first, then the included files.
DEBIAN = """# configuration file /etc/nginx/nginx.conf:
user www-data;
worker_processes auto;
pid /run/nginx.pid;
include /etc/nginx/modules-enabled/*.conf;

events {
\tworker_connections 768;
\t# multi_accept on;
}

http {
\tsendfile on;
\ttcp_nopush on;
\tinclude /etc/nginx/mime.types;
\tdefault_type application/octet-stream;
\tlog_format main '$remote_addr "$request" {braces; in quotes}';
\tinclude /etc/nginx/conf.d/*.conf;
\tinclude /etc/nginx/sites-enabled/*;
}

# configuration file /etc/nginx/modules-enabled/50-mod-http-echo.conf:
load_module modules/ngx_http_echo_module.so;

# configuration file /etc/nginx/mime.types:

types {
    text/html                                        html htm shtml;
    application/octet-stream                         bin exe dll;
}

# configuration file /etc/nginx/conf.d/limits.conf:
limit_conn_zone $binary_remote_addr zone=perip:10m;
limit_conn_zone $server_name zone=perserver:10m;

# configuration file /etc/nginx/sites-enabled/gentoo-mirror:
server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name mirror.example.org;
    root /srv/gentoo;
    limit_conn perip 4;
    location /distfiles/ {
        limit_conn perserver 500;
    }
}
server {
    listen 0.0.0.0:80;
    listen 127.0.0.1:8080;
    server_name other.example.org;
}
"""


def test_split_and_includes():
    conf = nginx_conf.load(DEBIAN)
    assert conf['main_file'] == '/etc/nginx/nginx.conf'
    assert conf['files'][1] == '/etc/nginx/modules-enabled/50-mod-http-echo.conf'
    http = [d for d in conf['tree'] if d['name'] == 'http'][0]
    names = [d['name'] for d in http['block']]
    # mime.types and the site were pulled in where they were included.
    assert names.index('types') < names.index('limit_conn_zone') < names.index('server')
    assert [d for d in conf['tree'] if d['name'] == 'load_module'][0]['file'].endswith('50-mod-http-echo.conf')


def test_summarize_tracks_files_and_lines():
    s = nginx_conf.summarize(nginx_conf.load(DEBIAN))
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


def test_capacity_limited_by_open_files():
    s = nginx_conf.summarize(nginx_conf.load(DEBIAN))
    nofile = {'value': 1024, 'source': 'running nginx, pid 7', 'file': '/usr/lib/systemd/system/nginx.service',
              'directive': 'LimitNOFILE'}
    c = nginx_conf.capacity(s, nproc=2, nofile=nofile, file_max=9223372036854775807)
    # per worker: min(768 - 3, (1024 - 3 - 10) // 2 = 505)
    assert c['workers'] == 2 and c['capacity'] == 500
    # ... but limit_conn perserver 500 is lower than 2 x 505 = 1010
    assert c['limiting']['directive'] == 'limit_conn'
    fd = [x for x in c['candidates'] if x['directive'] == 'LimitNOFILE'][0]
    assert fd['capacity'] == 1010 and fd['file'] == '/usr/lib/systemd/system/nginx.service'


def _dump(main, extra=''):
    return '# configuration file /etc/nginx/nginx.conf:\n' + main + extra


def test_capacity_limited_by_worker_connections():
    text = _dump('worker_processes 1;\nevents {\n  worker_connections 12;\n}\nhttp { server { listen 80; } }\n')
    c = nginx_conf.capacity(nginx_conf.summarize(nginx_conf.load(text)), nproc=8,
                            nofile={'value': 1024, 'source': 'x'})
    assert c['capacity'] == 11
    assert c['limiting']['directive'] == 'worker_connections'
    assert (c['limiting']['file'], c['limiting']['line']) == ('/etc/nginx/nginx.conf', 3)
    assert c['limiting']['explanation'] == '1 worker process x (worker_connections 12 - 1 listening socket)'


def test_capacity_defaults_and_worker_rlimit_nofile():
    text = _dump('worker_processes 4;\nworker_rlimit_nofile 40;\nevents {}\nhttp { server { } }\n')
    c = nginx_conf.capacity(nginx_conf.summarize(nginx_conf.load(text)), nproc=1,
                            nofile={'value': 100000, 'source': 'ignored'})
    # server without listen -> *:80; (40 - 1 - 10) // 2 = 14 per worker
    assert c['listen_sockets'] == ['*:80']
    assert c['capacity'] == 56
    assert c['limiting']['directive'] == 'worker_rlimit_nofile' and c['limiting']['line'] == 2
    text = _dump('events {}\nhttp { server { listen 80; } }\n')
    c = nginx_conf.capacity(nginx_conf.summarize(nginx_conf.load(text)), nproc=3)
    assert c['worker_connections'] == 512 and c['workers'] == 1
    assert c['limiting']['default'] and c['limiting']['file'] is None
    assert c['capacity'] == 511 and c['nofile'] is None


def test_capacity_file_max():
    text = _dump('events { worker_connections 4096; }\nhttp { server { listen 80; } }\n')
    c = nginx_conf.capacity(nginx_conf.summarize(nginx_conf.load(text)), nproc=1, file_max=100)
    assert c['capacity'] == 50 and c['limiting']['directive'] == 'fs.file-max'


def test_tokenizer_quotes_comments_escapes():
    toks = [t[0] for t in nginx_conf.tokenize('a "b c;" \'d}\' e\\;f; # g {\nh;')]
    assert toks == ['a', 'b c;', 'd}', 'e\\;f', ';', 'h', ';']


def test_parse_errors():
    with pytest.raises(nginx_conf.NginxParseError):
        nginx_conf.load('nginx: the configuration file syntax is ok\n')
    with pytest.raises(nginx_conf.NginxParseError):
        nginx_conf.load(_dump('events {\n'))
    with pytest.raises(nginx_conf.NginxParseError):
        nginx_conf.load(_dump('}\n'))


def test_relative_include():
    text = _dump('include snippets/*.conf;\nevents {}\n',
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


def test_systemd_and_proc_limits():
    show = 'LimitNOFILE=524288\nLimitNOFILESoft=1024\nMainPID=812\nFragmentPath=/lib/systemd/system/nginx.service\n'
    parsed = nginx_conf.parse_systemctl_show(show)
    assert parsed['LimitNOFILESoft'] == '1024' and parsed['MainPID'] == '812'
    assert nginx_conf.parse_limit('infinity') is None and nginx_conf.parse_limit('65536') == 65536
    limits = ('Limit                     Soft Limit           Hard Limit           Units\n'
              'Max processes             4096                 4096                 processes\n'
              'Max open files            1024                 524288               files\n')
    assert nginx_conf.parse_proc_limits(limits) == (1024, 524288)
    assert nginx_conf.parse_proc_limits('') == (None, None)


def test_unit_setting_file():
    texts = [('/lib/systemd/system/nginx.service', '[Service]\nLimitNOFILE=1024\n'),
             ('/etc/systemd/system/nginx.service.d/a.conf', '[Service]\nNice=5\n'),
             ('/etc/systemd/system/nginx.service.d/b.conf', '[Service]\nLimitNOFILE=65536\n')]
    assert nginx_conf.unit_setting_file(texts) == '/etc/systemd/system/nginx.service.d/b.conf'
    assert nginx_conf.unit_setting_file(texts[1:2]) is None
    assert nginx_conf.unit_setting_file([('/etc/systemd/system.conf', '#DefaultLimitNOFILE=1024:524288\n')],
                                        'DefaultLimitNOFILE') is None


def test_open_file_cache_counts_against_open_files():
    text = _dump('worker_processes 2;\nworker_rlimit_nofile 3192;\nevents { worker_connections 1064; }\n'
                 'http {\n  open_file_cache max=1000 inactive=60s;\n  server { listen 80; '
                 'location /x { open_file_cache off; } }\n}\n')
    s = nginx_conf.summarize(nginx_conf.load(text))
    assert s['open_file_cache'] == {'file': '/etc/nginx/nginx.conf', 'line': 5, 'value': 1000}
    c = nginx_conf.capacity(s, nproc=1)
    # connections: 1064 - 1 = 1063; descriptors: (3192 - 1 - 10 - 1000) // 2 = 1090
    assert c['open_file_cache'] == 1000
    assert c['capacity'] == 2 * 1063 and c['limiting']['directive'] == 'worker_connections'
    fd = [x for x in c['candidates'] if x['directive'] == 'worker_rlimit_nofile'][0]
    assert fd['per_worker'] == 1090 and '- 1000 open_file_cache' in fd['explanation']
