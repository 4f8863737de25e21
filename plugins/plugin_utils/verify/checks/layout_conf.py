# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check ``layout.conf``: distfiles/layout.conf names a layout Portage can use.

Collected by roles/gentoo_mirror_verify/tasks/checks/layout_conf.yml: ``layout_conf`` (uri
looped over each web protocol).
"""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.layout import layout_parse
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import http_problem, loop_results
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, row
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.sample import layout_problem

CHECK = "layout.conf"


def judge(raw, settings, now):
    rows = []
    for result in loop_results(raw.get("layout_conf")):
        if result.get("skipped"):
            continue
        proto = (result.get("item") or {}).get("protocol", "http")
        problem = http_problem(result)
        if problem:
            rows.append(row(CHECK, proto, FAIL, "distfiles/layout.conf: " + problem))
            continue
        parsed = layout_parse(result.get("content"))
        if parsed["primary"] is None:
            rows.append(row(CHECK, proto, FAIL, "names no usable layout: %s" % layout_problem(parsed)))
        else:
            rows.append(row(CHECK, proto, OK, "[structure] %s" % ", ".join(
                "%d=%s" % (s["index"], s["spec"]) for s in parsed["structures"])))
    return rows
