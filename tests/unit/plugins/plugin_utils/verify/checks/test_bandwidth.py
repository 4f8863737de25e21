# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bandwidth checks (plugin_utils/verify/checks/bandwidth.py)."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.judge import verify_evaluate

from verify_answers import base_raw


def test_bandwidth_verdicts():
    low = {"verdict": "below_minimum", "failed": True, "msg": "Measured 2.00 Mbit/s from rsync://up/ ...: below the minimum of 5 Mbit/s"}
    warn = {"verdict": "below_recommended", "msg": "Measured 50.00 Mbit/s ...: below the recommended 100 Mbit/s"}
    rows = {r["check"]: r for r in verify_evaluate(base_raw(bandwidth_upstream=low, bandwidth_client=warn))}
    assert rows["bandwidth upstream"]["result"] == "fail"
    assert "below the minimum of 5 Mbit/s" in rows["bandwidth upstream"]["detail"]
    assert rows["bandwidth to users"]["result"] == "warn"
