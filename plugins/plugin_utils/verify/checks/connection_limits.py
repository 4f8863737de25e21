# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check ``connection limits``: the verdicts mirrorkit.gentoo.connection_limits returns.

Collected by roles/gentoo_mirror_verify/tasks/checks/connection_limits.yml: ``limits`` (the
module, run on the mirror). The capacity verdict of each protocol is the module's own
(RV protocols.<protocol>.verdict), and so is the verdict of its live probe
(RV protocols.<protocol>.probe.verdict): below the minimum fails, any connection left
unserved warns. Nothing is recomputed here.
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import skipped, unreachable
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, SKIP, WARN, row

CHECK = "connection limits"
VERDICTS = {"ok": OK, "below_recommended": WARN}


def _capacity(figures):
    limiting = figures.get("limiting") or {}
    capacity = figures.get("capacity")
    text = "%s concurrent clients" % ("no limit on" if capacity is None else capacity)
    if limiting.get("directive"):
        text += ", limited by %s %s%s" % (limiting["directive"], limiting.get("value"),
                                          (" in %s" % limiting["file"]) if limiting.get("file") else "")
    return VERDICTS.get(figures.get("verdict"), FAIL), text


def _probe(verdict, probe):
    """The probe's verdict is the module's too (RV protocols.<protocol>.probe.verdict)."""
    text = "; probe: %d of %d served" % (probe.get("served", 0), probe.get("attempted", 0))
    if probe.get("verdict") == "below_minimum":
        return FAIL, text + " (%s)" % (probe.get("sample_refusal") or probe.get("sample_error")
                                       or "%s unanswered" % probe.get("unanswered"))
    if probe.get("verdict") != "ok" and verdict == OK:
        return WARN, text
    return verdict, text


def judge(raw, settings, now):
    if not settings.get("limits"):
        return [row(CHECK, "-", SKIP, "gentoo_mirror_verify_limits is false")]
    result = raw.get("limits") or {}
    if skipped(result):
        return [row(CHECK, "-", SKIP, result.get("skip_reason") or "not checked")]
    if unreachable(result):
        return [row(CHECK, "-", FAIL, unreachable(result))]
    protocols = result.get("protocols") or {}
    wanted = {"http": bool(settings.get("web")), "rsync": bool(settings.get("rsync"))}
    rows = []
    for name in ("http", "rsync"):
        figures = protocols.get(name) or {}
        if not wanted[name]:
            continue
        if not figures.get("enabled"):
            rows.append(row(CHECK, name, FAIL, "not checked: %s" % to_text(result.get("msg") or "service not found")))
            continue
        verdict, text = _capacity(figures)
        if figures.get("probe"):
            verdict, probed = _probe(verdict, figures["probe"])
            text += probed
        rows.append(row(CHECK, name, verdict, text))
    if not rows and result.get("failed"):
        rows.append(row(CHECK, "-", FAIL, to_text(result.get("msg") or "check failed")))
    return rows
