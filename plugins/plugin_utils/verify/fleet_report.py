# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet report of verify: one row per mirror, one column per check, the tree's age.

``fleet_report()`` turns the rows of every mirror (verify/rows.py) into the facts the role
writes as JSON and renders as HTML (roles/gentoo_mirror_verify/templates/fleet-report.html.j2):
both come from this one dict, so the page and the JSON always say the same.

The tree's age is what mirmon measures: the age of distfiles/timestamp.mirmon as the
timestamp check read it (the oldest over the protocols, the one a user may get), drawn as a
bar against the threshold of the checks (sync interval plus allowance, 6 h by default).
"""

from __future__ import annotations

import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.rows import FAIL, OK, SKIP, WARN, age, count

# A cell's result is the worst of its rows; NONE: the mirror has no row for that check (e.g.
# the certificate of a mirror without HTTPS).
NONE = "none"
WORST_FIRST = (FAIL, WARN, OK, SKIP)
LABELS = {OK: "ok", WARN: "warn", FAIL: "FAIL", SKIP: "skip", NONE: "-"}
# The bar's full length in thresholds: the threshold mark sits in the middle.
BAR_THRESHOLDS = 2
AGE_CHECK = "timestamp.mirmon"
NO_RESULTS = "no results: the host failed or was unreachable before its checks ended"


def _iso(timestamp):
    return datetime.datetime.fromtimestamp(float(timestamp), datetime.timezone.utc).isoformat(timespec="seconds")


def worst(results):
    """The worst of a few results (fail, warn, ok, skip); NONE for none."""
    results = set(results)
    return next((result for result in WORST_FIRST if result in results), NONE)


def tree_age(rows, max_age_seconds):
    """The tree's age from the timestamp check's rows: {seconds, text, state, threshold}."""
    ages = [float(r["age_seconds"]) for r in rows if r.get("check") == AGE_CHECK and r.get("age_seconds") is not None]
    seconds = max(ages) if ages else None
    if seconds is None:
        state, text = "unknown", "unknown"
    else:
        state = "stale" if seconds > max_age_seconds else "fresh"
        text = age(max(seconds, 0))
    return {"seconds": seconds, "text": text, "state": state, "threshold_seconds": max_age_seconds,
            "bar_percent": None if seconds is None else
            round(min(max(seconds, 0) / (BAR_THRESHOLDS * max_age_seconds), 1.0) * 100, 1)}


def _mirror(report, checks, max_age_seconds):
    rows = report.get("rows")
    entry = {"name": report.get("name") or report.get("host"), "host": report.get("host") or report.get("name"),
             "checked": _iso(report["now"]) if report.get("now") is not None else None}
    if not isinstance(rows, list):
        entry.update({"result": "fail", "note": NO_RESULTS, "counts": count([]),
                      "age": tree_age([], max_age_seconds),
                      "checks": {check: {"result": NONE, "label": LABELS[NONE], "rows": []} for check in checks},
                      "failures": []})
        return entry
    cells = {}
    for check in checks:
        mine = [{"protocol": r["protocol"], "result": r["result"], "detail": r["detail"]}
                for r in rows if r.get("check") == check]
        result = worst(r["result"] for r in mine)
        cells[check] = {"result": result, "label": LABELS[result], "rows": mine}
    counts = count(rows)
    entry.update({"result": "fail" if counts[FAIL] else "pass", "note": "", "counts": counts,
                  "age": tree_age(rows, max_age_seconds), "checks": cells,
                  "failures": ["%s (%s): %s" % (r["check"], r["protocol"], r["detail"])
                               for r in rows if r.get("result") == FAIL]})
    return entry


def fleet_report(reports, max_age_seconds, generated):
    """The facts of the fleet report.

    ``reports``: one item per mirror in inventory order, ``{"name", "host", "rows", "now"}``;
    ``rows`` None (or missing) for a host that has no results. ``max_age_seconds``: the age
    threshold. ``generated``: the controller's clock (UNIX time) when the report is written.
    """
    if not isinstance(reports, list) or not all(isinstance(r, dict) for r in reports):
        raise AnsibleFilterError("verify_fleet_report expects a list of {name, host, rows, now} per mirror")
    try:
        max_age_seconds = float(max_age_seconds)
        generated = float(generated)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("verify_fleet_report: max_age_seconds and generated must be numbers: %s" % exc)
    checks = []
    for report in reports:
        for r in report.get("rows") or []:
            if r.get("check") not in checks:
                checks.append(r.get("check"))
    mirrors = [_mirror(report, checks, max_age_seconds) for report in reports]
    failing = sum(1 for m in mirrors if m["result"] == "fail")
    return {
        "generated": _iso(generated),
        "max_age_seconds": max_age_seconds,
        "max_age_text": age(max_age_seconds),
        "bar_seconds": BAR_THRESHOLDS * max_age_seconds,
        "checks": checks,
        "summary": {"mirrors": len(mirrors), "pass": len(mirrors) - failing, "fail": failing},
        "mirrors": mirrors,
    }
