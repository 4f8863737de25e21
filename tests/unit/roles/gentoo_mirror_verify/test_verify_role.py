# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The verify role's shape: a table of contents over one task file per check, each judged by
the unit of the same name; the policy's figures and the rsyncd role's settings from their
one place."""

from __future__ import annotations

import pathlib
import re

import yaml

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.judge import check_names
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.policy import POLICY

TOP = pathlib.Path(__file__).resolve().parents[4]
ROLE = TOP / "roles" / "gentoo_mirror_verify"
TASKS = ROLE / "tasks"


def task_checks():
    return sorted(p.stem for p in (TASKS / "checks").glob("*.yml"))


def imports(path):
    return [t.get("ansible.builtin.import_tasks") for t in yaml.safe_load(path.read_text()) if "ansible.builtin.import_tasks" in t]


def test_every_check_has_a_task_file_and_a_judging_unit():
    assert task_checks() == check_names()
    assert len(check_names()) >= 9


def test_each_check_task_file_is_judged_by_its_own_unit():
    for name in task_checks():
        text = (TASKS / "checks" / ("%s.yml" % name)).read_text()
        judged = re.findall(r"mirrorkit\.gentoo\.verify_judge\('([a-z_]+)'", text)
        assert judged == [name], (name, judged)


def test_the_table_of_contents_names_every_check_once():
    listed = [i for i in imports(TASKS / "checks.yml") if i.startswith("checks/")]
    assert sorted(listed) == ["checks/%s.yml" % n for n in task_checks()]
    assert len(set(listed)) == len(listed)
    # Both entry points run the same checks.
    assert imports(TASKS / "main.yml")[0] == "checks.yml"
    assert "checks.yml" in imports(TASKS / "inclusion.yml")


def test_no_task_file_over_100_lines():
    for path in TASKS.rglob("*.yml"):
        assert len(path.read_text().splitlines()) <= 100, path


def test_policy_figures_come_from_the_policy():
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    tied = {"gentoo_mirror_verify_sync_interval_hours": "sync_interval_hours",
            "gentoo_mirror_verify_bandwidth_min_mbit": "min_bandwidth_mbit",
            "gentoo_mirror_verify_bandwidth_recommended_mbit": "recommended_bandwidth_mbit",
            "gentoo_mirror_verify_min_connections": "min_connections",
            "gentoo_mirror_verify_recommended_connections": "recommended_connections"}
    for name, figure in tied.items():
        assert defaults[name] == "{{ gentoo_mirror_policy.%s }}" % figure, name
        # The spec documents the figure the policy has today.
        assert spec[name]["default"] == POLICY[figure], name
    assert "gentoo_mirror_policy.listing_directories" in (ROLE / "vars" / "main.yml").read_text()


def test_rsyncd_and_sync_settings_come_from_the_base_role():
    # The rsync port and module and the sync job's configuration directory are shared settings:
    # the base role holds their defaults, so verify.yml reads them also where those roles did not
    # run in the play, and no role reads another role's defaults file.
    base = yaml.safe_load((TOP / "roles" / "gentoo_mirror" / "defaults" / "main.yml").read_text())
    for name in ("gentoo_mirror_rsyncd_port", "gentoo_mirror_rsyncd_module", "gentoo_mirror_sync_config_dir"):
        assert name in base, name
        for role in ("rsyncd", "sync"):
            own = yaml.safe_load((TOP / "roles" / ("gentoo_mirror_" + role) / "defaults" / "main.yml").read_text())
            assert name not in own, (role, name)
    for path in (TOP / "roles").rglob("*.yml"):
        assert "/../gentoo_mirror_" not in path.read_text(), path
    # No copy of the roles' defaults in the role.
    for path in list(TASKS.rglob("*.yml")) + [ROLE / "vars" / "main.yml"]:
        assert "default(873)" not in path.read_text() and "default('gentoo')" not in path.read_text(), path


def test_the_playbooks_apply_the_role():
    verify = yaml.safe_load((TOP / "playbooks" / "verify.yml").read_text())
    assert verify[0]["roles"] == [{"role": "mirrorkit.gentoo.gentoo_mirror_verify"}]
    inclusion = yaml.safe_load((TOP / "playbooks" / "inclusion_request.yml").read_text())
    assert inclusion[0]["tasks"][0]["ansible.builtin.import_role"] == {
        "name": "mirrorkit.gentoo.gentoo_mirror_verify", "tasks_from": "inclusion"}
