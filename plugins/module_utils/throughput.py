# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Throughput of a transfer: byte counts over time and the figure after the warm-up."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.units import mbit_per_s


class MeasureError(Exception):
    """A download that could not be measured (the message says why; ``url``, where)."""

    def __init__(self, msg, url=None):
        super(MeasureError, self).__init__(msg)
        self.url = url


class Samples(object):
    """Cumulative byte counts over time, from the moment the transfer started.

    Each sample is ``(seconds_since_start, total_bytes_so_far)``.
    """

    def __init__(self):
        self.points = [(0.0, 0)]

    def add(self, seconds, total_bytes):
        self.points.append((float(seconds), int(total_bytes)))

    @property
    def total_bytes(self):
        return self.points[-1][1]

    @property
    def total_seconds(self):
        return self.points[-1][0]


def measure(points, warmup_seconds):
    """Throughput of a transfer after discarding a warm-up.

    ``points`` are ``(seconds, cumulative_bytes)`` pairs in time order starting with
    ``(0, 0)``. The warm-up (TCP slow start, the first burst of a token bucket, connection
    set-up) is the data received during the first ``warmup_seconds``. The measured window
    starts at the first sample at or after the warm-up and ends at the last sample.

    When the transfer is too short to leave at least half a second after the warm-up, the
    whole transfer is measured and ``warmup_discarded`` is false.
    """
    points = sorted(points)
    if not points or points[-1][0] <= 0:
        return {
            'measured_mbit': None, 'window_bytes': 0, 'window_seconds': 0.0,
            'warmup_bytes': 0, 'warmup_seconds': 0.0, 'warmup_discarded': False,
        }
    end_seconds, end_bytes = points[-1]
    start = None
    for point in points:
        if point[0] >= warmup_seconds:
            start = point
            break
    if start is None or end_seconds - start[0] < 0.5 or warmup_seconds <= 0:
        start = points[0]
        discarded = False
    else:
        discarded = start[0] > 0
    window_bytes = end_bytes - start[1]
    window_seconds = end_seconds - start[0]
    return {
        'measured_mbit': round(mbit_per_s(window_bytes, window_seconds), 3) if window_seconds > 0 else None,
        'window_bytes': window_bytes,
        'window_seconds': round(window_seconds, 3),
        'warmup_bytes': start[1],
        'warmup_seconds': round(start[0], 3),
        'warmup_discarded': discarded,
    }
