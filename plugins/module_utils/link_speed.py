# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The link speed the kernel knows for the network interfaces, and which one the default route
uses. What the interface negotiated, not what the path to a source delivers."""

from __future__ import annotations

import os

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.files import read_text


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


def link_figures(sysfs='/sys/class/net'):
    """Link speeds, the interface of the default route and its speed (None where unknown)."""
    speeds = read_link_speeds(sysfs)
    iface = default_route_interface(read_text('/proc/net/route') or '') or \
        default_route_interface6(read_text('/proc/net/ipv6_route') or '')
    return {
        'link_speeds': speeds,
        'link_interface': iface,
        'link_speed_mbit': speeds.get(iface) if iface else None,
    }
