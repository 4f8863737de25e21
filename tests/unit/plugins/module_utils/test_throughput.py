# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
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


LISTING_32 = """Welcome to the test mirror
drwxr-xr-x          4,096 2026/11/25 08:00:00 .
-rw-r--r--     67,108,864 2026/11/25 08:00:00 big.bin
-rw-r--r--            512 2026/11/25 08:00:00 name with spaces.txt
lrwxrwxrwx             11 2026/11/25 08:00:00 latest -> big.bin
drwxr-xr-x          4,096 2026/11/25 08:00:00 distfiles
drwxr-xr-x          4,096 2026/11/25 08:00:00 snapshots
"""

LISTING_OLD = """-rw-r--r--    123456789 2019/01/01 00:00:00 gentoo-latest.tar.xz
-rw-r--r--         1.234 2019/01/01 00:00:00 dotted
"""


def test_parse_rsync_list():
    entries = throughput.parse_rsync_list(LISTING_32)
    assert [e['name'] for e in entries] == ['.', 'big.bin', 'name with spaces.txt', 'latest', 'distfiles', 'snapshots']
    assert entries[1] == {'type': 'file', 'size': 67108864, 'name': 'big.bin'}
    assert entries[3]['type'] == 'link'
    assert throughput.largest_file(entries)['name'] == 'big.bin'
    assert throughput.subdirectories(entries) == ['distfiles', 'snapshots']
    old = throughput.parse_rsync_list(LISTING_OLD)
    assert old[0]['size'] == 123456789 and old[1]['size'] == 1234
    assert throughput.largest_file([]) is None


def test_link_speeds(tmp_path):
    for name, speed in (('eth0', '1000\n'), ('eth1', '-1\n'), ('lo', '0'), ('wlan0', None)):
        (tmp_path / name).mkdir()
        if speed is not None:
            (tmp_path / name / 'speed').write_text(speed)
    assert throughput.read_link_speeds(str(tmp_path)) == {'eth0': 1000, 'eth1': None, 'wlan0': None}
    assert throughput.read_link_speeds(str(tmp_path / 'missing')) == {}


def test_default_route():
    route = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
             "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
             "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n")
    assert throughput.default_route_interface(route) == 'eth0'
    assert throughput.default_route_interface(route.splitlines()[0]) is None
    v6 = ('00000000000000000000000000000000 00 00000000000000000000000000000000 00 '
          'fe800000000000000000000000000001 00000400 00000001 00000000 00000003 ens3\n')
    assert throughput.default_route_interface6(v6) == 'ens3'
