# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Answers shaped like what the verify role's task files register (ansible.builtin.uri,
ansible.builtin.command with the rsync client, ansible.builtin.slurp, the collection's
modules), for the tests of the judging units; base_raw() is a healthy mirror serving HTTP and
rsync."""

from __future__ import annotations

import base64
import json

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.layout import layout_path
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.judge import verify_evaluate
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.sample import distfiles_sample

NOW = 1795600000


LAYOUT_CONF = "[structure]\n0=filename-hash BLAKE2B 8\n"


NGINX_INDEX = """<html>
<head><title>Index of /releases/</title></head>
<body>
<h1>Index of /releases/</h1><hr><pre><a href="../">../</a>
<a href="amd64/">amd64/</a>                                             25-Nov-2026 09:00                   -
<a href="historical/">historical/</a>                                        25-Nov-2026 09:00                   -
<a href="foo%20bar%2B1.tar.gz">foo bar+1.tar.gz</a>                      25-Nov-2026 09:00               12345
<a href="a&amp;b.txt">a&amp;b.txt</a>                      25-Nov-2026 09:00               1
</pre><hr></body>
</html>
"""


APACHE_INDEX = """<table><tr><th><a href="?C=N;O=D">Name</a></th></tr>
<tr><td><a href="/gentoo/">Parent Directory</a></td></tr>
<tr><td><a href="prefix/">prefix/</a></td></tr>
<tr><td><a href='https://other.example/'>elsewhere</a></td></tr></table>"""


RSYNC_LIST = """Welcome to the mirror
drwxr-xr-x          4,096 2026/11/25 09:00:00 .
drwxr-xr-x          4,096 2026/11/25 09:00:00 distfiles
drwxr-xr-x          4,096 2026/11/25 09:00:00 experimental
-rw-r--r--         12,345 2026/11/25 09:00:00 name with spaces.tar.gz
lrwxrwxrwx             20 2026/11/25 09:00:00 latest -> gentoo-20261125.tar.xz
drwxr-xr-x          4,096 2026/11/25 09:00:00 releases
drwxr-xr-x          4,096 2026/11/25 09:00:00 snapshots
"""


def uri(status=200, content="", item=None, msg=None):
    result = {"status": status, "content": content, "changed": False}
    if msg is not None:
        result["msg"] = msg
    if item is not None:
        result["item"] = item
    return result


def listing_html(names):
    return "<pre><a href=\"../\">../</a>\n" + "".join('<a href="%s">%s</a>\n' % (n, n) for n in names) + "</pre>"


HTTP = {"protocol": "http", "url": "http://127.0.0.1:58081/", "validate_certs": False}


HTTPS = {"protocol": "https", "url": "https://mirror.example.org/", "validate_certs": True}


def settings(**over):
    base = {"hostname": "mirror.example.org", "web": [HTTP], "https": False, "rsync": True,
            "max_age_seconds": 6 * 3600, "cert_min_days": 14, "ca_bundle": "", "bandwidth": True,
            "limits": True, "min_connections": 15, "status_file": "/var/lib/gentoo-mirror/status.json"}
    base.update(over)
    return base


def slurped(text):
    return {"content": base64.b64encode(text.encode()).decode(), "encoding": "base64", "source": "x"}


def rows_for(raw, check, protocol=None):
    return [r for r in verify_evaluate(raw) if r["check"] == check and (protocol is None or r["protocol"] == protocol)]


def hashed_listing(names, via="http"):
    """Registered results of listing the hashed directories that hold ``names``."""
    dirs = {}
    for name in names:
        dirs.setdefault(layout_path(name).split("/")[0] + "/", []).append(name)
    results = []
    for directory, files in sorted(dirs.items()):
        if via == "http":
            results.append(uri(content=listing_html(files), item=directory))
        else:
            text = "".join("-rw-r--r--          1,024 2026/11/25 09:00:00 %s\n" % f for f in files)
            results.append({"rc": 0, "stdout": text, "stdout_lines": text.splitlines(), "item": directory})
    return {"results": results}


NAMES = ["pkg%05d-1.0.tar.gz" % i for i in range(12)]


def base_raw(**over):
    """What verify_checks.yml collects from a healthy mirror serving HTTP and rsync."""
    fresh = "%d\n" % (NOW - 1800)
    sample = distfiles_sample(hashed_listing(NAMES), LAYOUT_CONF, 4)
    status = {"result": "success", "end_timestamp": NOW - 1700, "start_timestamp": NOW - 1800,
              "duration_seconds": 100.0, "last_success_timestamp": NOW - 1700, "message": "",
              "consecutive_failures": 0}
    raw = {
        "now": NOW,
        "settings": settings(),
        "timestamp_web": {"results": [uri(content=fresh, item=HTTP)]},
        "timestamp_rsync": {"rc": 0, "stdout": "", "stderr": ""},
        "timestamp_rsync_file": slurped(fresh),
        "rsync_module": {"rc": 0, "stdout": RSYNC_LIST, "stdout_lines": RSYNC_LIST.splitlines()},
        "listings": {"results": [uri(content=NGINX_INDEX, item=[HTTP, d]) for d in ("experimental", "releases", "snapshots")]},
        "layout_conf": {"results": [uri(content=LAYOUT_CONF, item=HTTP)]},
        "sample": sample,
        "sample_fetch": {"results": [uri(content="", item=[HTTP, e]) for e in sample["files"]]},
        "certificate": {"skipped": True},
        "status": slurped(json.dumps(status)),
        "bandwidth_upstream": {"verdict": "ok", "measured_mbit": 940.2, "url": "rsync://up/gentoo/big", "seconds": 3.0, "msg": "m"},
        "bandwidth_client": {"verdict": "ok", "measured_mbit": 800.0, "url": "http://127.0.0.1:58081/big", "seconds": 3.0, "msg": "m"},
        "limits": {"verdict": "ok", "min_connections": 15, "protocols": {
            "http": {"enabled": True, "capacity": 2000, "verdict": "ok",
                     "limiting": {"directive": "worker_connections", "value": 1024, "file": "/etc/nginx/nginx.conf"},
                     "probe": {"attempted": 30, "served": 30, "unanswered": 0, "verdict": "ok"}},
            "rsync": {"enabled": True, "capacity": 1000, "verdict": "ok",
                      "limiting": {"directive": "max connections", "value": 1000, "file": "/etc/rsyncd.conf"}}}},
    }
    raw.update(over)
    return raw


def cert_raw(not_after, names=("DNS:mirror.example.org",), failed=False, msg=None):
    """The answer of mirrorkit.gentoo.tls_certificate in fetch mode."""
    cert = {"cert": "-----BEGIN CERTIFICATE-----", "not_after": not_after, "expired": False, "failed": failed,
            "verified": True, "verify_error": None,
            "subject_alt_name": list(names), "issuer": {"commonName": "Pebble Intermediate CA"}, "subject": {}}
    if msg:
        cert = {"failed": True, "msg": msg}
    return base_raw(settings=settings(web=[HTTP, HTTPS], https=True), certificate=cert)
