# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import bandwidth_verdict


def test_bandwidth_describe():
    result = {'min_mbit': 5.0, 'recommended_mbit': 100.0, 'measured_mbit': 1.91, 'url': 'http://m/x',
              'window_seconds': 9.0, 'warmup_discarded': True, 'warmup_seconds': 1.0,
              'verdict': 'below_minimum'}
    assert bandwidth_verdict.describe(result) == ('Measured 1.91 Mbit/s from http://m/x over 9.00 s (after a 1.00 s '
                                                          'warm-up): below the minimum of 5 Mbit/s (min_mbit) that a Gentoo '
                                                          'source mirror needs')
    result.update(verdict='below_recommended', measured_mbit=19.2)
    assert bandwidth_verdict.describe(result).endswith('below the recommended 100 Mbit/s (recommended_mbit), '
                                                               'above the minimum of 5 Mbit/s')
