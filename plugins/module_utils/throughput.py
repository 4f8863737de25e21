# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Throughput maths, rsync listings and link speeds for the bandwidth module."""

from __future__ import annotations

import os
import re

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.common import mbit_per_s


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
    end_t, end_b = points[-1]
    start = None
    for point in points:
        if point[0] >= warmup_seconds:
            start = point
            break
    if start is None or end_t - start[0] < 0.5 or warmup_seconds <= 0:
        start = points[0]
        discarded = False
    else:
        discarded = start[0] > 0
    window_b = end_b - start[1]
    window_t = end_t - start[0]
    return {
        'measured_mbit': round(mbit_per_s(window_b, window_t), 3) if window_t > 0 else None,
        'window_bytes': window_b,
        'window_seconds': round(window_t, 3),
        'warmup_bytes': start[1],
        'warmup_seconds': round(start[0], 3),
        'warmup_discarded': discarded,
    }


_LIST_RE = re.compile(
    r'^(?P<mode>[-dlcbps][-rwxsStT]{9}[+.@]?)\s+(?P<size>[\d,.]+)\s+'
    r'(?P<date>\d{4}/\d{2}/\d{2})\s+(?P<time>\d{2}:\d{2}:\d{2})\s+(?P<name>.+)$')


def parse_rsync_list(text):
    """Parse ``rsync --list-only`` output into dicts with type, size and name.

    rsync 3.1+ groups digits of sizes (``67,108,864``, or with dots in some locales);
    the separators are removed. MOTD lines and anything else that does not look like an entry
    are skipped.
    """
    entries = []
    for line in text.splitlines():
        match = _LIST_RE.match(line.rstrip('\r\n'))
        if not match:
            continue
        mode = match.group('mode')
        kind = {'-': 'file', 'd': 'dir', 'l': 'link'}.get(mode[0], 'other')
        name = match.group('name')
        if kind == 'link' and ' -> ' in name:
            name = name.split(' -> ', 1)[0]
        entries.append({
            'type': kind,
            'size': int(re.sub(r'[,.]', '', match.group('size'))),
            'name': name,
        })
    return entries


def largest_file(entries):
    files = [e for e in entries if e['type'] == 'file']
    if not files:
        return None
    return max(files, key=lambda e: (e['size'], e['name']))


def subdirectories(entries):
    return [e['name'] for e in entries if e['type'] == 'dir' and e['name'] not in ('.', '..')]


def read_link_speeds(sysfs='/sys/class/net'):
    """Link speed per interface in Mbit/s as the kernel reports it, None where unknown.

    Reading ``speed`` fails (EINVAL) for interfaces that are down or have no notion of speed,
    and some drivers report -1 or 0: all of these are "unknown". The loopback is left out.
    """
    speeds = {}
    try:
        names = sorted(os.listdir(sysfs))
    except OSError:
        return speeds
    for name in names:
        if name == 'lo':
            continue
        value = None
        try:
            with open(os.path.join(sysfs, name, 'speed')) as handle:
                raw = handle.read().strip()
            value = int(raw)
        except (IOError, OSError, ValueError):
            value = None
        if value is not None and value <= 0:
            value = None
        speeds[name] = value
    return speeds


def default_route_interface(route_text):
    """The interface of the IPv4 default route from the text of /proc/net/route."""
    for line in route_text.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and fields[1] == '00000000' and fields[7] == '00000000':
            return fields[0]
    return None


def default_route_interface6(route_text):
    """The interface of the IPv6 default route from the text of /proc/net/ipv6_route."""
    for line in route_text.splitlines():
        fields = line.split()
        if len(fields) >= 10 and fields[0] == '0' * 32 and fields[1] == '00' and fields[9] != 'lo':
            return fields[9]
    return None
