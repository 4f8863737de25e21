# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""nginx -T output shared by the tests of nginx_conf (parsing) and nginx_sizing (capacity)."""

from __future__ import annotations

import pytest

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


@pytest.fixture
def debian_nginx_dump():
    """nginx -T as Debian 12's nginx prints it (shortened)."""
    return DEBIAN


@pytest.fixture
def nginx_dump():
    """nginx -T output of one main file (and ``extra``, further files)."""
    def dump(main, extra=''):
        return '# configuration file /etc/nginx/nginx.conf:\n' + main + extra
    return dump
