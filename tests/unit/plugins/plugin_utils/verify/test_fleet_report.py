# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The facts of the fleet report (plugin_utils/verify/fleet_report.py): one entry per mirror,
one cell per check, the tree's age against the threshold."""

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.fleet_report import NO_RESULTS, fleet_report, worst
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.judge import verify_evaluate

from verify_answers import HTTP, NOW, base_raw, slurped, uri

SIX_HOURS = 6 * 3600


def mirror(name, raw=None):
    return {"name": name, "host": name.split(".")[0], "rows": verify_evaluate(raw or base_raw()), "now": NOW}


def stale_raw(hours):
    old = "%d\n" % (NOW - hours * 3600)
    return base_raw(timestamp_web={"results": [uri(content=old, item=HTTP)]}, timestamp_rsync_file=slurped(old))


@pytest.mark.parametrize("results, expected", [
    (["ok", "fail", "warn"], "fail"), (["ok", "warn", "skip"], "warn"), (["skip", "ok"], "ok"),
    (["skip"], "skip"), ([], "none"),
])
def test_a_cell_is_the_worst_of_its_rows(results, expected):
    assert worst(results) == expected


def test_one_entry_per_mirror_in_order_one_cell_per_check():
    unlisted = base_raw(listings={"results": [uri(status=403, item=[HTTP, "releases"])]})
    report = fleet_report([mirror("a.example"), mirror("b.example", stale_raw(10)), mirror("c.example", unlisted)],
                          SIX_HOURS, NOW + 60)
    assert [m["name"] for m in report["mirrors"]] == ["a.example", "b.example", "c.example"]
    assert report["summary"] == {"mirrors": 3, "pass": 1, "fail": 2}
    # The columns: every check, in the order of the rows (the order of the table).
    first = mirror("a.example")["rows"]
    assert report["checks"] == list(dict.fromkeys(r["check"] for r in first))
    healthy, stale, unlisted = report["mirrors"]
    assert healthy["result"] == "pass" and healthy["failures"] == []
    assert {cell["result"] for cell in healthy["checks"].values()} == {"ok"}
    # The stale mirror fails its timestamp over both protocols and nothing else.
    assert stale["result"] == "fail"
    assert [c for c, cell in stale["checks"].items() if cell["result"] == "fail"] == ["timestamp.mirmon"]
    assert [(r["protocol"], r["result"]) for r in stale["checks"]["timestamp.mirmon"]["rows"]] == [
        ("http", "fail"), ("rsync", "fail")]
    assert stale["failures"][0].startswith("timestamp.mirmon (http): stale: 10.0 h old")
    assert [c for c, cell in unlisted["checks"].items() if cell["result"] == "fail"] == ["listing releases/"]
    assert unlisted["checks"]["listing releases/"]["label"] == "FAIL"
    assert report["generated"] == "2026-11-25T09:47:40+00:00"
    # What the role writes as JSON.
    assert json.loads(json.dumps(report)) == report


def test_the_age_is_the_oldest_timestamp_drawn_against_the_threshold():
    fresh = fleet_report([mirror("a.example")], SIX_HOURS, NOW)["mirrors"][0]["age"]
    assert fresh == {"seconds": 1800.0, "text": "30 min", "state": "fresh", "threshold_seconds": SIX_HOURS,
                     "bar_percent": 4.2}
    old = "%d\n" % (NOW - 9 * 3600)
    # Only rsync serves the old tree: a user may get it, so it is the mirror's age.
    raw = base_raw(timestamp_rsync_file=slurped(old))
    stale = fleet_report([mirror("a.example", raw)], SIX_HOURS, NOW)["mirrors"][0]["age"]
    assert (stale["seconds"], stale["state"], stale["bar_percent"]) == (9 * 3600, "stale", 75.0)
    # Past two thresholds the bar is full.
    assert fleet_report([mirror("a.example", stale_raw(30))], SIX_HOURS, NOW)["mirrors"][0]["age"]["bar_percent"] == 100.0


def test_unreadable_timestamps_leave_the_age_unknown():
    raw = base_raw(timestamp_web={"results": [uri(status=404, item=HTTP)]}, timestamp_rsync_file=slurped("garbage"))
    age = fleet_report([mirror("a.example", raw)], SIX_HOURS, NOW)["mirrors"][0]["age"]
    assert (age["seconds"], age["state"], age["text"], age["bar_percent"]) == (None, "unknown", "unknown", None)


def test_a_mirror_without_results_is_a_failing_row_with_a_note():
    report = fleet_report([mirror("a.example"), {"name": "b.example", "host": "b", "rows": None, "now": NOW}],
                          SIX_HOURS, NOW)
    missing = report["mirrors"][1]
    assert (missing["result"], missing["note"], missing["age"]["state"]) == ("fail", NO_RESULTS, "unknown")
    assert set(missing["checks"]) == set(report["checks"])
    assert {cell["result"] for cell in missing["checks"].values()} == {"none"}
    assert report["summary"] == {"mirrors": 2, "pass": 1, "fail": 1}


def test_a_check_one_mirror_lacks_is_an_empty_cell():
    https = base_raw(certificate={"skipped": False, "valid": True})
    rows = [{"check": "certificate", "protocol": "https", "result": "ok", "detail": "valid"}] + verify_evaluate(https)
    report = fleet_report([{"name": "a", "host": "a", "rows": rows, "now": NOW}, mirror("b.example")], SIX_HOURS, NOW)
    assert report["checks"][0] == "certificate"
    assert report["mirrors"][1]["checks"]["certificate"] == {"result": "none", "label": "-", "rows": []}


@pytest.mark.parametrize("reports, max_age, generated, words", [
    ("nope", SIX_HOURS, NOW, "expects a list"),
    ([None], SIX_HOURS, NOW, "expects a list"),
    ([], "six hours", NOW, "must be numbers"),
])
def test_bad_input_is_named(reports, max_age, generated, words):
    with pytest.raises(AnsibleFilterError, match=words):
        fleet_report(reports, max_age, generated)
