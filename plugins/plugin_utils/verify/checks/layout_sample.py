# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check ``layout sample``: real distfiles sit at the path layout.conf gives them.

Collected by roles/gentoo_mirror_verify/tasks/checks/layout_sample.yml: ``sample`` (what
verify.sample.distfiles_sample chose) and ``sample_fetch`` (HEAD requests looped over each
web protocol and sampled file).
"""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import http_problem, loop_results
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, WARN, row

CHECK = "layout sample"


def judge(raw, settings, now):
    rows = []
    sample = raw.get("sample") or {}
    fetches = loop_results(raw.get("sample_fetch"))
    for web in settings.get("web") or []:
        proto = web["protocol"]
        if sample.get("error") or not sample.get("files"):
            # Listings of distfiles/ are optional under the policy: without any, no sample
            # can be taken, which is worth a warning but is no failure of the mirror.
            verdict = WARN if sample.get("listed") is False else FAIL
            rows.append(row(CHECK, proto, verdict, sample.get("error") or "no sample of distfiles was taken"))
            continue
        mine = [r for r in fetches if (r.get("item") or [{}])[0].get("protocol") == proto and not r.get("skipped")]
        missing = []
        misplaced = []
        for result in mine:
            entry = result["item"][1]
            if http_problem(result):
                missing.append("%s (%s)" % (entry["computed"], http_problem(result)))
            elif entry["computed"] != entry["listed"]:
                misplaced.append("%s listed at %s" % (entry["computed"], entry["listed"]))
        total = len(sample["files"])
        if not mine:
            rows.append(row(CHECK, proto, FAIL, "the sample was not fetched"))
        elif missing or misplaced:
            rows.append(row(CHECK, proto, FAIL, "%d of %d files not at the path '%s' gives: %s" % (
                len(missing) + len(misplaced), total, sample.get("layout"), "; ".join((missing + misplaced)[:3]))))
        else:
            rows.append(row(CHECK, proto, OK, "%d of %d files at their '%s' paths, e.g. distfiles/%s" % (
                len(mine), total, sample.get("layout"), sample["files"][0]["computed"])))
    return rows
