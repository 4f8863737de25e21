# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection limits check (plugin_utils/verify/checks/connection_limits.py)."""

from __future__ import annotations

from verify_answers import base_raw, rows_for


def test_connection_limits_probe_shortfall_fails():
    raw = base_raw()
    raw["limits"]["protocols"]["http"]["probe"] = {"attempted": 30, "served": 10, "unanswered": 20, "sample_refusal": None}
    row = rows_for(raw, "connection limits", "http")[0]
    assert row["result"] == "fail"
    assert "probe: 10 of 30 served (20 unanswered)" in row["detail"]


def test_connection_limits_below_recommended_warns():
    raw = base_raw()
    raw["limits"]["protocols"]["rsync"].update(capacity=20, verdict="below_recommended")
    assert rows_for(raw, "connection limits", "rsync")[0]["result"] == "warn"
