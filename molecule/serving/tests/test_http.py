# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""HTTP as a mirror client sees it, from the machine through 127.0.0.1:28080 (serving-mirror)."""

import hashlib
import http.client
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.parse

import pytest

from conftest import (HIDDEN_TEXT, MIRROR, MIRROR6, ROOT, SECRET, host_manifest, http_get, local_manifest,
                      nginx_config, sh)

testinfra_hosts = [MIRROR]


def hrefs(body):
    return {urllib.parse.unquote(h) for h in re.findall(r'href="([^"]+)"', body.decode())}


@pytest.mark.parametrize("directory", ["experimental", "releases", "snapshots", "distfiles", ""])
def test_listing_links_every_entry(directory):
    status, headers, body = http_get("/%s/" % directory if directory else "/")
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    out = sh(MIRROR, "cd %s/%s && for f in *; do if [ -d \"$f\" ] && [ ! -L \"$f\" ]; then echo \"$f/\";"
                     " else echo \"$f\"; fi; done" % (ROOT, directory)).stdout.split()
    expected = {name.rstrip("/") for name in out if name != SECRET}
    assert expected, "the fixture tree is empty"
    missing = expected - {h.rstrip("/") for h in hrefs(body)}
    assert not missing, "listing of /%s/ lacks %s" % (directory, sorted(missing)[:10])
    assert not any(h.startswith(".") and h != "../" for h in hrefs(body))


def test_listings_come_from_a_short_cache_and_follow_the_tree():
    conf = sh(MIRROR, "nginx -T 2>/dev/null").stdout
    assert "proxy_cache_valid 200 1s;" in conf
    name = "listing-cache-%d.txt" % time.time_ns()
    assert http_get("/experimental/")[0] == 200
    sh(MIRROR, "echo new > %s/experimental/%s" % (ROOT, name))
    try:
        # gentoo_mirror_nginx_listing_cache_seconds: 1 -> the new file is listed within a second or two
        started = time.monotonic()
        while name not in hrefs(http_get("/experimental/")[2]):
            assert time.monotonic() - started < 10, "a new file was still not listed after 10 s"
            time.sleep(0.2)
    finally:
        sh(MIRROR, "rm -f %s/experimental/%s" % (ROOT, name))
    # the listings were rendered into nginx's cache, not per request
    cached = sh(MIRROR, "find /var/cache/nginx/gentoo-mirror-listings -type f | wc -l").stdout
    assert int(cached) >= 1


def test_listing_cache_switched_off():
    # serving-mirror6 has gentoo_mirror_nginx_listing_cache_seconds: 0: nginx renders each listing
    conf = sh(MIRROR6, "nginx -T 2>/dev/null").stdout
    assert "proxy_cache" not in conf and "gentoo-mirror-listings" not in conf
    page = sh(MIRROR6, "python3 -c 'import urllib.request; print(urllib.request.urlopen("
                       "\"http://127.0.0.1/releases/\").read().decode())'").stdout
    assert 'href="' in page


def test_big_file_downloads_with_right_checksum(big_file):
    path, size, digest = big_file
    status, headers, body = http_get(path, timeout=120)
    assert status == 200
    assert len(body) == size == 64 * 1024 * 1024
    assert hashlib.sha256(body).hexdigest() == digest
    assert headers["content-type"] == "application/x-xz"
    assert headers.get("accept-ranges") == "bytes"


def test_range_request_resumes_download(big_file):
    path, size, digest = big_file
    cut = 10 * 1024 * 1024 + 12345
    # A download interrupted after `cut` bytes...
    status, _headers, body = http_get(path, headers={"Range": "bytes=0-%d" % (cut - 1)})
    assert status == 206 and len(body) == cut
    # ...resumed where it stopped.
    status, headers, rest = http_get(path, headers={"Range": "bytes=%d-" % cut}, timeout=120)
    assert status == 206
    assert headers["content-range"] == "bytes %d-%d/%d" % (cut, size - 1, size)
    assert hashlib.sha256(body + rest).hexdigest() == digest


@pytest.mark.parametrize("path,ctype", [
    ("/distfiles/layout.conf", "text/plain"),
    ("/distfiles/timestamp.mirmon", "text/plain"),
    ("/distfiles/timestamp.chk", "text/plain"),
    ("/snapshots/gentoo-latest.tar.xz", "application/x-xz"),
    ("/snapshots/gentoo-latest.tar.xz.gpgsig", "application/pgp-signature"),
])
def test_content_types(path, ctype):
    status, headers, _body = http_get(path, method="HEAD")
    assert status == 200
    assert headers["content-type"].split(";")[0] == ctype


def test_types_of_release_files():
    out = sh(MIRROR, "cd %s && find releases -name '*.DIGESTS' | head -1; find releases -name '*.asc'"
                     " | head -1" % ROOT).stdout.split()
    digests, asc = out
    assert http_get("/" + digests, method="HEAD")[1]["content-type"].split(";")[0] == "text/plain"
    assert http_get("/" + asc, method="HEAD")[1]["content-type"] == "application/pgp-signature"


@pytest.mark.parametrize("path", ["/distfiles/layout.conf", "/distfiles/timestamp.mirmon",
                                  "/distfiles/timestamp.chk"])
def test_short_cache_lifetime_for_files_of_every_sync(path):
    headers = http_get(path, method="HEAD")[1]
    assert headers["cache-control"] == "max-age=300"


def test_no_server_version():
    headers = http_get("/", method="HEAD")[1]
    assert headers["server"] == "nginx"


@pytest.mark.parametrize("path", [
    "/.hidden-file",
    "/distfiles/.hidden-file",
    "/releases/.~tmp~/partial.tar.xz",
    "/releases/.~tmp~/",  # directory URIs go through the listing cache
    "/experimental/etc-link/",
    "/" + SECRET,
    "/distfiles/" + SECRET,
    "/releases/passwd-link",
    "/releases/relative-passwd-link",
    "/experimental/etc-link/passwd",
    "/releases/../../../etc/passwd",
    "/releases/%2e%2e/%2e%2e/etc/passwd",
])
def test_not_served(path):
    status, _headers, body = http_get(path)
    assert status in (400, 403, 404)
    assert b"root:x:0:0" not in body
    assert HIDDEN_TEXT.encode() not in body


def test_files_exist_on_the_host():
    """The refusals above are the server's: the files are there."""
    sh(MIRROR, "test -f %(r)s/.hidden-file && test -f %(r)s/%(s)s && test -L %(r)s/releases/passwd-link"
               " && test -f %(r)s/releases/.~tmp~/partial.tar.xz" % {"r": ROOT, "s": SECRET})


def test_any_host_name_gets_the_mirror():
    status, _headers, body = http_get("/releases/", headers={"Host": "192.0.2.1"})
    assert status == 200 and b"amd64/" in body


def test_acme_challenge_served_from_webroot():
    token = "mirrorkit-test-token"
    sh(MIRROR, "echo challenge-answer > /var/www/gentoo-mirror-acme/.well-known/acme-challenge/%s"
       % token)
    try:
        status, _headers, body = http_get("/.well-known/acme-challenge/" + token)
        assert status == 200 and body == b"challenge-answer\n"
    finally:
        sh(MIRROR, "rm -f /var/www/gentoo-mirror-acme/.well-known/acme-challenge/" + token)


def test_30_concurrent_downloads_all_complete():
    """30 clients download at once (each paced so that all 30 are open together); bounded."""
    path = "/snapshots/gentoo-latest.tar.xz"
    digest = sh(MIRROR, "sha256sum %s%s" % (ROOT, path)).stdout.split()[0]
    clients = 30
    barrier = threading.Barrier(clients, timeout=60)
    results = [None] * clients

    def client(index):
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", 28080, timeout=60)
        try:
            barrier.wait()
            conn.request("GET", path)
            resp = conn.getresponse()
            started = time.monotonic()
            data = bytearray()
            while True:
                chunk = resp.read(128 * 1024)
                if not chunk:
                    break
                data += chunk
                time.sleep(0.1)
            results[index] = (resp.status, hashlib.sha256(data).hexdigest(), started,
                              time.monotonic())
        except Exception as exc:  # reported below with its client number
            results[index] = (repr(exc), None, None, None)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    begin = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert time.monotonic() - begin < 120
    failed = [(i, r) for i, r in enumerate(results) if r is None or r[0] != 200 or r[1] != digest]
    assert not failed, failed
    # Every response had started before the first one ended: 30 connections at the same time.
    assert max(r[2] for r in results) < min(r[3] for r in results)


def test_capacity_limits_add_up():
    conf = sh(MIRROR, "cat /etc/nginx/nginx.conf").stdout
    connections = int(re.search(r"worker_connections (\d+);", conf).group(1))
    nofile = int(re.search(r"worker_rlimit_nofile (\d+);", conf).group(1))
    cache = int(re.search(r"open_file_cache max=(\d+)", conf).group(1))
    # The clients served at once: 1000 over HTTP and 1000 over HTTPS, plus the reserve of 64; each
    # holds a socket and a file. Beyond them, room for a crowd that gets a 503 (a socket each), as
    # much as the host's open-files limit leaves.
    served = 2 * 1000 + 64
    assert connections > 4 * served
    assert nofile >= connections + served + cache
    assert nofile <= 16384  # the test host's hard limit
    assert sh(MIRROR, "systemctl show -p LimitNOFILE --value nginx").stdout.strip() == str(nofile)
    # What the running master and workers really got.
    limits = sh(MIRROR, "for p in $(grep -lx nginx /proc/[0-9]*/comm); do d=${p%/comm};"
                        " grep 'Max open files' $d/limits; done").stdout.splitlines()
    assert len(limits) >= 2
    assert all(line.split()[3] == line.split()[4] == str(nofile) for line in limits), limits


def nginx_threads(host):
    """Threads of each nginx process (master and workers) in host."""
    return [int(n) for n in sh(host, "for p in $(grep -lx nginx /proc/[0-9]*/comm); do ls ${p%/comm}/task | wc -l;"
                                     " done").stdout.split()]


def test_aio_threads_when_asked_for():
    # serving-mirror6 has gentoo_mirror_nginx_aio_threads: true; every worker runs a thread
    # pool beside its event loop
    assert "aio threads;" in sh(MIRROR6, "nginx -T 2>/dev/null").stdout
    assert max(nginx_threads(MIRROR6)) > 1, nginx_threads(MIRROR6)


def test_aio_threads_serve_whole_and_resumed_downloads():
    # With aio threads each sendfile(2) call (2 MiB at most) runs in the pool: a 20 MiB file takes
    # several of them, whole and resumed mid-chunk, and must arrive byte for byte.
    path = "/experimental/aio-threads-check.bin"
    sh(MIRROR6, "head -c 20971520 /dev/urandom > %s%s && chmod a+r %s%s" % (ROOT, path, ROOT, path))
    try:
        digest = sh(MIRROR6, "sha256sum %s%s" % (ROOT, path)).stdout.split()[0]
        out = sh(MIRROR6, "python3 - <<'EOF'\n"
                          "import hashlib, urllib.request\n"
                          "url = 'http://127.0.0.1%s'\n"
                          "whole = urllib.request.urlopen(url, timeout=60).read()\n"
                          "cut = 3 * 1024 * 1024 + 4321\n"
                          "head = urllib.request.urlopen(urllib.request.Request(\n"
                          "    url, headers={'Range': 'bytes=0-%%d' %% (cut - 1)}), timeout=60)\n"
                          "tail = urllib.request.urlopen(urllib.request.Request(\n"
                          "    url, headers={'Range': 'bytes=%%d-' %% cut}), timeout=60)\n"
                          "print(hashlib.sha256(whole).hexdigest(), head.status, tail.status,\n"
                          "      hashlib.sha256(head.read() + tail.read()).hexdigest())\n"
                          "EOF" % path).stdout.split()
    finally:
        sh(MIRROR6, "rm -f %s%s" % (ROOT, path))
    assert out == [digest, "206", "206", digest]


def test_static_serving_is_tuned_for_a_file_mirror():
    conf = sh(MIRROR, "nginx -T 2>/dev/null").stdout
    for directive in ("sendfile on;", "sendfile_max_chunk 2m;", "tcp_nopush on;", "open_file_cache max=",
                      "keepalive_timeout 20s;", "pcre_jit on;"):
        assert directive in conf, directive
    # gentoo_mirror_nginx_aio_threads is off by default: no thread pool beside the event loops
    assert "aio threads" not in conf
    assert nginx_threads(MIRROR) == [1] * len(nginx_threads(MIRROR)), nginx_threads(MIRROR)
    # keep-alive: two requests on one connection
    conn = http.client.HTTPConnection("127.0.0.1", 28080, timeout=30)
    try:
        for path in ("/distfiles/layout.conf", "/releases/"):
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200 and resp.getheader("Connection", "").lower() != "close"
        assert conn.sock is not None
    finally:
        conn.close()


def test_ipv4_only_on_a_host_without_ipv6():
    assert sh(MIRROR, "cat /proc/sys/net/ipv6/conf/all/disable_ipv6").stdout.strip() == "1"
    sh(MIRROR, "systemctl is-active nginx rsync")
    conf = nginx_config(MIRROR)
    assert "listen 80 default_server;" in conf
    assert "[::]" not in conf
    assert "address = 0.0.0.0" in sh(MIRROR, "cat /etc/rsyncd.conf").stdout
    # ... and it serves IPv4: every HTTP test above went through 127.0.0.1.
    assert http_get("/releases/")[0] == 200


def test_default_site_disabled():
    sh(MIRROR, "test ! -e /etc/nginx/sites-enabled/default")


def test_logs_written_and_rotated():
    http_get("/releases/?log-probe")
    deadline = time.monotonic() + 15  # access_log buffer=64k flush=5s
    while time.monotonic() < deadline:
        log = sh(MIRROR, "cat /var/log/nginx/gentoo-mirror.access.log").stdout
        if "GET /releases/?log-probe " in log:
            break
        time.sleep(1)
    assert "GET /releases/?log-probe " in log
    out = sh(MIRROR, "logrotate -d /etc/logrotate.d/nginx /etc/logrotate.d/gentoo-mirror-rsyncd 2>&1").stdout
    assert "/var/log/nginx/gentoo-mirror.access.log" in out
    assert "/var/log/rsyncd.log" in out
    sh(MIRROR, "systemctl is-enabled logrotate.timer")


def test_listing_usable_by_wget_recursive(tmp_path):
    """A mirroring tool that only follows the listing's links gets the whole directory."""
    if shutil.which("wget") is None:
        pytest.skip("wget is not installed on this machine")
    proc = subprocess.run(["wget", "-q", "-r", "-np", "-nH", "-e", "robots=off", "--tries=1",
                           "--timeout=30", "-P", str(tmp_path),
                           "http://127.0.0.1:28080/experimental/"],
                          capture_output=True, text=True, timeout=120, check=False)
    # 8: the server refused something, here the symlink that leaves the tree (403).
    assert proc.returncode in (0, 8), proc.stderr
    for dirpath, _dirs, files in os.walk(tmp_path):
        for name in files:
            if name.startswith("index.html"):
                os.unlink(os.path.join(dirpath, name))
    assert local_manifest(str(tmp_path / "experimental")) == host_manifest(MIRROR, "experimental")
    assert not (tmp_path / "experimental" / "etc-link").exists()


def test_listing_usable_by_lftp_mirror(tmp_path):
    """lftp's mirror command, which parses the listing page, gets the whole directory."""
    dest = tmp_path / "experimental"
    proc = subprocess.run(["lftp", "-c", "set net:max-retries 1; set net:timeout 30; set cmd:fail-exit no; "
                           "mirror --no-perms http://127.0.0.1:28080/experimental/ %s" % dest],
                          capture_output=True, text=True, timeout=120, check=False)
    assert local_manifest(str(dest)) == host_manifest(MIRROR, "experimental"), proc.stdout + proc.stderr
    # the listing names the symlink out of the tree, but nothing behind it is served: lftp may
    # make the directory, and gets nothing to put in it
    leaked = list((dest / "etc-link").rglob("*")) if (dest / "etc-link").exists() else []
    assert leaked == []
