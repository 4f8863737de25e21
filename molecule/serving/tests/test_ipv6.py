# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""serving-mirror6 has IPv6 (gentoo_mirror_ipv6: true): nginx and rsyncd answer on both families.
Clients run inside the host (podman exec), on its global IPv6 and its IPv4 address."""

import re

from conftest import MIRROR6, nginx_config, sh

testinfra_hosts = [MIRROR6]

FETCH = ("python3 -c 'import sys, urllib.request; r = urllib.request.urlopen(sys.argv[1], timeout=30);"
         " print(r.status); print(r.read().decode())' ")


def addresses():
    out = sh(MIRROR6, "ip -o addr show dev eth0").stdout
    v4 = re.search(r"inet (\d+\.\d+\.\d+\.\d+)/", out).group(1)
    v6 = re.search(r"inet6 ([0-9a-f:]+)/\d+ scope global", out).group(1)
    return v4, v6


def test_host_has_global_ipv6():
    assert addresses()[1]


def test_nginx_listens_on_both_families():
    conf = nginx_config(MIRROR6)
    assert "listen 80 default_server;" in conf and "listen [::]:80 default_server;" in conf


def test_http_over_ipv4_and_ipv6():
    v4, v6 = addresses()
    for url in ("http://%s/releases/" % v4, "http://[%s]/releases/" % v6):
        out = sh(MIRROR6, FETCH + url).stdout
        assert out.startswith("200") and 'href="amd64/"' in out, url


def test_rsync_over_ipv4_and_ipv6():
    v4, v6 = addresses()
    for url in ("rsync://%s/gentoo/" % v4, "rsync://[%s]/gentoo/" % v6):
        out = sh(MIRROR6, "rsync --no-motd " + url).stdout
        assert "distfiles" in out and "snapshots" in out, url
    assert "address" not in sh(MIRROR6, "cat /etc/rsyncd.conf").stdout


def test_client_beyond_the_limit_gets_max_connections_error():
    """max connections = 2 here: two slow pulls hold the slots, a third is told so at once."""
    script = (
        "rm -rf /tmp/hold1 /tmp/hold2; "
        "timeout 30 rsync -a --bwlimit=64 rsync://127.0.0.1/gentoo/releases/ /tmp/hold1/ & "
        "timeout 30 rsync -a --bwlimit=64 rsync://127.0.0.1/gentoo/releases/ /tmp/hold2/ & "
        "sleep 3; timeout 20 rsync --no-motd rsync://127.0.0.1/gentoo/ > /tmp/third.out 2>&1; "
        "echo rc=$?; cat /tmp/third.out; kill %1 %2 2>/dev/null; wait"
    )
    out = sh(MIRROR6, script, check=False).stdout
    assert "rc=5" in out, out
    assert "@ERROR: max connections (2) reached -- try again later" in out
