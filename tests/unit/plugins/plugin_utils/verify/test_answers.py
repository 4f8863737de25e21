# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading registered task results (plugin_utils/verify/answers.py)."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import (
    decode_slurp, http_problem, loop_results, rsync_problem, skipped, unreachable)

from verify_answers import slurped


def test_skipped():
    assert skipped({"skipped": True}) and skipped(None) and not skipped({"rc": 0})


def test_http_problem():
    assert http_problem({"status": 200}) is None
    assert http_problem({"status": 404, "msg": "Status code was 404 and not [200]"}) == "HTTP 404"
    assert http_problem({"status": 500, "msg": "boom"}) == "HTTP 500 (boom)"
    assert http_problem({"status": -1, "msg": "refused"}) == "no answer: refused"


def test_rsync_problem():
    assert rsync_problem({"rc": 0}) is None
    assert rsync_problem({"rc": 23, "stderr": "\n  \nfirst\nsecond"}) == "rsync exit 23: first"
    assert rsync_problem({"rc": 5}) == "rsync exit 5: no output"


def test_unreachable_decode_and_loops():
    assert unreachable({"unreachable": True, "msg": " gone "}) == "mirror host unreachable: gone"
    assert unreachable({}) is None
    assert decode_slurp(slurped("text")) == "text"
    assert decode_slurp({"content": "abc"}) is None  # bad padding
    assert loop_results({"results": [{"a": 1}, "x"]}) == [{"a": 1}]
    assert loop_results(None) == []
