# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The verify filters: thin, and verify_judge finds each check's unit by its name."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mirrorkit.gentoo.plugins.filter import verify
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.checks import last_sync


def test_the_filters_keep_their_names():
    assert set(verify.FilterModule().filters()) == {
        "verify_judge", "verify_evaluate", "verify_failures", "verify_fleet_summary", "verify_table"}


def test_verify_judge_runs_the_unit_of_the_check():
    settings = {"status_file": "/x/status.json", "max_age_seconds": 3600}
    raw = {"status": {"failed": True, "msg": "file not found"}}
    rows = verify.verify_judge(raw, "last_sync", settings, 1795600000)
    assert rows == last_sync.judge(raw, settings, 1795600000.0)
    assert rows[0]["check"] == "last sync" and rows[0]["result"] == "fail"


@pytest.mark.parametrize("name", ["nope", "../rows", "Timestamp", ""])
def test_verify_judge_refuses_an_unknown_check(name):
    with pytest.raises(AnsibleFilterError, match="no check named .*the checks are bandwidth, certificate"):
        verify.verify_judge({}, name, {}, 0)


def test_verify_judge_refuses_answers_that_are_no_dict():
    with pytest.raises(AnsibleFilterError, match="expects the registered answers"):
        verify.verify_judge([], "timestamp", {}, 0)
