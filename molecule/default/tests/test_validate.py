# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad input is refused before anything changes, with a message naming the variable, the
value and what is allowed."""

import json
import os
import subprocess

import pytest

testinfra_hosts = ["gentoo_mirrors"]

# (variable, bad value, words the message must contain)
BAD_INPUT = [
    ("gentoo_mirror_root", "", ['gentoo_mirror_root="" is not allowed', "absolute path"]),
    ("gentoo_mirror_root", "srv/gentoo", ['gentoo_mirror_root="srv/gentoo" is not allowed', "absolute path"]),
    ("gentoo_mirror_root", "/etc/", ['gentoo_mirror_root="/etc/" is not allowed', "system directory"]),
    ("gentoo_mirror_root", "/usr", ['gentoo_mirror_root="/usr" is not allowed', "system directory"]),
    ("gentoo_mirror_upstream", "http://example.org/gentoo", ['gentoo_mirror_upstream="http://example.org/gentoo" is not allowed', "rsync://host/module/"]),
    ("gentoo_mirror_upstream", "example.org:gentoo", ['gentoo_mirror_upstream="example.org:gentoo" is not allowed', "host::module"]),
    ("gentoo_mirror_admin_email", "root", ['gentoo_mirror_admin_email="root" is not allowed', "user@domain.tld"]),
    ("gentoo_mirror_admin_email", "admin@localhost", ['gentoo_mirror_admin_email="admin@localhost" is not allowed']),
    ("gentoo_mirror_hostname", "bad_name..example", ['gentoo_mirror_hostname="bad_name..example" is not allowed', "DNS name"]),
    ("gentoo_mirror_hostname", "", ['gentoo_mirror_hostname="" is not allowed']),
    ("gentoo_mirror_max_connections", 14, ["gentoo_mirror_max_connections=14 is not allowed", "at least 15"]),
    ("gentoo_mirror_ipv6", True, ["gentoo_mirror_ipv6=true is not allowed", "this host has no global IPv6 address"]),
    ("gentoo_mirror_ipv6", "maybe", ['gentoo_mirror_ipv6="maybe" is not allowed', "auto"]),
    ("gentoo_mirror_initial_sync", "later", ["gentoo_mirror_initial_sync", "later", "none, start, wait"]),
]
GOOD_INPUT = [
    ("gentoo_mirror_root", "/srv/gentoo"),
    ("gentoo_mirror_upstream", "masterdistfiles.gentoo.org::gentoo"),
    ("gentoo_mirror_max_connections", 15),
    ("gentoo_mirror_ipv6", "auto"),
]


def case_play(case, out_dir):
    """One play per input: the value as a play variable (above the inventory), the base role's
    validation in a block, and the message it gave (or ACCEPTED) written to a file."""
    record = {
        "ansible.builtin.copy": {"content": "{{ validate_message }}", "dest": f"{out_dir}/{case['id']}", "mode": "0644"},
        "delegate_to": "localhost",
    }
    return {
        "name": f"validate {case['name']}={json.dumps(case['value'])}",
        "hosts": "gentoo_mirrors",
        "gather_facts": True,
        "vars": {case["name"]: case["value"]},
        "tasks": [{
            "name": "Validate",
            "block": [
                {"name": "Run the base role", "ansible.builtin.include_role": {"name": "mirrorkit.gentoo.gentoo_mirror"}},
                {"name": "Accepted", "vars": {"validate_message": "ACCEPTED"}, **record},
            ],
            "rescue": [
                {"name": "Refused", "vars": {"validate_message": "{{ ansible_failed_result.msg }}"}, **record},
            ],
        }],
    }


@pytest.fixture(scope="module")
def messages(tmp_path_factory, host):
    cases = [{"id": f"bad{i}", "name": n, "value": v} for i, (n, v, dummy) in enumerate(BAD_INPUT)]
    cases += [{"id": f"good{i}", "name": n, "value": v} for i, (n, v) in enumerate(GOOD_INPUT)]
    work = tmp_path_factory.mktemp("validate")
    playbook = work / "validate.yml"
    playbook.write_text(json.dumps([case_play(case, work) for case in cases]), encoding="utf-8")
    before = snapshot(host)
    result = subprocess.run(
        ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], str(playbook)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    found = {case["id"]: (work / case["id"]).read_text(encoding="utf-8") for case in cases}
    found["unchanged"] = snapshot(host) == before
    return found


def test_every_refusal_left_the_host_unchanged(messages):
    # the checks of every bad value above ran on the host and changed nothing on it
    assert messages["unchanged"]


@pytest.mark.parametrize("index", range(len(BAD_INPUT)), ids=[f"{n}={v!r}" for n, v, dummy in BAD_INPUT])
def test_bad_input_is_refused_with_a_clear_message(messages, index):
    message = " ".join(messages[f"bad{index}"].split())
    assert message != "ACCEPTED"
    for words in BAD_INPUT[index][2]:
        assert words in message, message


@pytest.mark.parametrize("index", range(len(GOOD_INPUT)), ids=[f"{n}={v!r}" for n, v in GOOD_INPUT])
def test_good_input_is_accepted(messages, index):
    assert messages[f"good{index}"] == "ACCEPTED"


def run_site(extra):
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "mirrorkit.gentoo.site", "-e", json.dumps(extra)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)


def snapshot(host):
    """What site.yml would change first: packages, users, files under /srv and /etc."""
    return (
        host.run("dpkg-query -W -f '${Package} ${Version}\\n'").stdout,
        host.run("getent passwd").stdout,
        host.run("find /srv /etc/nginx /etc/rsyncd.conf /etc/gentoo-mirror -newer /etc/mirrorkit-test-host -printf '%p %T@\\n' 2>/dev/null | sort").stdout,
    )


@pytest.mark.parametrize("extra,message", [
    ({"gentoo_mirror_root": "/"}, 'gentoo_mirror_root="/" is not allowed'),
    ({"gentoo_mirror_http": False, "gentoo_mirror_rsync": False, "gentoo_mirror_https": True, "gentoo_mirror_acme_directory": ""},
     "Gentoo's policy requires HTTP and/or HTTPS"),
    ({"gentoo_mirror_sync_schedule": "*-*-* 00/6:00:00"}, "gentoo_mirror_sync_schedule"),
    ({"gentoo_mirror_sync_schedule": "*-*-* 01/4:00:00"}, "gentoo_mirror_sync_schedule"),
    # the disk check runs before any package is installed: a too-small disk changes nothing
    ({"gentoo_mirror_min_disk_gib": 1000000}, "below the 1000000 GiB required"),
], ids=["root=/", "https-only-without-acme", "schedule-every-6h", "schedule-not-from-midnight", "disk-too-small"])
def test_site_refuses_before_anything_changes(host, extra, message):
    before = snapshot(host)
    result = run_site(extra)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out[-3000:]
    assert message in " ".join(out.split()), out[-3000:]
    assert "changed=0" in out, out[-3000:]
    assert snapshot(host) == before
