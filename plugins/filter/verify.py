# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters of the verify role: judge a check, draw the table, sum up the fleet.

Thin: the judging of each check lives in plugins/plugin_utils/verify/checks/<check>.py, the
drawing in plugins/plugin_utils/verify/table.py.
"""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.judge import judge, verify_evaluate
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.table import verify_failures, verify_fleet_summary, verify_table


def verify_judge(raw, check, settings, now):
    """Rows of one check (see plugin_utils/verify/judge.py)."""
    return judge(raw, check, settings, now)


class FilterModule:
    """Filters of the verify role and the verify and inclusion_request playbooks."""

    def filters(self):
        return {
            "verify_judge": verify_judge,
            "verify_evaluate": verify_evaluate,
            "verify_failures": verify_failures,
            "verify_fleet_summary": verify_fleet_summary,
            "verify_table": verify_table,
        }
