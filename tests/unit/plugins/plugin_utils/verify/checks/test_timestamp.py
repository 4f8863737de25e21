# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The timestamp.mirmon check (plugin_utils/verify/checks/timestamp.py)."""

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.checks.timestamp import judge, judge_timestamp, timestamp_age

from verify_answers import NOW, base_raw, settings, slurped


@pytest.mark.parametrize("text, verdict, words", [
    ("%d\n" % (NOW - 3600), "ok", "60 min old"),
    ("%d\n" % (NOW - 7 * 3600), "fail", "stale: 7.0 h old"),
    ("%d extra words\n" % (NOW - 60), "ok", "60 s old"),
    ("%d\n" % (NOW + 3600), "warn", "in the future"),
    ("not a number\n", "fail", "not a UNIX timestamp"),
    ("", "fail", "not a UNIX timestamp"),
])
def test_judge_timestamp(text, verdict, words):
    result, detail = judge_timestamp(text, NOW, 6 * 3600)
    assert result == verdict
    assert words in detail


def test_each_row_carries_the_age_of_what_it_read():
    rows = judge(base_raw(timestamp_rsync_file=slurped("%d\n" % (NOW - 7200))), settings(), NOW)
    assert [(r["protocol"], r["age_seconds"]) for r in rows] == [("http", 1800.0), ("rsync", 7200.0)]
    assert timestamp_age("garbage", NOW) is None
    unreadable = judge(base_raw(timestamp_rsync_file=slurped("garbage")), settings(), NOW)
    assert unreadable[1]["age_seconds"] is None and unreadable[1]["result"] == "fail"
