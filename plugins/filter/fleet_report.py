# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The filter verify_fleet_report; it lives in plugins/plugin_utils/verify/fleet_report.py."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.fleet_report import fleet_report


def verify_fleet_report(reports, max_age_seconds, generated):
    """The facts of the fleet report (see plugin_utils/verify/fleet_report.py)."""
    return fleet_report(reports, max_age_seconds, generated)


class FilterModule:
    """The fleet report of verify.yml."""

    def filters(self):
        return {"verify_fleet_report": verify_fleet_report}
