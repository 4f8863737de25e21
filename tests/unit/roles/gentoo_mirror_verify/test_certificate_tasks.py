# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The certificate check of verify.yml (roles/gentoo_mirror_verify/tasks/checks/certificate.yml) against real
TLS servers on 127.0.0.1: a throw-away CA signs certificates that are good, expire in five
days, or name another host, and one server is checked against the system's CAs instead of
the test CA. One ansible-playbook run checks all four (one inventory host each)."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.filter import verify as verify_filters

from throwaway_ca import TLSServer, make_ca, make_leaf, pem

TOP = pathlib.Path(__file__).resolve().parents[4]
# The directory holding ansible_collections/mirrorkit/gentoo (tests/unit/conftest.py makes one
# under build/unit when the repository is not laid out that way already).
UNIT_COLLECTIONS = pathlib.Path(verify_filters.__file__).parents[5]
PLAYBOOK_BIN = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
HOST = "mirror.example.test"

pytestmark = pytest.mark.skipif(PLAYBOOK_BIN is None, reason="ansible-playbook not found")


PLAYBOOK = """
- name: Certificate check of verify.yml
  hosts: all
  gather_facts: false
  tasks:
    - name: Note the clock, start the rows, say what the mirror serves
      ansible.builtin.set_fact:
        __gentoo_mirror_verify_now: "{{{{ now().timestamp() | int }}}}"
        __gentoo_mirror_verify_rows: []
        __gentoo_mirror_verify_settings: >-
          {{{{ {{'hostname': gentoo_mirror_hostname, 'https': true, 'web': [],
                'rsync': false, 'max_age_seconds': 21600, 'cert_min_days': 14, 'ca_bundle': __gentoo_mirror_verify_ca_bundle,
                'bandwidth': false, 'limits': false}} }}}}
    - name: The certificate check of the verify role (it judges its own answers)
      ansible.builtin.import_tasks: {tasks}
    - name: Keep the rows
      ansible.builtin.copy:
        content: "{{{{ __gentoo_mirror_verify_rows | to_json }}}}"
        dest: "{out}/{{{{ inventory_hostname }}}}.json"
        mode: "0644"
      delegate_to: localhost
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("certcheck")
    ca_key, ca_cert = make_ca()
    ca_file = tmp / "ca.pem"
    ca_file.write_bytes(pem(ca_cert))
    servers = {
        "good": TLSServer(tmp, "good", *make_leaf(ca_key, ca_cert, [HOST], 90)),
        "expiring": TLSServer(tmp, "expiring", *make_leaf(ca_key, ca_cert, [HOST], 5)),
        "wrong_name": TLSServer(tmp, "wrong", *make_leaf(ca_key, ca_cert, ["other.example.test"], 90)),
    }
    hosts = {
        name: {"__gentoo_mirror_verify_https_port": server.port, "__gentoo_mirror_verify_ca_bundle": str(ca_file)} for name, server in servers.items()
    }
    # The good certificate, checked against the controller's CAs instead of the test CA.
    hosts["untrusted"] = {"__gentoo_mirror_verify_https_port": servers["good"].port, "__gentoo_mirror_verify_ca_bundle": ""}
    inventory = {"all": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "gentoo_mirror_hostname": HOST, "__gentoo_mirror_verify_https_host": "127.0.0.1", "__gentoo_mirror_verify_timeout": 10},
        "hosts": hosts}}
    (tmp / "inventory.json").write_text(json.dumps(inventory))
    out = tmp / "out"
    out.mkdir()
    (tmp / "check.yml").write_text(PLAYBOOK.format(tasks=TOP / "roles" / "gentoo_mirror_verify" / "tasks" / "checks" / "certificate.yml", out=out))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(UNIT_COLLECTIONS), ANSIBLE_NOCOLOR="1")
    try:
        run = subprocess.run([PLAYBOOK_BIN, "-i", str(tmp / "inventory.json"), str(tmp / "check.yml")],
                             capture_output=True, text=True, timeout=300, env=env, check=False)
    finally:
        for server in servers.values():
            server.stop()
    assert run.returncode == 0, run.stdout + run.stderr
    found = {}
    for name in hosts:
        rows = json.loads((out / ("%s.json" % name)).read_text())
        found[name] = [r for r in rows if r["check"] == "certificate"][0]
    return found


def test_good_certificate_passes(results):
    row = results["good"]
    assert row["result"] == "ok", row
    assert row["detail"].startswith("valid for %s, issued by mirrorkit test CA, expires " % HOST)


def test_certificate_expiring_within_14_days_fails(results):
    row = results["expiring"]
    assert row["result"] == "fail", row
    assert "days left, fewer than 14" in row["detail"]


def test_certificate_for_another_name_fails(results):
    row = results["wrong_name"]
    assert row["result"] == "fail", row
    assert row["detail"] == "not valid for %s (names: DNS:other.example.test)" % HOST


def test_certificate_from_an_untrusted_ca_fails(results):
    row = results["untrusted"]
    assert row["result"] == "fail", row
    assert "verification against the trusted CAs failed" in row["detail"]
