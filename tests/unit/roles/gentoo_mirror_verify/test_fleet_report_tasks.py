# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet report of verify.yml (roles/gentoo_mirror_verify/tasks/report.yml and
fleet_report.yml, templates/fleet-report.html.j2) run by ansible-playbook on three local hosts:
one passes, one fails a check whose detail holds markup, one fails before its checks end. The
report is written once with all three, and the play still fails for the two."""

from __future__ import annotations

import html.parser
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.filter import verify as verify_filters

TOP = pathlib.Path(__file__).resolve().parents[4]
UNIT_COLLECTIONS = pathlib.Path(verify_filters.__file__).parents[5]
PLAYBOOK_BIN = shutil.which("ansible-playbook", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
NOW = 1795600000
MARKUP = "<script>alert('x')</script> & more"

pytestmark = pytest.mark.skipif(PLAYBOOK_BIN is None, reason="ansible-playbook not found")

PLAYBOOK = """
- name: Report of verify.yml
  hosts: all
  gather_facts: false
  tasks:
    - name: Note that this mirror has no results yet (as tasks/prepare.yml does)
      ansible.builtin.set_fact:
        __gentoo_mirror_verify_report:
          name: "{{{{ gentoo_mirror_hostname }}}}"
          host: "{{{{ inventory_hostname }}}}"
          rows: null
          now: "{{{{ __gentoo_mirror_verify_now }}}}"
    - name: A host that fails before its checks end
      ansible.builtin.fail:
        msg: lost before its checks ended
      when: inventory_hostname == 'gone'
    - name: The report of the verify role
      ansible.builtin.import_tasks: {tasks}
"""


def row(check, protocol, result, detail, **extra):
    return dict({"check": check, "protocol": protocol, "result": result, "detail": detail}, **extra)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fleetreport")
    good = [row("timestamp.mirmon", "http", "ok", "fresh", age_seconds=1800.0),
            row("last sync", "status", "ok", "success")]
    bad = [row("timestamp.mirmon", "http", "fail", MARKUP, age_seconds=36000.0),
           row("last sync", "status", "ok", "success")]
    inventory = {"all": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                 "__gentoo_mirror_verify_now": NOW, "__gentoo_mirror_verify_max_age_seconds": 21600,
                 "__gentoo_mirror_verify_report_html": str(tmp / "fleet.html"),
                 "__gentoo_mirror_verify_report_json": str(tmp / "fleet.json")},
        "hosts": {
            "good": {"gentoo_mirror_hostname": "good.example.test", "__gentoo_mirror_verify_rows": good},
            "bad": {"gentoo_mirror_hostname": "bad.example.test", "__gentoo_mirror_verify_rows": bad},
            "gone": {"gentoo_mirror_hostname": "gone.example.test", "__gentoo_mirror_verify_rows": []},
        }}}
    (tmp / "inventory.json").write_text(json.dumps(inventory))
    (tmp / "play.yml").write_text(PLAYBOOK.format(tasks=TOP / "roles" / "gentoo_mirror_verify" / "tasks" / "report.yml"))
    # Outside the role, the template is found beside the playbook.
    (tmp / "templates").symlink_to(TOP / "roles" / "gentoo_mirror_verify" / "templates")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(UNIT_COLLECTIONS), ANSIBLE_NOCOLOR="1")
    proc = subprocess.run([PLAYBOOK_BIN, "-i", str(tmp / "inventory.json"), str(tmp / "play.yml")],
                          capture_output=True, text=True, timeout=300, env=env, check=False)
    return proc, tmp


class Cells(html.parser.HTMLParser):
    """The rows of the page: {mirror: {check: class}}, and every tag met."""

    def __init__(self):
        super().__init__()
        self.rows, self.tags, self.mirror = {}, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "tr" and "data-mirror" in attrs:
            self.mirror = attrs["data-mirror"]
            self.rows[self.mirror] = {}
        elif tag == "td" and "data-check" in attrs:
            self.rows[self.mirror][attrs["data-check"]] = attrs["class"]


def test_the_play_still_fails_for_the_failing_mirrors(run):
    proc, dummy = run
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "bad.example.test: timestamp.mirmon (http) FAILED" in proc.stdout
    assert "lost before its checks ended" in proc.stdout


def test_the_report_holds_every_mirror_of_the_play(run):
    dummy, tmp = run
    facts = json.loads((tmp / "fleet.json").read_text())
    assert [(m["name"], m["host"], m["result"]) for m in facts["mirrors"]] == [
        ("good.example.test", "good", "pass"), ("bad.example.test", "bad", "fail"), ("gone.example.test", "gone", "fail")]
    assert facts["summary"] == {"mirrors": 3, "pass": 1, "fail": 2}
    assert facts["mirrors"][2]["note"].startswith("no results")
    assert facts["mirrors"][1]["age"]["state"] == "stale"
    page = Cells()
    page.feed((tmp / "fleet.html").read_text())
    assert page.rows == {"good.example.test": {"timestamp.mirmon": "ok", "last sync": "ok"},
                         "bad.example.test": {"timestamp.mirmon": "fail", "last sync": "ok"},
                         "gone.example.test": {"timestamp.mirmon": "none", "last sync": "none"}}


def test_the_page_escapes_what_it_shows_and_needs_nothing_else(run):
    dummy, tmp = run
    text = (tmp / "fleet.html").read_text()
    assert text.startswith("<!--") and "Ansible managed" in text.split("-->")[0]
    page = Cells()
    page.feed(text)
    assert "script" not in page.tags and "link" not in page.tags and "img" not in page.tags
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in text
    assert "http://" not in text and "https://" not in text
