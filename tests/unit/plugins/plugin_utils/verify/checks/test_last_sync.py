# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The last sync check (plugin_utils/verify/checks/last_sync.py)."""

from __future__ import annotations

import json

from verify_answers import NOW, base_raw, rows_for, slurped


def test_status_failure_is_reported_with_the_message():
    status = {"result": "failure", "end_timestamp": NOW - 600, "message": "rsync exit 10: error in socket I/O",
              "last_success_timestamp": NOW - 90000, "consecutive_failures": 3}
    row = rows_for(base_raw(status=slurped(json.dumps(status))), "last sync")[0]
    assert row["result"] == "fail"
    assert row["detail"].startswith("last run failure, ended")
    assert "rsync exit 10: error in socket I/O; last success" in row["detail"]
    assert "3 failures in a row" in row["detail"]


def test_status_success_but_old():
    status = {"result": "success", "end_timestamp": NOW - 30 * 3600, "last_success_timestamp": NOW - 30 * 3600}
    row = rows_for(base_raw(status=slurped(json.dumps(status))), "last sync")[0]
    assert row["result"] == "fail"
    assert "is the timer running?" in row["detail"]


def test_status_missing():
    raw = base_raw(status={"failed": False, "msg": "file not found: /var/lib/gentoo-mirror/status.json"})
    row = rows_for(raw, "last sync")[0]
    assert row["result"] == "fail"
    assert "cannot read /var/lib/gentoo-mirror/status.json: file not found" in row["detail"]


def test_status_not_json():
    row = rows_for(base_raw(status=slurped("garbage")), "last sync")[0]
    assert "is not JSON" in row["detail"]
