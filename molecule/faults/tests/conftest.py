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
import re
import subprocess
import time

MIRROR = "faults-mirror.example.test"
UPSTREAM = "faults-upstream"
PEBBLE = "faults-pebble"
HOSTNAME = MIRROR
ROOT = "/srv/gentoo"
UP_ROOT = "/srv/upstream/gentoo"
STATE = "/var/lib/gentoo-mirror"
USER = "gentoo-mirror"
PASSWORD = "mk-test-Pw-7319"
SECRET = "THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt"
HTTP_PORT = 19080
HTTPS_PORT = 19443
RSYNC_URL = "rsync://127.0.0.1:19873/gentoo/"
PEBBLE_DIR = "https://faults-pebble:14000/dir"
SUMMARY = re.compile(r"^(<\d>)?gentoo-mirror-sync: (success|failure|refused|interrupted|already running)", re.M)


def sh(container, script, check=True, timeout=300):
    """Run a shell script in a test container through podman exec."""
    proc = subprocess.run(["podman", "exec", container, "sh", "-c", script], capture_output=True,
                          text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(
            "%s: %r failed (%d): %s%s" % (container, script, proc.returncode, proc.stdout, proc.stderr))
    return proc


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


def checksums(container, root, exclude=()):
    """sha256 of every regular file, symlink targets and directories, relative to root."""
    prune = "".join(" -path ./%s -prune -o" % p for p in exclude)
    script = (
        "cd %s && find .%s -type f ! -name %s -print0 | sort -z | xargs -0 -r sha256sum; "
        "find .%s -type l -printf 'link %%p -> %%l\\n' | sort; "
        "find .%s -type d -printf 'dir %%p\\n' | sort"
    ) % (root, prune, SECRET, prune, prune)
    return sh(container, script).stdout.splitlines()


def status():
    return json.loads(mirror("cat %s/status.json" % STATE).stdout)


def metrics():
    return mirror("cat %s/gentoo_mirror_sync.prom" % STATE).stdout


def start_sync():
    """systemctl start the real service and wait for the oneshot; returns the process."""
    return mirror("systemctl start gentoo-mirror-sync.service", check=False, timeout=600)


def last_journal():
    """What the last run of the service logged (by its invocation id), once its summary is in."""
    text = ""
    for dummy in range(20):
        text = mirror("journalctl --sync; journalctl --no-pager -o cat _SYSTEMD_INVOCATION_ID=$(systemctl show "
                      "-p InvocationID --value gentoo-mirror-sync.service)").stdout
        if SUMMARY.search(text):
            break
        time.sleep(0.5)
    return text


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


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def main_pid(unit):
    return mirror("systemctl show -p MainPID --value %s" % unit).stdout.strip()


def repo_dir():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
