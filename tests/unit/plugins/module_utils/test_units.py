# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import units

GIB = 1024 ** 3


def test_units():
    assert units.to_gib(GIB * 3 // 2) == 1.5
    assert units.to_gib(None) is None
    assert units.fmt_gib(800 * GIB) == '800.00 GiB'
    assert units.mbit_per_s(1250000, 1.0) == 10.0
    assert units.mbit_per_s(10, 0) is None
    assert units.fmt_count(1234567) == '1,234,567'
