# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import link_speed


def test_link_speeds(tmp_path):
    for name, speed in (('eth0', '1000\n'), ('eth1', '-1\n'), ('lo', '0'), ('wlan0', None)):
        (tmp_path / name).mkdir()
        if speed is not None:
            (tmp_path / name / 'speed').write_text(speed)
    assert link_speed.read_link_speeds(str(tmp_path)) == {'eth0': 1000, 'eth1': None, 'wlan0': None}
    assert link_speed.read_link_speeds(str(tmp_path / 'missing')) == {}


def test_default_route():
    route = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
             "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
             "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n")
    assert link_speed.default_route_interface(route) == 'eth0'
    assert link_speed.default_route_interface(route.splitlines()[0]) is None
    v6 = ('00000000000000000000000000000000 00 00000000000000000000000000000000 00 '
          'fe800000000000000000000000000001 00000400 00000001 00000000 00000003 ens3\n')
    assert link_speed.default_route_interface6(v6) == 'ens3'
