# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""rsync as a mirror client sees it, from the machine through 127.0.0.1:28873 (serving-mirror)."""

import os
import subprocess
import time

import pytest

from conftest import (HIDDEN_TEXT, MIRROR, ROOT, RSYNC_URL, SECRET, host_manifest,
                      local_manifest, rsync, sh)

testinfra_hosts = [MIRROR]


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    """The whole module, pulled the way a downstream mirror pulls it."""
    dest = tmp_path_factory.mktemp("pull")
    proc = rsync("-aH", "--delete", "--delay-updates", "--timeout=120", RSYNC_URL, str(dest) + "/")
    assert proc.returncode == 0, proc.stderr
    return dest


def test_module_list_and_motd():
    proc = rsync("rsync://127.0.0.1:28873/")
    assert proc.returncode == 0, proc.stderr
    assert "gentoo" in proc.stdout.split()
    assert "Gentoo source mirror serving-mirror.example.test" in proc.stdout
    assert "mirror-admin@example.test" in proc.stdout


def test_module_top_listing():
    proc = rsync("--no-motd", RSYNC_URL)
    assert proc.returncode == 0, proc.stderr
    names = {line.split()[-1] for line in proc.stdout.splitlines() if line.strip()}
    assert {"distfiles", "experimental", "releases", "snapshots"} <= names
    assert SECRET not in names and ".hidden-file" not in names


def test_daemon_settings_as_the_policy_and_manual_ask(pulled):
    conf = sh(MIRROR, "cat /etc/rsyncd.conf").stdout
    settings = {}
    for line in conf.splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    assert int(settings["max connections"]) >= 30  # policy: 30 or more preferred
    assert settings["timeout"] == "600" and settings["reverse lookup"] == "no"
    assert settings["use chroot"] == "yes" and settings["read only"] == "yes"
    assert settings["lock file"] and settings["transfer logging"] == "yes"
    # the pull above is in the transfer log, file by file
    log = sh(MIRROR, "cat %s" % settings["log file"]).stdout
    assert "send" in log and "distfiles/layout.conf" in log


def test_pull_is_identical_to_the_tree(pulled):
    expected = host_manifest(MIRROR)
    assert len(expected) > 2000
    assert local_manifest(str(pulled)) == expected


def test_pull_keeps_hard_links(pulled):
    latest = os.stat(pulled / "snapshots" / "gentoo-latest.tar.xz")
    assert latest.st_nlink == 2


def test_hidden_and_not_public_files_not_sent(pulled):
    for dirpath, dirs, files in os.walk(pulled):
        for name in dirs + files:
            assert not name.startswith("."), os.path.join(dirpath, name)
            assert name != SECRET, os.path.join(dirpath, name)
    proc = rsync(RSYNC_URL + ".hidden-file", "/dev/null")
    assert proc.returncode != 0 and HIDDEN_TEXT not in proc.stdout


def test_symlink_out_of_the_tree_not_followed(pulled, tmp_path):
    # Sent as what it is, a symlink (the text "/etc/passwd"), never the content it points to.
    link = pulled / "releases" / "passwd-link"
    assert os.path.islink(link) and os.readlink(link) == "/etc/passwd"
    # A client that asks the daemon to follow links gets nothing: the module is chrooted.
    proc = rsync("-L", RSYNC_URL + "releases/passwd-link", str(tmp_path / "passwd"))
    assert proc.returncode != 0
    assert not (tmp_path / "passwd").exists()
    proc = rsync("-rL", RSYNC_URL + "experimental/etc-link/", str(tmp_path / "etc") + "/")
    assert not (tmp_path / "etc" / "passwd").exists()


def test_upload_refused(tmp_path):
    upload = tmp_path / "uploaded-by-test.txt"
    upload.write_text("upload\n")
    proc = rsync(str(upload), RSYNC_URL)
    assert proc.returncode != 0
    assert "read only" in proc.stderr
    assert sh(MIRROR, "test -e %s/uploaded-by-test.txt" % ROOT, check=False).returncode != 0


def test_delete_refused(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    before = sh(MIRROR, "ls -A %s/experimental" % ROOT).stdout
    proc = rsync("-r", "--delete", str(empty) + "/", RSYNC_URL + "experimental/")
    assert proc.returncode != 0
    assert "refuse" in proc.stderr and "--delete" in proc.stderr
    proc = rsync("-r", "--remove-source-files", RSYNC_URL + "experimental/", str(empty) + "/")
    assert proc.returncode != 0
    assert "refuse" in proc.stderr and "--remove-source-files" in proc.stderr
    assert sh(MIRROR, "ls -A %s/experimental" % ROOT).stdout == before


def test_30_concurrent_pulls_all_complete(tmp_path):
    """30 clients pull snapshots/ at once (paced with --bwlimit, so they overlap); bounded."""
    expected = host_manifest(MIRROR, "snapshots")
    procs = []
    for index in range(30):
        dest = tmp_path / str(index)
        procs.append((dest, subprocess.Popen(
            ["rsync", "-aH", "--bwlimit=512", "--timeout=60", RSYNC_URL + "snapshots/",
             str(dest) + "/"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    deadline = time.monotonic() + 120
    peak = 0
    while any(p.poll() is None for _d, p in procs) and time.monotonic() < deadline:
        # The daemon forks one process per client (a sender does not fork again).
        out = sh(MIRROR, "grep -lx rsync /proc/[0-9]*/comm 2>/dev/null | wc -l", check=False)
        peak = max(peak, int(out.stdout.strip() or 1) - 1)
        time.sleep(0.5)
    for _dest, proc in procs:
        if proc.poll() is None:
            proc.kill()
    failed = [(str(d), p.returncode, p.stderr.read()) for d, p in procs if p.wait() != 0]
    assert not failed, failed
    for dest, _proc in procs:
        assert local_manifest(str(dest)) == expected
    assert peak >= 30, "only %d clients served at the same time" % peak
