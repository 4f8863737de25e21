# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rule docs/performance.md judges "at least stock throughput" by (tests/bench/sections/http.py).

The samples are real: MB/s and GB/s of 5 alternating 5 s wrk runs at 30 connections in one bench host.
"""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'bench'))

from harness import summary  # noqa: E402  pylint: disable=wrong-import-position
from sections import http  # noqa: E402  pylint: disable=wrong-import-position

# 256 MiB file, MB/s: the provisioned nginx and stock nginx, both sendfile(2) in 2 MiB calls.
LEVEL_A = [1994, 1797, 1924, 1776, 1778]
LEVEL_B = [1741, 1744, 1911, 1765, 1798]
# The same host with and without "aio threads", GB/s: the 64 KiB file and the 256 MiB file.
SMALL_BASE, SMALL_THREADS = [2.01, 2.01, 2.46, 2.28, 2.43], [1.11, 1.30, 1.39, 1.35, 1.54]
BIG_BASE, BIG_THREADS = [2.19, 2.20, 2.08, 2.22, 2.04], [1.87, 1.91, 1.91, 1.90, 1.94]


def row(mirrorkit, stock, resource='256 MiB file'):
    """A row of the HTTP table as bench.py stores it, for the figure the row is judged on."""
    key = 'mbps' if 'MiB file' in resource else 'rps'
    return {'resource': resource, 'connections': 30, 'mirrorkit': {key: summary(mirrorkit)},
            'stock': {key: summary(stock)}}


@pytest.mark.parametrize('slower, faster', [(SMALL_THREADS, SMALL_BASE), (BIG_THREADS, BIG_BASE)],
                         ids=['64KiB', '256MiB'])
def test_a_measured_regression_counts_as_below(slower, faster):
    # "aio threads" cost the cached 64 KiB file about 40 % and the 256 MiB file about 13 %.
    below, p = http.below_stock(row(slower, faster))
    assert below
    assert p < http.BELOW_ALPHA


@pytest.mark.parametrize('first, second', [(LEVEL_A, LEVEL_B), (LEVEL_B, LEVEL_A)], ids=['a-b', 'b-a'])
def test_two_level_servers_are_not_below_either_way(first, second):
    below, dummy = http.below_stock(row(first, second))
    assert not below


def test_a_median_at_or_above_is_never_below():
    assert http.below_stock(row(SMALL_BASE, SMALL_THREADS)) == (False, None)
