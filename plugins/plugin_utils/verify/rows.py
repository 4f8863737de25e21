# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rows verify draws its table from, and how they word times and ages.

A row is one check over one protocol::

    {"check": "timestamp.mirmon", "protocol": "http", "result": "ok", "detail": "..."}

``result`` is ``ok``, ``warn`` (passes, below a recommendation), ``fail`` or ``skip``. A check
may add facts of its own for the fleet report (the timestamp check: ``age_seconds``).
"""

from __future__ import annotations

import datetime

from ansible.module_utils.common.text.converters import to_text

OK = "ok"
WARN = "warn"
FAIL = "fail"
SKIP = "skip"
RESULTS = (OK, WARN, FAIL, SKIP)


def row(check, protocol, result, detail):
    """One row; the detail on one line."""
    return {"check": check, "protocol": protocol, "result": result, "detail": " ".join(to_text(detail).split())}


def count(rows):
    """{result: how many rows have it} for every result."""
    return {key: sum(1 for r in rows if r.get("result") == key) for key in RESULTS}


def iso(timestamp):
    return datetime.datetime.fromtimestamp(float(timestamp), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def age(seconds):
    seconds = float(seconds)
    if abs(seconds) < 120:
        return "%d s" % seconds
    if abs(seconds) < 7200:
        return "%.0f min" % (seconds / 60)
    if abs(seconds) < 3 * 86400:
        return "%.1f h" % (seconds / 3600)
    return "%.1f days" % (seconds / 86400)
