# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter verify_fleet_report: thin, over plugin_utils/verify/fleet_report.py."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.filter import fleet_report
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify import fleet_report as backend


def test_the_filter_is_the_backend():
    assert set(fleet_report.FilterModule().filters()) == {"verify_fleet_report"}
    rows = [{"check": "last sync", "protocol": "status", "result": "fail", "detail": "failed"}]
    reports = [{"name": "m.example", "host": "m", "rows": rows, "now": 1795600000}]
    got = fleet_report.FilterModule().filters()["verify_fleet_report"](reports, 21600, 1795600000)
    assert got == backend.fleet_report(reports, 21600, 1795600000)
    assert got["mirrors"][0]["checks"]["last sync"]["result"] == "fail"
