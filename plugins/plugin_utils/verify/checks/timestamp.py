# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check ``timestamp.mirmon``: distfiles/timestamp.mirmon over each protocol is fresh.

Collected by roles/gentoo_mirror_verify/tasks/checks/timestamp.yml: ``timestamp_web`` (looped
uri), ``timestamp_rsync`` (the rsync client) and ``timestamp_rsync_file`` (slurp of its copy).
"""

from __future__ import annotations

import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import decode_slurp, http_problem, loop_results, rsync_problem, skipped
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, WARN, age, iso, row

CHECK = "timestamp.mirmon"


def _stamp(text):
    """(UNIX time, first line) of distfiles/timestamp.mirmon; the time None when unreadable."""
    first = to_text(text or "").strip().splitlines()
    first = first[0].strip() if first else ""
    match = re.match(r"^(\d{9,})\b", first)
    return (int(match.group(1)) if match else None), first


def timestamp_age(text, now):
    """Seconds since distfiles/timestamp.mirmon was written (the tree's age), or None."""
    stamp = _stamp(text)[0]
    return None if stamp is None else float(now) - stamp


def judge_timestamp(text, now, max_age_seconds):
    """(result, detail) for the content of distfiles/timestamp.mirmon."""
    stamp, first = _stamp(text)
    if stamp is None:
        return FAIL, "first line is not a UNIX timestamp: %r" % first[:40]
    old = float(now) - stamp
    if old > max_age_seconds:
        return FAIL, "stale: %s old (written %s), threshold %s" % (age(old), iso(stamp), age(max_age_seconds))
    if old < -300:
        return WARN, "%s in the future (written %s): clocks of the controller and upstream disagree" % (
            age(-old), iso(stamp))
    return OK, "%s old (written %s), threshold %s" % (age(max(old, 0)), iso(stamp), age(max_age_seconds))


def _with_age(one, text, now):
    # The fleet report draws the tree's age from it (verify/fleet_report.py).
    one["age_seconds"] = timestamp_age(text, now)
    return one


def judge(raw, settings, now):
    rows = []
    max_age = float(settings["max_age_seconds"])
    for result in loop_results(raw.get("timestamp_web")):
        proto = (result.get("item") or {}).get("protocol", "http")
        if result.get("skipped"):
            continue
        problem = http_problem(result)
        if problem:
            rows.append(row(CHECK, proto, FAIL, "distfiles/timestamp.mirmon: " + problem))
            continue
        rows.append(_with_age(row(CHECK, proto, *judge_timestamp(result.get("content"), now, max_age)),
                              result.get("content"), now))
    if settings.get("rsync"):
        fetched = raw.get("timestamp_rsync") or {}
        if skipped(fetched):
            rows.append(row(CHECK, "rsync", FAIL, "not fetched over rsync"))
        elif rsync_problem(fetched):
            rows.append(row(CHECK, "rsync", FAIL, "distfiles/timestamp.mirmon: " + rsync_problem(fetched)))
        else:
            text = decode_slurp(raw.get("timestamp_rsync_file") or {})
            verdict, detail = judge_timestamp(text, now, max_age) if text is not None else (FAIL, "fetched but unreadable")
            rows.append(_with_age(row(CHECK, "rsync", verdict, detail), text, now))
    return rows
