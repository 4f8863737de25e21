# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check ``last sync``: the sync job's status file says its last run succeeded, recently.

Collected by roles/gentoo_mirror_verify/tasks/checks/last_sync.yml: ``status`` (slurp of
status.json on the mirror).
"""

from __future__ import annotations

import json

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import decode_slurp, skipped, unreachable
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, SKIP, age, iso, row

CHECK = "last sync"


def judge_status(status, now, max_age_seconds):
    """(result, detail) for the sync job's status.json (a dict)."""
    result = status.get("result")
    end = status.get("end_timestamp")
    last_ok = status.get("last_success_timestamp")
    when = ("ended %s (%s ago)" % (iso(end), age(float(now) - float(end)))) if end else "end unknown"
    if result != "success":
        message = to_text(status.get("message") or "").strip() or "no message"
        return FAIL, "last run %s, %s: %s; last success %s%s" % (
            result or "unknown", when, message,
            iso(last_ok) if last_ok else "never",
            (", %d failures in a row" % status["consecutive_failures"]) if status.get("consecutive_failures") else "")
    if end and float(now) - float(end) > max_age_seconds:
        return FAIL, "last run succeeded but %s, threshold %s: is the timer running?" % (when, age(max_age_seconds))
    took = status.get("duration_seconds")
    return OK, "success, %s%s" % (when, (", took %s" % age(took)) if took is not None else "")


def judge(raw, settings, now):
    result = raw.get("status") or {}
    path = settings.get("status_file", "status.json")
    if skipped(result):
        return [row(CHECK, "status", SKIP, "status file not read")]
    if unreachable(result):
        return [row(CHECK, "status", FAIL, unreachable(result))]
    if result.get("failed") or "content" not in result:
        return [row(CHECK, "status", FAIL, "cannot read %s: %s (no sync has finished yet?)" % (
            path, to_text(result.get("msg") or "").strip()))]
    try:
        status = json.loads(decode_slurp(result) or "")
    except ValueError as exc:
        return [row(CHECK, "status", FAIL, "%s is not JSON: %s" % (path, exc))]
    if not isinstance(status, dict):
        return [row(CHECK, "status", FAIL, "%s is not a JSON object" % path)]
    return [row(CHECK, "status", *judge_status(status, now, float(settings["max_age_seconds"])))]
