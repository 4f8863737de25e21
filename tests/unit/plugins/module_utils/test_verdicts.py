# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import verdicts


def test_verdicts():
    assert verdicts.classify(4.9, 5, 100) == ('below_minimum', 'minimum')
    assert verdicts.classify(5, 5, 100) == ('below_recommended', 'recommended')
    assert verdicts.classify(100, 5, 100) == ('ok', None)
    assert verdicts.classify(None, 15, 30) == ('ok', None)
    assert verdicts.worst(['ok', 'below_recommended', 'ok']) == 'below_recommended'
    assert verdicts.worst(['below_minimum', 'below_recommended']) == 'below_minimum'
    assert verdicts.worst([]) == 'ok'
