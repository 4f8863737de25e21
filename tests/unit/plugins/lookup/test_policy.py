# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The policy lookup hands out the figures of plugins/module_utils/policy.py, nothing else."""

import pytest
from ansible.errors import AnsibleLookupError

from ansible_collections.mirrorkit.gentoo.plugins.lookup.policy import LookupModule
from ansible_collections.mirrorkit.gentoo.plugins.module_utils.policy import POLICY


def test_whole_map_without_terms():
    (figures,) = LookupModule().run([])
    assert figures['min_connections'] == POLICY['min_connections'] == 15
    assert figures['recommended_connections'] == 30
    assert figures['min_bandwidth_mbit'] == 5
    assert figures['recommended_bandwidth_mbit'] == 100
    assert figures['min_disk_gib'] == 800
    assert figures['sync_interval_hours'] == 4
    assert figures['sync_hours'] == ['00', '04', '08', '12', '16', '20']
    assert figures['listing_directories'] == ['experimental', 'releases', 'snapshots']


def test_named_figures():
    assert LookupModule().run(['min_disk_gib', 'sync_schedule']) == [800, '*-*-* 00/4:00:00']


def test_unknown_figure_is_named():
    with pytest.raises(AnsibleLookupError, match='unknown figure.*min_conections'):
        LookupModule().run(['min_conections'])
