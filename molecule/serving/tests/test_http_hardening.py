# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a hostile client or hostile upstream content could do over HTTP, and what nginx does instead:
methods other than GET and HEAD, multi-range amplification, script in files from upstream, symlinks."""

import socket
import time

import pytest

from conftest import MIRROR, ROOT, http_get, sh

testinfra_hosts = [MIRROR]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PROPFIND"])
@pytest.mark.parametrize("path", ["/releases/", "/distfiles/layout.conf", "/"])
def test_only_get_and_head_reach_the_tree(method, path):
    status, headers, _body = http_get(path, method=method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


def test_slow_request_body_is_neither_read_nor_proxied():
    """A POST to a listing with a body trickling in chunk by chunk: answered 405 at once, and the
    connection is closed within nginx's lingering_time (10 s), not held while the body comes."""
    sock = socket.create_connection(("127.0.0.1", 28080), timeout=30)
    try:
        started = time.monotonic()
        sock.sendall(b"POST /releases/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        sock.settimeout(0.3)
        response, answered, closed = b"", None, None
        while time.monotonic() - started < 25 and closed is None:
            try:
                sock.sendall(b"1\r\nx\r\n")
                data = sock.recv(4096)
                if not data:
                    closed = time.monotonic() - started
                response += data
                if answered is None and b"\r\n\r\n" in response:
                    answered = time.monotonic() - started
            except socket.timeout:
                pass
            except OSError:
                closed = time.monotonic() - started
            time.sleep(0.5)
    finally:
        sock.close()
    assert response.startswith(b"HTTP/1.1 405 "), response[:100]
    assert answered is not None and answered < 2, answered
    assert closed is not None and closed < 15, closed


def test_many_ranges_get_no_more_than_the_file():
    """800 one-byte ranges: not a multipart response 12 times the request's size, but the file."""
    path = "/distfiles/layout.conf"
    size = int(sh(MIRROR, "stat -c %%s %s%s" % (ROOT, path)).stdout)
    ranges = "bytes=" + ",".join("%d-%d" % (i % size, i % size) for i in range(800))
    status, headers, body = http_get(path, headers={"Range": ranges})
    assert status == 200 and len(body) == size
    assert "multipart" not in headers["content-type"]
    # one range still resumes a download
    status, headers, body = http_get(path, headers={"Range": "bytes=3-9"})
    assert status == 206 and len(body) == 7


@pytest.mark.parametrize("name,ctype", [("page.html", "text/html"), ("image.svg", "image/svg+xml")])
def test_upstream_html_and_svg_cannot_script_the_mirror(name, ctype):
    """A page and an image with script in them, as upstream could send: served with their types,
    but browsers must not sniff and must run them sandboxed, with nothing to load or run."""
    body = ("<html><script>alert(document.domain)</script></html>" if name.endswith(".html") else
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>')
    sh(MIRROR, "printf '%%s' '%s' > %s/distfiles/%s" % (body, ROOT, name))
    try:
        status, headers, _body = http_get("/distfiles/" + name)
    finally:
        sh(MIRROR, "rm -f %s/distfiles/%s" % (ROOT, name))
    assert status == 200 and headers["content-type"].startswith(ctype)
    assert headers["x-content-type-options"] == "nosniff"
    policy = [part.strip() for part in headers["content-security-policy"].split(";")]
    assert "default-src 'none'" in policy and "sandbox" in policy


@pytest.mark.parametrize("path", ["/", "/releases/", "/distfiles/layout.conf", "/no-such-file",
                                  "/.hidden-file"])
def test_every_page_a_browser_renders_carries_the_content_policy(path):
    headers = http_get(path)[1]
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]


def test_archives_go_without_the_policy_headers():
    """Archives and signatures are only downloaded by browsers: their answers carry no header bytes
    that cost requests/s (docs/performance.md)."""
    for path in ("/snapshots/gentoo-latest.tar.xz", "/snapshots/gentoo-latest.tar.xz.gpgsig"):
        headers = http_get(path, method="HEAD")[1]
        assert "x-content-type-options" not in headers and "content-security-policy" not in headers


def test_symlinks_within_the_tree_are_served():
    """Links the tree's writer made within the tree are served as rsync serves them."""
    status, _headers, body = http_get("/snapshots/current.tar.xz")
    assert status == 200
    assert body == http_get("/snapshots/gentoo-latest.tar.xz")[2]
    status, _headers, body = http_get("/releases/current-autobuilds/")
    assert status == 200 and b"href=" in body
    # ... while the links of the same owner that leave the tree are refused (test_not_served)
    sh(MIRROR, "test \"$(stat -c %%U %(r)s/releases/passwd-link)\" = gentoo-mirror"
               " && test \"$(stat -c %%U %(r)s/releases/relative-passwd-link)\" = gentoo-mirror" % {"r": ROOT})
    for path in ("/releases/passwd-link", "/releases/relative-passwd-link", "/experimental/etc-link/passwd"):
        status, _headers, body = http_get(path)
        assert status in (403, 404) and b"root:x:0:0" not in body
