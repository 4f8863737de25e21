# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rank test of the bench's page (tests/bench/rank_test.py)."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'bench'))

import rank_test  # noqa: E402  pylint: disable=wrong-import-position


def test_wins_counts_pairs_and_half_ties():
    assert rank_test.wins([3, 1], [2, 2]) == 2.0
    assert rank_test.wins([2], [2]) == 0.5


def test_p_below_of_fully_separated_runs_is_one_split_in_all():
    assert rank_test.p_below([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(1 / 252)
    assert rank_test.p_below([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]) == pytest.approx(1.0)


def test_fewer_runs_than_can_show_anything():
    # 3 runs each: the least possible p is 1/20, never below 0.05.
    assert rank_test.most_wins_below(3, 3) is None
    assert rank_test.most_wins_below(5, 5) == 4
    assert rank_test.p_below([1, 2, 3], [4, 5, 6]) == pytest.approx(1 / 20)
