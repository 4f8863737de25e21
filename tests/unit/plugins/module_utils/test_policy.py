# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The policy figures are the modules' defaults, and their documentation says the same."""

from __future__ import annotations

import yaml

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.policy import POLICY, policy_figures
from ansible_collections.mirrorkit.gentoo.plugins.modules import bandwidth, connection_limits, disk_space

# module, option, policy figure
DEFAULTS = [
    (connection_limits, 'min_connections', 'min_connections'),
    (connection_limits, 'recommended_connections', 'recommended_connections'),
    (bandwidth, 'min_mbit', 'min_bandwidth_mbit'),
    (bandwidth, 'recommended_mbit', 'recommended_bandwidth_mbit'),
    (disk_space, 'min_gib', 'min_disk_gib'),
]


def test_documented_module_defaults_are_the_policy_figures():
    for module, option, figure in DEFAULTS:
        documented = yaml.safe_load(module.DOCUMENTATION)['options'][option]['default']
        assert documented == POLICY[figure], (module.__name__, option)


def test_policy_figures_is_a_copy_with_lists():
    figures = policy_figures()
    assert figures['directories'] == list(POLICY['directories'])
    figures['min_connections'] = 1
    assert POLICY['min_connections'] == 15
