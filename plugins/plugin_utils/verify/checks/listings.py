# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check ``listing <dir>/``: the directories the policy wants listed answer with a listing.

Collected by roles/gentoo_mirror_verify/tasks/checks/listings.yml: ``listings`` (uri looped
over each web protocol and directory).
"""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import http_problem, loop_results
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.listing import autoindex_entries
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, row


def judge(raw, settings, now):
    rows = []
    for result in loop_results(raw.get("listings")):
        if result.get("skipped"):
            continue
        web, directory = (result.get("item") or [{}, "?"])[:2]
        proto = web.get("protocol", "http")
        check = "listing %s/" % directory
        problem = http_problem(result)
        if problem:
            hint = " (directory listing turned off?)" if result.get("status") in (403, 404) else ""
            rows.append(row(check, proto, FAIL, problem + hint))
            continue
        entries = autoindex_entries(result.get("content"))
        if not entries:
            rows.append(row(check, proto, FAIL, "answered 200 but lists no entries (no autoindex, or an empty directory)"))
        else:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            rows.append(row(check, proto, OK, "%d entries: %s" % (len(entries), shown)))
    return rows
