# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rsync module check (plugin_utils/verify/checks/rsync_module.py)."""

from __future__ import annotations

from verify_answers import RSYNC_LIST, base_raw, rows_for, settings


def test_module_with_every_policy_directory_passes():
    row = rows_for(base_raw(), "rsync module")[0]
    assert row["result"] == "ok"
    assert row["detail"].startswith("answers with 6 entries: distfiles/, experimental/")


def test_module_lacking_a_directory_of_the_policy_fails():
    listing = "\n".join(line for line in RSYNC_LIST.splitlines() if not line.endswith(" experimental"))
    row = rows_for(base_raw(rsync_module={"rc": 0, "stdout": listing}), "rsync module")[0]
    assert row["result"] == "fail"
    assert row["detail"] == "answers but lacks experimental/"


def test_module_not_listed_or_not_served():
    assert rows_for(base_raw(rsync_module={"skipped": True}), "rsync module")[0]["detail"] == "not checked"
    assert rows_for(base_raw(settings=settings(rsync=False)), "rsync module") == []
