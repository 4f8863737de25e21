# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Idle and greedy rsync clients cannot starve the daemon: real sockets inside the mirror host
(loopback sources 127.0.0.2-127.0.0.251), bounded in count (at most 1,000 at once) and time."""

import json
import os
import re
import subprocess

import pytest

testinfra_hosts = ["gentoo_mirrors"]

MIRROR = "default-mirror.example.test"
PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rsyncd_probe.py")
GUARD_UNIT = "/etc/systemd/system/gentoo-mirror-rsyncd-guard.service"
# The role's defaults: what the mirror must apply (also on a host without the guard, where the
# tests then fail on what they measure).
DEFAULTS = {"handshake-timeout": 30, "max-handshakes": 100, "max-per-source": 32}


@pytest.fixture(scope="module")
def bounds(host):
    """The guard's bounds as the mirror runs them (its unit's command line)."""
    found = dict(DEFAULTS)
    unit = host.file(GUARD_UNIT)
    if unit.exists:
        for name, value in re.findall(r"--([a-z-]+) (\d+)", unit.content_string):
            found[name] = int(value)
    return found


@pytest.fixture(scope="module")
def probe(host):
    subprocess.run(["podman", "cp", PROBE, f"{MIRROR}:/root/rsyncd_probe.py"], check=True, timeout=60)

    def run(**args):
        result = host.run("python3 /root/rsyncd_probe.py %s", json.dumps(args))
        assert result.rc == 0, result.stderr
        return json.loads(result.stdout)

    yield run
    host.run("rm -rf /root/rsyncd_probe.py /tmp/rsyncd-probe")


LIST = ["--list-only", "rsync://127.0.0.1/gentoo/"]
FETCH = ["rsync://127.0.0.1/gentoo/distfiles/layout.conf", "/tmp/rsyncd-probe/"]


def test_one_source_gets_no_more_than_its_share(probe, bounds):
    share = bounds["max-per-source"]
    report = probe(plan=[["127.0.0.10", "module"]] * (share + 4), watch=3)
    closed = [c for c in report["closed_after"] if c is not None]
    # The 4 beyond the share are closed at once, the first `share` stay.
    assert len(closed) == 4, report
    assert max(closed) < 1.5, report
    assert all(c is None for c in report["closed_after"][:share]), report


def test_daemon_serves_real_clients_while_1000_idle_sockets_are_open(probe, bounds):
    sources = ["127.0.0.%d" % i for i in range(2, 251)]
    plan = [[sources[i % len(sources)], "module"] for i in range(1000)]
    report = probe(plan=plan, settle=1, clients=[LIST, FETCH], watch=10)
    assert report["opened"] == 1000, report
    listing, fetch = report["clients"]
    assert listing["rc"] == 0 and listing["seconds"] < 5, report
    assert fetch["rc"] == 0 and fetch["seconds"] < 5, report
    # The idle ones beyond the handshake allowance are closed, oldest first.
    assert report["still_open"] <= bounds["max-handshakes"], report["still_open"]


def test_idle_connections_are_cut_within_the_handshake_timeout_but_transfers_are_not(host, probe, bounds):
    timeout = bounds["handshake-timeout"]
    big = host.run("cd /srv/gentoo && ls releases/amd64/autobuilds/*/*.tar.xz").stdout.split()[0]
    # A real transfer at 1 MB/s lasts over a minute: it outlives the handshake bound.
    report = probe(plan=[["127.0.0.251", "silent"], ["127.0.0.251", "module"]], watch=timeout + 5,
                   background_rsync=["--bwlimit=1000", "rsync://127.0.0.1/gentoo/" + big, "/tmp/rsyncd-probe/"])
    silent, module = report["closed_after"]
    assert silent is not None and timeout - 1 <= silent <= timeout + 3, report
    assert module is not None and timeout - 1 <= module <= timeout + 3, report
    assert report["background_running"], report


BAD_BOUNDS = [
    ("gentoo_mirror_rsyncd_handshake_timeout", 2, "seconds from 5 to 3600"),
    ("gentoo_mirror_rsyncd_max_handshakes", 5000, "empty (a tenth of the connection limit) or from 1 to the connection limit (1000)"),
    ("gentoo_mirror_rsyncd_max_connections_per_source", -1, "0 (no per-source limit) or from 1"),
    ("gentoo_mirror_rsyncd_timeout", 0, "seconds from 30 to 86400"),
]


# The message of the failed check (a looped assert reports it per item).
REFUSED = ("REFUSED {{ (ansible_failed_result.results | default([ansible_failed_result]))"
           " | selectattr('failed', 'defined') | selectattr('failed') | map(attribute='msg') | join(' ') }}")


def test_bad_bounds_are_refused_with_a_clear_message(tmp_path):
    """The role's first tasks refuse each bad bound (in check mode: nothing could change)."""
    plays = [{
        "name": f"bounds {name}={value}", "hosts": "gentoo_mirrors", "gather_facts": True,
        "check_mode": True, "vars": {name: value},
        "tasks": [{"name": "Run the role", "block": [
            {"name": "Role", "ansible.builtin.include_role": {"name": "mirrorkit.gentoo.gentoo_mirror_rsyncd"}},
            {"name": "Accepted", "ansible.builtin.fail": {"msg": f"ACCEPTED {name}"}},
        ], "rescue": [
            {"name": "Refused", "ansible.builtin.debug": {"msg": REFUSED}},
        ]}],
    } for name, value, dummy in BAD_BOUNDS]
    playbook = tmp_path / "bounds.yml"
    playbook.write_text(json.dumps(plays), encoding="utf-8")
    result = subprocess.run(["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], str(playbook)],
                            capture_output=True, text=True, timeout=600, check=False,
                            env=dict(os.environ, ANSIBLE_NOCOLOR="1"))
    out = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stdout[-3000:]
    for name, value, allowed in BAD_BOUNDS:
        assert f"REFUSED {name}={value} is not allowed: {allowed}" in out, out[-3000:]
