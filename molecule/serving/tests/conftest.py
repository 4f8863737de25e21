# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the serving scenario: commands in the test hosts, HTTP and rsync clients on the machine."""

import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared"))
from hostexec import SECRET, sh  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

MIRROR = "serving-mirror"
MIRROR6 = "serving-mirror6"
ROOT = "/srv/gentoo"
HTTP_PORT = 28080
RSYNC_PORT = 28873
RSYNC_URL = "rsync://127.0.0.1:%d/gentoo/" % RSYNC_PORT
HIDDEN_TEXT = "hidden content must not be served"
SCENARIO_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(SCENARIO_DIR))
# The files the nginx role renders: nginx.conf and the mirror's servers it includes.
NGINX_FILES = "/etc/nginx/nginx.conf /etc/nginx/gentoo-mirror/sites.conf"


def nginx_config(container):
    """The nginx configuration the role rendered on container, all of its files."""
    return sh(container, "cat " + NGINX_FILES).stdout


def http_get(path, method="GET", headers=None, timeout=60, host="127.0.0.1", port=HTTP_PORT):
    """One HTTP request from the machine; returns (status, headers dict lower-cased, body bytes)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        conn.close()


def sha256_local(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rsync(*args, timeout=300):
    """The machine's rsync client."""
    return subprocess.run(["rsync", *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


def host_manifest(container, subdir=""):
    """{relative path: sha256} of the public regular files below ROOT/subdir on a test host."""
    script = (
        "cd %s/%s && find . \\( -name '.*' ! -name . \\) -prune -o -type f ! -name %s -print0"
        " | xargs -0 -r sha256sum" % (ROOT, subdir, SECRET)
    )
    out = sh(container, script).stdout
    result = {}
    for line in out.splitlines():
        digest, name = line.split("  ", 1)
        result[os.path.normpath(name)] = digest
    return result


def local_manifest(top):
    result = {}
    for dirpath, _dirs, files in os.walk(top):
        for name in files:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                continue
            result[os.path.relpath(full, top)] = sha256_local(full)
    return result


def ansible_playbook(playbook, hosts, extra_vars=None, timeout=900):
    """Run a playbook of this scenario with the installed collection, in a fresh process.

    hosts: {test host: its variables}; the hosts run in parallel. extra_vars apply to all.
    """
    bindir = os.path.dirname(sys.executable)
    exe = os.path.join(bindir, "ansible-playbook")
    if not os.path.exists(exe):
        exe = shutil.which("ansible-playbook")
    env = dict(os.environ)
    env.setdefault("ANSIBLE_COLLECTIONS_PATH", os.path.join(REPO, "build", "collections"))
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["ANSIBLE_NOCOLOR"] = "1"
    inventory = {"all": {"vars": {"ansible_connection": "containers.podman.podman",
                                  "ansible_python_interpreter": "/usr/bin/python3"},
                         "hosts": hosts}}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump(inventory, handle)
    try:
        args = [exe, "-i", handle.name, "-e", json.dumps(extra_vars or {}),
                os.path.join(SCENARIO_DIR, playbook)]
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env,
                              check=False)
    finally:
        os.unlink(handle.name)


@pytest.fixture(scope="session")
def big_file():
    """(path below ROOT, size, sha256) of the 64 MiB file of the fixture tree."""
    out = sh(MIRROR, "cd %s && find releases -type f -name '*.tar.xz' -size +60M -print0"
                     " | xargs -0 sha256sum && find releases -type f -name '*.tar.xz' -size +60M"
                     " -printf '%%s\\n'" % ROOT).stdout.split("\n")
    digest, name = out[0].split("  ", 1)
    return "/" + name, int(out[1]), digest


class HeldRequests:
    """count GETs of path sent one after the other, each on its own connection from the machine, and
    none read past its response headers, so that every 200 stays in progress on the server (a small
    receive buffer keeps nginx from finishing a large file) until close(). statuses[i], headers[i] and
    seconds[i] (from sending the request to its headers) of each."""

    def __init__(self, count, path, port=HTTP_PORT, context=None, server_hostname=None):
        import socket
        import time
        self.socks, self.statuses, self.headers, self.seconds = [], [], [], []
        try:
            for dummy in range(count):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.settimeout(30)
                sock.connect(("127.0.0.1", port))
                if context is not None:
                    sock = context.wrap_socket(sock, server_hostname=server_hostname)
                self.socks.append(sock)
                started = time.monotonic()
                sock.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n"
                              % (path, server_hostname or "127.0.0.1")).encode())
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = sock.recv(1024)
                    assert chunk, "the server closed the connection before its response headers"
                    head += chunk
                self.seconds.append(time.monotonic() - started)
                lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
                self.statuses.append(int(lines[0].split()[1]))
                self.headers.append({k.strip().lower(): v.strip()
                                     for k, v in (line.split(":", 1) for line in lines[1:])})
        except BaseException:
            self.close()
            raise

    def close(self):
        for sock in self.socks:
            try:
                sock.close()
            except OSError:
                pass
        self.socks = []
