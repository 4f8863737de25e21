# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter rsync_url; it lives in plugins/plugin_utils/rsync_url.py."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.rsync_url import rsync_url


class FilterModule:
    """An rsync daemon source as a URL."""

    def filters(self):
        return {"rsync_url": rsync_url}
