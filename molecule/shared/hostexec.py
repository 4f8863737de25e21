# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the scenarios' tests: commands in the test hosts through podman exec.

A scenario's tests import it with molecule/shared on sys.path (see their conftest.py).
"""

import re
import subprocess
import time

SECRET = "THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt"
SYNC_SUMMARY = re.compile(
    r"^(<\d>)?gentoo-mirror-sync: (success|failure|refused|interrupted|lock_stuck|already running)", re.M)


def sh(container, script, check=True, timeout=300):
    """Run a shell script in a test container through podman exec."""
    proc = subprocess.run(["podman", "exec", container, "sh", "-c", script], capture_output=True,
                          text=True, timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(
            "%s: %r failed (%d): %s%s" % (container, script, proc.returncode, proc.stdout, proc.stderr))
    return proc


def checksums(container, root, exclude=()):
    """sha256 of every regular file, symlink targets and directories, relative to root."""
    prune = "".join(" -path ./%s -prune -o" % p for p in exclude)
    script = (
        "cd %s && find .%s -type f ! -name %s -print0 | sort -z | xargs -0 -r sha256sum; "
        "find .%s -type l -printf 'link %%p -> %%l\\n' | sort; "
        "find .%s -type d -printf 'dir %%p\\n' | sort"
    ) % (root, prune, SECRET, prune, prune)
    return sh(container, script).stdout.splitlines()


def last_sync_journal(container):
    """What the last run of gentoo-mirror-sync.service logged (by its invocation id), once its
    summary line is in."""
    # By invocation id, or by the run's PID: journald tags a line with the invocation id from the
    # process's cgroup, which it cannot read any more when a short run (e.g. "already running")
    # has exited before journald got to its lines, as on a loaded machine.
    text = ""
    for dummy in range(20):
        text = sh(container, "journalctl --sync; journalctl --no-pager -o cat _SYSTEMD_INVOCATION_ID=$(systemctl "
                             "show -p InvocationID --value gentoo-mirror-sync.service) + _PID=$(systemctl show "
                             "-p ExecMainPID --value gentoo-mirror-sync.service) SYSLOG_IDENTIFIER=gentoo-mirror-sync"
                  ).stdout
        if SYNC_SUMMARY.search(text):
            break
        time.sleep(0.5)
    return text


# Pebble's issuing root, made when Pebble starts, from its management interface (shared/prepare_pebble.yml)
PEBBLE_ROOT_COMMAND = ("python3 -c \"import ssl, urllib.request; print(urllib.request.urlopen("
                       "'https://localhost:15000/roots/0', context=ssl.create_default_context("
                       "cafile='/etc/pebble/api-ca.pem'), timeout=10).read().decode())\"")


def pebble_root_pem(container):
    """Pebble's current issuing root certificate (PEM), read inside its test host."""
    pem = sh(container, PEBBLE_ROOT_COMMAND).stdout
    assert "BEGIN CERTIFICATE" in pem, pem
    return pem
