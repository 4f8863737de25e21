# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The figures of Gentoo's source mirror policy, in one named place.

Modules import them from here; roles, playbooks and templates read the same map through the
lookup plugin ``mirrorkit.gentoo.policy`` (the base role publishes it as
``gentoo_mirror_policy``). Change a figure here and every check follows.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

POLICY = {
    # Disk: "at least 800 GiB".
    'min_disk_gib': 800,
    # Upstream bandwidth: "at least 5 Mbit/s", "100 Mbit/s strongly recommended".
    'min_bandwidth_mbit': 5,
    'recommended_bandwidth_mbit': 100,
    # Concurrent user connections: "at least 15", "30 or more preferred".
    'min_connections': 15,
    'recommended_connections': 30,
    # Sync: "every 4 hours, starting at midnight local time".
    'sync_interval_hours': 4,
    'sync_hours': tuple('%02d' % hour for hour in range(0, 24, 4)),
    'sync_schedule': '*-*-* 00/4:00:00',
    # Directories a source mirror carries; HTTP listings are required for the last three.
    'directories': ('distfiles', 'experimental', 'releases', 'snapshots'),
    'listing_directories': ('experimental', 'releases', 'snapshots'),
    # May be left out of the mirror.
    'optional_directories': ('releases/historical',),
}


def policy_figures():
    """A copy of the figures (lists instead of tuples, for Jinja and JSON)."""
    return dict((key, list(value) if isinstance(value, tuple) else value) for key, value in POLICY.items())
