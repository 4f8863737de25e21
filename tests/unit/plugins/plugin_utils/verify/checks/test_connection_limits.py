# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection limits check (plugin_utils/verify/checks/connection_limits.py)."""

from __future__ import annotations

from verify_answers import base_raw, rows_for


def test_connection_limits_probe_shortfall_fails():
    raw = base_raw()
    raw["limits"]["protocols"]["http"]["probe"] = {
        "attempted": 30, "served": 10, "unanswered": 20, "sample_refusal": None, "verdict": "below_minimum"}
    row = rows_for(raw, "connection limits", "http")[0]
    assert row["result"] == "fail"
    assert "probe: 10 of 30 served (20 unanswered)" in row["detail"]


def test_connection_limits_below_recommended_warns():
    raw = base_raw()
    raw["limits"]["protocols"]["rsync"].update(capacity=20, verdict="below_recommended")
    assert rows_for(raw, "connection limits", "rsync")[0]["result"] == "warn"


def test_the_modules_capacity_verdict_is_used_as_it_is():
    # The module said below_minimum: the row fails on its word, whatever the figures.
    raw = base_raw()
    raw["limits"]["protocols"]["rsync"].update(capacity=1000, verdict="below_minimum")
    row = rows_for(raw, "connection limits", "rsync")[0]
    assert row["result"] == "fail"
    assert row["detail"].startswith("1000 concurrent clients, limited by max connections 1000 in /etc/rsyncd.conf")


def test_the_probes_verdict_is_the_modules():
    # 20 of 30 served: the module warns under its minimum of 15, fails under a minimum of 25;
    # the row follows the module's word, not the figures.
    raw = base_raw()
    raw["limits"]["protocols"]["http"]["probe"] = {"attempted": 30, "served": 20, "unanswered": 10,
                                                   "verdict": "below_recommended"}
    assert rows_for(raw, "connection limits", "http")[0]["result"] == "warn"
    raw["limits"]["protocols"]["http"]["probe"]["verdict"] = "below_minimum"
    row = rows_for(raw, "connection limits", "http")[0]
    assert row["result"] == "fail"
    assert "probe: 20 of 30 served (10 unanswered)" in row["detail"]


def test_protocol_the_module_did_not_find():
    raw = base_raw(limits={"failed": True, "msg": "rsyncd.conf not found", "min_connections": 15,
                           "protocols": {"http": {"enabled": True, "capacity": 2000, "verdict": "ok"},
                                         "rsync": {"enabled": False}}})
    assert rows_for(raw, "connection limits", "rsync")[0]["detail"] == "not checked: rsyncd.conf not found"
