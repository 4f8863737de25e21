# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Overload: requests beyond the configured clients, or beyond one address's share, get a 503 with
Retry-After at once; the others are served; the limits free up as soon as the crowd leaves."""

import json
import time

from conftest import MIRROR, MIRROR6, ROOT, HeldRequests, http_get, sh

testinfra_hosts = [MIRROR]

# Held inside a host: n GETs on connections of their own, none read past its headers.
HOLD_IN_HOST = r"""
import json, socket, sys, time
n, path = int(sys.argv[1]), sys.argv[2]
socks, out = [], []
for i in range(n):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(30)
    s.connect(("127.0.0.1", 80))
    socks.append(s)
    t = time.monotonic()
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(1024)
        if not chunk:
            break
        head += chunk
    lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = dict((k.strip().lower(), v.strip()) for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l))
    out.append([int(lines[0].split()[1]) if lines[0] else 0, headers.get("retry-after"), time.monotonic() - t])
for s in socks:
    s.close()
print(json.dumps(out))
"""


def served_again(path, container=None, deadline=15):
    """The limits free up once the held connections are gone: a request is served again."""
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if container is None:
            status = http_get(path, method="HEAD")[0]
        else:
            status = int(sh(container, "python3 -c 'import sys, urllib.request; print(urllib.request.urlopen("
                                       "urllib.request.Request(sys.argv[1], method=\"HEAD\")).status)'"
                                       " http://127.0.0.1%s || echo 503" % path).stdout.split()[-1])
        if status == 200:
            return True
        time.sleep(0.5)
    return False


def test_one_address_gets_its_share_then_a_fast_503(big_file):
    # gentoo_mirror_nginx_per_client_connections: 64 (the default); the machine's connections all
    # reach serving-mirror from one address.
    path = big_file[0]
    conf = sh(MIRROR, "nginx -T 2>/dev/null").stdout
    assert "limit_conn gentoo_mirror_per_client 64;" in conf
    held = HeldRequests(70, path)
    try:
        assert held.statuses == [200] * 64 + [503] * 6, held.statuses
        for headers, seconds in zip(held.headers[64:], held.seconds[64:]):
            assert headers["retry-after"] == "60"
            assert headers["x-content-type-options"] == "nosniff"
            assert seconds < 2, held.seconds
    finally:
        held.close()
    assert served_again(path), "the address was still refused 15 s after its connections closed"


def test_beyond_the_configured_clients_a_fast_503_and_per_client_limit_off():
    # serving-mirror6: gentoo_mirror_max_connections: 100 and
    # gentoo_mirror_nginx_per_client_connections: 0: one address may take all 100, the 101st
    # request in progress is refused.
    conf = sh(MIRROR6, "nginx -T 2>/dev/null").stdout
    assert "limit_conn gentoo_mirror_capacity 100;" in conf
    assert "gentoo_mirror_per_client" not in conf
    path = "/experimental/overload-check.bin"
    sh(MIRROR6, "head -c 20971520 /dev/urandom > %s%s && chmod a+r %s%s" % (ROOT, path, ROOT, path))
    try:
        sh(MIRROR6, "cat > /tmp/hold.py <<'EOF'\n%s\nEOF" % HOLD_IN_HOST)
        out = json.loads(sh(MIRROR6, "python3 /tmp/hold.py 110 %s" % path).stdout)
        statuses = [status for status, dummy, dummy in out]
        assert statuses == [200] * 100 + [503] * 10, statuses
        assert all(retry == "60" and seconds < 2 for status, retry, seconds in out[100:]), out[100:]
        assert served_again(path, MIRROR6)
    finally:
        sh(MIRROR6, "rm -f %s%s /tmp/hold.py" % (ROOT, path))
