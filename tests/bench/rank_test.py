# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one-sided exact Mann-Whitney U test the page judges "below stock" by: whether one server's
runs rank below the other's by more than chance would make two level servers rank."""

from __future__ import annotations

import itertools
from collections import Counter
from math import comb

# A point counts as below stock when mirrorkit's runs rank below stock's at this level.
BELOW_ALPHA = 0.05


def wins(a, b) -> float:
    """Mann-Whitney U of sample a against sample b: the pairs (x from a, y from b) with x > y, ties half."""
    return sum(1.0 if x > y else 0.5 if x == y else 0.0 for x in a for y in b)


def p_below(a, b) -> float | None:
    """One-sided exact Mann-Whitney U test: the chance that, were both servers level, a split of all
    runs into groups of len(a) and len(b) gives group a as few wins as a has (None without runs)."""
    if not a or not b:
        return None
    observed = wins(a, b)
    pooled = list(a) + list(b)
    low = 0
    for picked in itertools.combinations(range(len(pooled)), len(a)):
        chosen = set(picked)
        group = [pooled[i] for i in picked]
        rest = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        if wins(group, rest) <= observed + 1e-9:
            low += 1
    return low / comb(len(pooled), len(a))


def most_wins_below(n_a: int, n_b: int) -> int | None:
    """The most cross pairs a group of n_a runs may win against n_b runs (no ties) and still be
    below at BELOW_ALPHA; None when no result can be."""
    total = comb(n_a + n_b, n_a)
    # Without ties a group's wins are its rank sum less the least possible one.
    counts = Counter(sum(ranks) - n_a * (n_a + 1) // 2
                     for ranks in itertools.combinations(range(1, n_a + n_b + 1), n_a))
    best, seen = None, 0
    for u in sorted(counts):
        seen += counts[u]
        if seen / total >= BELOW_ALPHA:
            break
        best = u
    return best
