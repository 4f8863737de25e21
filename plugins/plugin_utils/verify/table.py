# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What verify shows: the table per mirror, the failure lines, the fleet summary."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, SKIP, WARN, count

LABELS = {OK: "ok", WARN: "WARN", FAIL: "FAIL", SKIP: "skip"}


def verify_failures(rows, host=None):
    """One line per failed row: ``<host>: <check> (<protocol>) FAILED: <detail>``."""
    prefix = ("%s: " % host) if host else ""
    return ["%s%s (%s) FAILED: %s" % (prefix, r["check"], r["protocol"], r["detail"])
            for r in rows or [] if r.get("result") == FAIL]


def verify_fleet_summary(reports):
    """Lines summing up several mirrors; ``reports`` is a list of ``{"name", "rows"}``."""
    reports = [r for r in reports or [] if isinstance(r, dict)]
    failing = [r for r in reports if any(row.get("result") == FAIL for row in r.get("rows", []))]
    lines = ["%d mirror(s) checked: %d pass, %d fail" % (len(reports), len(reports) - len(failing), len(failing))]
    for report in reports:
        rows = report.get("rows", [])
        counts = count(rows)
        lines.append("%s: %s (%d ok, %d warnings, %d failed, %d skipped)" % (
            report.get("name"), "FAIL" if counts[FAIL] else "PASS", counts[OK], counts[WARN], counts[FAIL], counts[SKIP]))
        lines.extend("  " + line for line in verify_failures(rows))
    return lines


def _wrap(detail, room):
    chunks = []
    while len(detail) > room:
        cut = detail.rfind(" ", 0, room)
        cut = cut if cut > room // 2 else room
        chunks.append(detail[:cut])
        detail = detail[cut:].lstrip()
    return chunks + [detail]


def verify_table(rows, title=None, width=110):
    """A plain-text table of the rows (one list item per line, for ``debug: msg``)."""
    rows = list(rows or [])
    head = ("CHECK", "PROTOCOL", "RESULT", "DETAIL")
    cells = [(r["check"], r["protocol"], LABELS.get(r["result"], r["result"]), r["detail"]) for r in rows]
    widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(3)]
    indent = sum(widths) + 6
    room = max(int(width) - indent, 30)
    lines = [title] if title else []
    lines.append("  ".join(h.ljust(widths[i]) for i, h in enumerate(head[:3])) + "  " + head[3])
    lines.append("-" * min(int(width), indent + max([len(head[3])] + [len(c[3]) for c in cells])))
    for cell in cells:
        chunks = _wrap(cell[3], room)
        lines.append("  ".join(cell[i].ljust(widths[i]) for i in range(3)) + "  " + chunks[0])
        lines.extend(" " * indent + chunk for chunk in chunks[1:])
    counts = count(rows)
    lines.append("%d ok, %d warnings, %d failed, %d skipped" % (counts[OK], counts[WARN], counts[FAIL], counts[SKIP]))
    return lines
