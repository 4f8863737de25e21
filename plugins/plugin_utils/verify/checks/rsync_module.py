# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check ``rsync module``: the rsync module answers and holds the policy's directories.

Collected by roles/gentoo_mirror_verify/tasks/checks/rsync_module.yml: ``rsync_module``
(``rsync --list-only`` of the module).
"""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils.policy import POLICY
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import rsync_problem, skipped
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.listing import rsync_list_entries
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, row

CHECK = "rsync module"


def judge(raw, settings, now):
    if not settings.get("rsync"):
        return []
    result = raw.get("rsync_module") or {}
    if skipped(result):
        return [row(CHECK, "rsync", FAIL, "not checked")]
    problem = rsync_problem(result)
    if problem:
        return [row(CHECK, "rsync", FAIL, problem)]
    entries = rsync_list_entries(result.get("stdout_lines") or result.get("stdout"))
    missing = [d + "/" for d in POLICY["directories"] if d + "/" not in entries]
    if missing:
        return [row(CHECK, "rsync", FAIL, "answers but lacks %s" % ", ".join(missing))]
    return [row(CHECK, "rsync", OK, "answers with %d entries: %s" % (len(entries), ", ".join(entries[:6])))]
