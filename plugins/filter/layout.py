# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""GLEP 75 distfiles layout filters; the parsing and the paths live in plugin_utils/layout.py."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.layout import layout_parse, layout_path


class FilterModule:
    """GLEP 75 distfiles layout filters."""

    def filters(self):
        return {
            "layout_parse": layout_parse,
            "layout_path": layout_path,
        }
