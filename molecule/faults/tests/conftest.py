# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers of the faults scenario: commands in the test hosts, HTTP and rsync clients on the machine.

The mirror (faults-mirror.example.test) was converged by site.yml with HTTP, HTTPS (Pebble on
faults-pebble) and rsync, and synced from faults-upstream's module gentoo-auth with a login.
From the machine it is reached only through 127.0.0.1:19080 (HTTP), 19443 (HTTPS) and 19873
(rsync), or with podman exec.
"""

import hashlib
import http.client
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared"))
from hostexec import checksums, last_sync_journal, pebble_root_pem, sh  # noqa: E402,F401 pylint: disable=wrong-import-position,unused-import

MIRROR = "faults-mirror.example.test"
UPSTREAM = "faults-upstream"
PEBBLE = "faults-pebble"
HOSTNAME = MIRROR
ROOT = "/srv/gentoo"
UP_ROOT = "/srv/upstream/gentoo"
STATE = "/var/lib/gentoo-mirror"
USER = "gentoo-mirror"
PASSWORD = "mk-test-Pw-7319"
HTTP_PORT = 19080
HTTPS_PORT = 19443
RSYNC_URL = "rsync://127.0.0.1:19873/gentoo/"
PEBBLE_DIR = "https://faults-pebble:14000/dir"


def mirror(script, **kw):
    return sh(MIRROR, script, **kw)


def upstream(script, **kw):
    return sh(UPSTREAM, script, **kw)


def wait_until(what, predicate, seconds=60, step=0.5):
    """Poll predicate() until it returns something true; fail naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %d s waiting for %s" % (seconds, what))
        time.sleep(step)


def http_get(path, method="GET", timeout=30):
    """One HTTP request from the machine; returns (status, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=timeout)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def rsync_client(*args, timeout=120):
    """The machine's rsync client."""
    return subprocess.run(["rsync", *args], capture_output=True, text=True, timeout=timeout, check=False)


def status():
    return json.loads(mirror("cat %s/status.json" % STATE).stdout)


def metrics():
    return mirror("cat %s/gentoo_mirror_sync.prom" % STATE).stdout


def start_sync():
    """systemctl start the real service and wait for the oneshot; returns the process."""
    return mirror("systemctl start gentoo-mirror-sync.service", check=False, timeout=600)


def last_journal():
    return last_sync_journal(MIRROR)


def container_pid(name):
    return subprocess.run(["podman", "inspect", "-f", "{{.State.Pid}}", name], capture_output=True,
                          text=True, check=True).stdout.strip()


def shape_upstream(mbit):
    """Limit what the upstream sends to `mbit` Mbit/s (tc in its network namespace); None: no limit."""
    base = ["nsenter", "-t", container_pid(UPSTREAM), "-n", "tc", "qdisc"]
    subprocess.run(base + ["del", "dev", "eth0", "root"], capture_output=True, check=False)
    if mbit:
        subprocess.run(base + ["add", "dev", "eth0", "root", "tbf", "rate", "%dmbit" % mbit,
                               "burst", "32kbit", "latency", "400ms"], check=True)
        shown = subprocess.run(base + ["show", "dev", "eth0"], capture_output=True, text=True, check=True).stdout
        assert "tbf" in shown and ("rate %dMbit" % mbit) in shown, shown


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def main_pid(unit):
    return mirror("systemctl show -p MainPID --value %s" % unit).stdout.strip()


def repo_dir():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
