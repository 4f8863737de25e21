# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rows and how verify words ages and times (plugin_utils/verify/rows.py)."""

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import age, count, iso, row


def test_row_puts_the_detail_on_one_line():
    assert row("c", "http", "ok", "a\n  b\tc") == {"check": "c", "protocol": "http", "result": "ok", "detail": "a b c"}


def test_count_has_every_result():
    assert count([{"result": "ok"}, {"result": "fail"}, {"result": "ok"}]) == {"ok": 2, "warn": 0, "fail": 1, "skip": 0}


@pytest.mark.parametrize("seconds, text", [(59, "59 s"), (1800, "30 min"), (7 * 3600, "7.0 h"), (4 * 86400, "4.0 days")])
def test_age(seconds, text):
    assert age(seconds) == text


def test_iso():
    assert iso(0) == "1970-01-01 00:00 UTC"
