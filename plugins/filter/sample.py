# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sampling filters; the choosing lives in plugins/plugin_utils/verify/sample.py."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.sample import distfiles_sample, sample_spread


class FilterModule:
    """A few items spread over many, and the sample of distfiles the layout check fetches."""

    def filters(self):
        return {
            "sample_spread": sample_spread,
            "distfiles_sample": distfiles_sample,
        }
