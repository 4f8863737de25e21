# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The table per mirror and the fleet summary (plugin_utils/verify/table.py)."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.judge import verify_evaluate
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.table import verify_fleet_summary, verify_table

from verify_answers import HTTP, base_raw, uri


def test_table_and_fleet_summary():
    rows = verify_evaluate(base_raw(listings={"results": [uri(status=403, item=[HTTP, "releases"])]}))
    lines = verify_table(rows, "mirror.example.org", width=100)
    assert lines[0] == "mirror.example.org"
    assert lines[1].split() == ["CHECK", "PROTOCOL", "RESULT", "DETAIL"]
    assert any(line.startswith("listing releases/") and " FAIL " in line for line in lines)
    assert all(len(line) <= 100 for line in lines)
    assert lines[-1].endswith("1 failed, 0 skipped")
    summary = verify_fleet_summary([{"name": "a.example", "rows": rows}, {"name": "b.example", "rows": verify_evaluate(base_raw())}])
    assert summary[0] == "2 mirror(s) checked: 1 pass, 1 fail"
    assert summary[1].startswith("a.example: FAIL")
    assert summary[2] == "  listing releases/ (http) FAILED: HTTP 403 (directory listing turned off?)"
    assert summary[3].startswith("b.example: PASS")
