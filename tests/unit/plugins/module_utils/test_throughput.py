# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import throughput


def steady(rate_mbit, seconds, step=0.1, burst=0):
    """Samples of a transfer at a steady rate after an initial burst."""
    points = [(0.0, 0)]
    per_step = rate_mbit * 1e6 / 8 * step
    total = burst
    t = 0.0
    while t < seconds - 1e-9:
        t += step
        total += per_step
        points.append((round(t, 6), int(total)))
    return points


def test_measure_discards_warmup_burst():
    points = steady(20, 10, burst=4 * 1024 * 1024)
    whole = (points[-1][1] * 8 / 10) / 1e6
    assert whole > 23
    r = throughput.measure(points, 1.0)
    assert r['warmup_discarded']
    assert r['measured_mbit'] == pytest.approx(20, rel=0.005)
    assert r['warmup_seconds'] == 1.0
    assert r['window_seconds'] == pytest.approx(9.0)


def test_measure_short_transfer_measured_whole():
    r = throughput.measure(steady(80, 1.2), 1.0)
    assert not r['warmup_discarded']
    assert r['measured_mbit'] == pytest.approx(80, rel=0.01)


def test_measure_no_data():
    assert throughput.measure([(0.0, 0)], 1.0)['measured_mbit'] is None
    assert throughput.measure([], 1.0)['measured_mbit'] is None


def test_measure_zero_warmup():
    r = throughput.measure(steady(2, 10), 0)
    assert not r['warmup_discarded'] and r['measured_mbit'] == pytest.approx(2, rel=0.01)


def test_samples():
    s = throughput.Samples()
    s.add(0.5, 100)
    s.add(1.5, 300)
    assert s.total_bytes == 300 and s.total_seconds == 1.5
    assert s.points[0] == (0.0, 0)
