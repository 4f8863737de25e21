# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Directory listing filters; the parsing lives in plugins/plugin_utils/verify/listing.py."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.listing import autoindex_entries, rsync_list_entries


class FilterModule:
    """Entries of an HTML or rsync directory listing."""

    def filters(self):
        return {
            "autoindex_entries": autoindex_entries,
            "rsync_list_entries": rsync_list_entries,
        }
