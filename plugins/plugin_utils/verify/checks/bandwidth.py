# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks ``bandwidth upstream`` and ``bandwidth to users``: the verdicts of mirrorkit.gentoo.bandwidth.

Collected by roles/gentoo_mirror_verify/tasks/checks/bandwidth.yml: ``bandwidth_upstream``
(measured on the mirror from its upstream) and ``bandwidth_client`` (measured from the
controller over the mirror's first web protocol).
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.answers import skipped, unreachable
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, SKIP, WARN, row

SWITCHED_OFF = "gentoo_mirror_verify_bandwidth is false"


def _row(check, protocol, result, enabled):
    if not enabled:
        return row(check, protocol, SKIP, SWITCHED_OFF)
    if skipped(result):
        return row(check, protocol, SKIP, (result or {}).get("skip_reason") or "not measured")
    if unreachable(result):
        return row(check, protocol, FAIL, unreachable(result))
    verdict = result.get("verdict")
    msg = to_text(result.get("msg") or "").strip()
    if verdict == "ok" and not result.get("failed"):
        return row(check, protocol, OK, "%.1f Mbit/s from %s over %.1f s" % (
            float(result.get("measured_mbit") or 0), result.get("url"), float(result.get("seconds") or 0)))
    if verdict == "below_recommended" and not result.get("failed"):
        return row(check, protocol, WARN, msg)
    return row(check, protocol, FAIL, msg or "measurement failed")


def judge(raw, settings, now):
    enabled = bool(settings.get("bandwidth"))
    web = settings.get("web") or []
    proto = web[0]["protocol"] if web else "http"
    return [_row("bandwidth upstream", "rsync", raw.get("bandwidth_upstream"), enabled),
            _row("bandwidth to users", proto, raw.get("bandwidth_client"), enabled)]
