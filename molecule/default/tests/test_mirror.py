# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The whole job on one fresh Debian 12 host: after site.yml the mirror holds the upstream
tree, serves it over HTTP and rsync on 127.0.0.1, syncs on its timer, and verify.yml passes."""

import hashlib
import json
import os
import subprocess
import urllib.request

testinfra_hosts = ["gentoo_mirrors"]

HTTP = "http://127.0.0.1:18080"
RSYNC = "rsync://127.0.0.1:18873/gentoo/"
ROOT = "/srv/gentoo"


def get(path):
    with urllib.request.urlopen(HTTP + path, timeout=30) as response:
        return response.status, response.read()


def test_tree_has_the_four_directories_owned_by_the_sync_user(host):
    for name in ("distfiles", "experimental", "releases", "snapshots"):
        directory = host.file(f"{ROOT}/{name}")
        assert directory.is_directory
        assert directory.user == "gentoo-mirror"


def test_first_sync_succeeded_and_status_says_so(host):
    status = json.loads(host.file("/var/lib/gentoo-mirror/status.json").content_string)
    assert status["exit_code"] == 0
    assert status["last_success_timestamp"]
    assert host.file(f"{ROOT}/distfiles/layout.conf").contains("filename-hash BLAKE2B 8")
    assert not host.file(f"{ROOT}/THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt").exists


def test_timer_is_active_on_the_policy_schedule(host):
    timer = host.service("gentoo-mirror-sync.timer")
    assert timer.is_enabled
    assert timer.is_running
    calendar = host.run("systemctl show -p TimersCalendar --value gentoo-mirror-sync.timer").stdout
    assert "00/4:00:00" in calendar


def test_required_listings_over_http():
    for path in ("/experimental/", "/releases/", "/snapshots/", "/distfiles/"):
        status, body = get(path)
        assert status == 200
        assert b"<a href=" in body and b"Index of" in body, path


def test_layout_conf_and_timestamp_match_upstream_over_http(host):
    dummy, body = get("/distfiles/layout.conf")
    expected = host.run(f"sha256sum {ROOT}/distfiles/layout.conf").stdout.split()[0]
    assert hashlib.sha256(body).hexdigest() == expected
    dummy, stamp = get("/distfiles/timestamp.mirmon")
    assert stamp.split()[0].isdigit()


def test_large_file_over_http_matches_the_tree(host):
    path = host.run(f"cd {ROOT} && ls releases/amd64/autobuilds/*/*.tar.xz").stdout.split()[0]
    dummy, body = get("/" + path)
    expected = host.run(f"sha256sum {ROOT}/{path}").stdout.split()[0]
    assert len(body) >= 64 * 2**20
    assert hashlib.sha256(body).hexdigest() == expected


def test_rsync_module_lists_the_tree():
    result = subprocess.run(["rsync", "--list-only", RSYNC], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    for name in ("distfiles", "experimental", "releases", "snapshots"):
        assert name in result.stdout


def test_verify_playbook_passes():
    result = subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "mirrorkit.gentoo.verify"],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def bandwidth_step(*extra):
    """site.yml --tags bandwidth: the upstream measurement alone; returns the playbook's output."""
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1")
    result = subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "mirrorkit.gentoo.site",
         "--tags", "bandwidth", *extra], capture_output=True, text=True, timeout=600, check=False, env=env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout


def test_bandwidth_check_measures_the_upstream_and_can_be_switched_off():
    assert "Mbit/s from rsync://default-upstream/gentoo/" in bandwidth_step()
    out = bandwidth_step("-e", "gentoo_mirror_bandwidth_check=false")
    measure = out.split("TASK [Measure the bandwidth from the upstream]", 1)[1].split("TASK [", 1)[0]
    assert "skipping: [default-mirror.example.test]" in measure, measure
    assert "Mbit/s from" not in out
