# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter default_ca_bundle; it lives in plugins/plugin_utils/ca_bundle.py."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.ca_bundle import default_ca_bundle


class FilterModule:
    """The controller's CA bundle."""

    def filters(self):
        return {"default_ca_bundle": default_ca_bundle}
