# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The status page renderer (roles/gentoo_mirror_status/files/gentoo_mirror_status_page.py) on a
real tree and real state files in a temporary directory; only systemd-analyze is scripted."""

import html
import json
import os
import re
import subprocess

import pytest

CALENDAR_OUT = """  Original form: *-*-* 00/4:00:00
Normalized form: *-*-* 00/4:00:00
    Next elapse: Fri 2026-12-04 00:00:00 IST
       (in UTC): Thu 2026-12-03 18:30:00 UTC
       From now: 3h 28min left
"""
NOW = 1796310000.0  # 2026-12-03 15:00:00 UTC, 20:30 in Asia/Kolkata


@pytest.fixture(scope="module")
def page(role_program):
    return role_program("gentoo_mirror_status_page")


@pytest.fixture
def calendar():
    calls = []

    def run(argv, **kw):
        calls.append(argv)
        return subprocess.CompletedProcess(argv, 0, CALENDAR_OUT, "")
    run.calls = calls
    return run


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A tree with hard links, a partial dir and a symlink; the sync's status and history."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    import time
    time.tzset()
    root, state, out = tmp_path / "tree", tmp_path / "state", tmp_path / "www"
    (root / "distfiles" / ".~tmp~").mkdir(parents=True)
    (root / "distfiles" / "a.tar.gz").write_bytes(b"x" * 1000)
    os.link(root / "distfiles" / "a.tar.gz", root / "distfiles" / "a-link.tar.gz")
    (root / "distfiles" / "layout.conf").write_bytes(b"y" * 24)
    (root / "distfiles" / ".~tmp~" / "partial").write_bytes(b"z" * 5000)
    (root / "distfiles" / "sym").symlink_to("layout.conf")
    state.mkdir()
    out.mkdir()
    (state / "status.json").write_text(json.dumps({
        "result": "failure", "end_timestamp": NOW - 600, "last_success_timestamp": NOW - 3900,
        "consecutive_failures": 1, "upstream_user": "mirror42"}))
    (state / "history.json").write_text(json.dumps([
        {"end_timestamp": NOW - 3900, "duration_seconds": 30.5, "bytes_transferred": 2048, "result": "success"},
        {"end_timestamp": NOW - 600, "duration_seconds": 4.0, "bytes_transferred": 0, "result": "failure"}]))
    conf = tmp_path / "status.conf"
    conf.write_text("# managed\n" + json.dumps({
        "state_dir": str(state), "root": str(root), "output_dir": str(out),
        "upstream": "rsync://mirror42@masterdistfiles.example/gentoo/", "schedule": "*-*-* 00/4:00:00",
        "max_age_seconds": 14400}))
    yield {"root": root, "state": state, "out": out, "conf": str(conf)}
    monkeypatch.delenv("TZ")
    time.tzset()


def render(page, mirror, calendar):
    assert page.main(["--config", mirror["conf"]], clock=lambda: NOW, run=calendar) == 0
    facts = json.loads((mirror["out"] / "status.json").read_text())
    return facts, (mirror["out"] / "index.html").read_text()


def test_status_json_has_the_contract_keys_in_local_time(page, mirror, calendar):
    facts = render(page, mirror, calendar)[0]
    assert facts == {
        "result": "failure",
        "last_sync_end": "2026-12-03T20:20:00+05:30",
        "last_success_end": "2026-12-03T19:25:00+05:30",
        "tree_age_seconds": 3900,
        "max_age_seconds": 14400,
        "next_run": "2026-12-04T00:00:00+05:30",
        "tree_bytes": 1024,
        "tree_files": 2,
        "upstream": "rsync://masterdistfiles.example/gentoo/",
        "consecutive_failures": 1,
        "generated": "2026-12-03T20:30:00+05:30",
        "history": [
            {"end": "2026-12-03T19:25:00+05:30", "duration_seconds": 30.5, "bytes_transferred": 2048,
             "result": "success"},
            {"end": "2026-12-03T20:20:00+05:30", "duration_seconds": 4.0, "bytes_transferred": 0,
             "result": "failure"}],
    }
    assert calendar.calls == [["systemd-analyze", "calendar", "--iterations=1", "*-*-* 00/4:00:00"]]


def text(page_html, element_id):
    match = re.search(r'<[a-z]+ id="%s"[^>]*>([^<]*)<' % element_id, page_html)
    return html.unescape(match.group(1))


def test_page_shows_each_fact_by_id_without_script(page, mirror, calendar):
    facts, page_html = render(page, mirror, calendar)
    assert text(page_html, "last-result") == "failure"
    assert text(page_html, "last-sync-end") == facts["last_sync_end"]
    assert text(page_html, "tree-age") == "1 h 05 min"
    assert 'data-seconds="3900"' in page_html
    assert text(page_html, "next-run") == facts["next_run"]
    assert text(page_html, "tree-size") == "1.0 KiB"
    assert text(page_html, "tree-files") == "2"
    assert text(page_html, "upstream") == "rsync://masterdistfiles.example/gentoo/"
    assert text(page_html, "consecutive-failures") == "1"
    assert '<a id="traffic-link" href="traffic/">' in page_html
    assert "<script" not in page_html and "http://" not in page_html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_chart_has_one_bar_per_run_with_its_end_and_result(page, mirror, calendar):
    facts, page_html = render(page, mirror, calendar)
    assert '<svg id="history-chart"' in page_html
    runs = re.findall(r'<g class="run (run-success|run-failure)"><title>([^<]*)</title>', page_html)
    assert [r[0] for r in runs] == ["run-success", "run-failure"]
    assert runs[0][1].startswith(facts["history"][0]["end"] + ": success")
    assert runs[1][1].startswith(facts["history"][1]["end"] + ": failure")


def test_nothing_private_leaves(page, mirror, calendar):
    facts, page_html = render(page, mirror, calendar)
    for text_out in (json.dumps(facts), page_html):
        for secret in ("mirror42", str(mirror["root"]), str(mirror["state"]), str(mirror["out"])):
            assert secret not in text_out


def test_history_is_at_most_30_runs(page, mirror, calendar):
    runs = [{"end_timestamp": NOW - 100 * i, "duration_seconds": 1, "bytes_transferred": i, "result": "success"}
            for i in range(40, 0, -1)]
    (mirror["state"] / "history.json").write_text(json.dumps(runs))
    facts, page_html = render(page, mirror, calendar)
    assert len(facts["history"]) == 30
    assert facts["history"][-1]["bytes_transferred"] == 1
    assert page_html.count('<g class="run ') == 30


def test_a_mirror_before_its_first_sync(page, mirror, calendar):
    (mirror["state"] / "status.json").unlink()
    (mirror["state"] / "history.json").unlink()
    facts, page_html = render(page, mirror, calendar)
    assert facts["result"] is None and facts["tree_age_seconds"] is None and facts["history"] == []
    assert text(page_html, "last-result") == "none"
    assert text(page_html, "tree-age") == "no sync yet"


def test_status_without_history_charts_its_last_run(page, mirror, calendar):
    (mirror["state"] / "history.json").unlink()
    facts = render(page, mirror, calendar)[0]
    assert [run["result"] for run in facts["history"]] == ["failure"]


def test_writes_replace_the_files_and_leave_no_temporary_file(page, mirror, calendar):
    render(page, mirror, calendar)
    render(page, mirror, calendar)
    assert sorted(os.listdir(mirror["out"])) == ["index.html", "status.json"]
    assert oct(os.stat(mirror["out"] / "index.html").st_mode & 0o777) == "0o644"


def test_next_run_unknown_when_systemd_analyze_fails(page, mirror):
    def run(argv, **kw):
        return subprocess.CompletedProcess(argv, 1, "", "Failed to parse calendar specification")
    assert page.main(["--config", mirror["conf"]], clock=lambda: NOW, run=run) == 0
    assert json.loads((mirror["out"] / "status.json").read_text())["next_run"] is None


@pytest.mark.parametrize("url,public", [
    ("rsync://user@host/gentoo/", "rsync://host/gentoo/"),
    ("user@host::gentoo", "host::gentoo"),
    ("rsync://host/gentoo/", "rsync://host/gentoo/"),
    ("https://user:pw@host/gentoo/", "https://host/gentoo/"),
])
def test_public_upstream(page, url, public):
    assert page.public_upstream(url) == public


@pytest.mark.parametrize("seconds,text_out", [(59, "59 s"), (600, "10 min"), (3900, "1 h 05 min"),
                                              (90000, "1 d 1 h"), (None, "no sync yet")])
def test_human_age(page, seconds, text_out):
    assert page.human_age(seconds) == text_out


@pytest.mark.parametrize("change,message", [
    ({"max_age_seconds": "4h"}, "max_age_seconds must be a number"),
    ({"root": "relative"}, "root must be an absolute path"),
    ({"upstream": ""}, "upstream must be a non-empty string"),
])
def test_bad_configuration_is_refused(page, mirror, calendar, capsys, change, message):
    conf = json.loads(open(mirror["conf"], encoding="utf-8").read().split("\n", 1)[1])
    conf.update(change)
    with open(mirror["conf"], "w", encoding="utf-8") as handle:
        json.dump(conf, handle)
    assert page.main(["--check-config", "--config", mirror["conf"]], run=calendar) == 2
    assert message in capsys.readouterr().err


def test_page_is_written_before_its_data(page, mirror, calendar, monkeypatch):
    """Whoever waits for status.json to show a run finds index.html showing it already."""
    written = []
    real = page.atomic_write
    monkeypatch.setattr(page, "atomic_write", lambda path, text: (written.append(os.path.basename(path)), real(path, text)))
    render(page, mirror, calendar)
    assert written == ["index.html", "status.json"]


# ---------------------------------------------------------------------------------------
# a mirror in a tiered fleet

def sync_status(mirror, **change):
    status = json.loads((mirror["state"] / "status.json").read_text())
    status.update(change)
    (mirror["state"] / "status.json").write_text(json.dumps(status))


UNREACHABLE_MESSAGE = ("upstream tier-1 fleet-mirror1.example.test unreachable: dry run failed: rsync exit 10 "
                       "(error in socket I/O): rsync: [Receiver] failed to connect to fleet-mirror1.example.test "
                       "(10.89.0.2): Connection refused (111)")


def test_an_unreachable_upstream_stands_out(page, mirror, calendar):
    sync_status(mirror, upstream_unreachable=True, upstream_label="tier-1 fleet-mirror1.example.test",
                message=UNREACHABLE_MESSAGE)
    facts, page_html = render(page, mirror, calendar)
    assert facts["upstream_unreachable"] is True
    assert facts["upstream_label"] == "tier-1 fleet-mirror1.example.test"
    assert text(page_html, "upstream-unreachable").startswith("Upstream tier-1 fleet-mirror1.example.test unreachable: ")
    assert '<p id="upstream-unreachable" class="stale alert">' in page_html
    # first thing under the heading, before the table
    assert page_html.index('id="upstream-unreachable"') < page_html.index("<table>")
    # the internal address in rsync's message is not published
    assert "10.89.0.2" not in page_html and "10.89.0.2" not in json.dumps(facts)


def test_unreachable_without_a_label_names_the_public_upstream(page, mirror, calendar):
    sync_status(mirror, upstream_unreachable=True, upstream_label="")
    facts, page_html = render(page, mirror, calendar)
    assert text(page_html, "upstream-unreachable").startswith(
        "Upstream rsync://masterdistfiles.example/gentoo/ unreachable")
    assert "mirror42" not in page_html


def test_a_reachable_upstream_has_no_unreachable_line(page, mirror, calendar):
    sync_status(mirror, upstream_unreachable=False, triggered=False, push=[])
    facts, page_html = render(page, mirror, calendar)
    assert "upstream_unreachable" not in facts and "triggered" not in facts and "last_push" not in facts
    assert "unreachable" not in page_html and "Triggered by upstream" not in page_html
    assert 'id="push"' not in page_html


def test_a_triggered_run_says_so(page, mirror, calendar):
    sync_status(mirror, triggered=True, result="success")
    facts, page_html = render(page, mirror, calendar)
    assert facts["triggered"] is True
    assert text(page_html, "triggered") == "Triggered by upstream"


def test_the_last_push_lists_each_downstream(page, mirror, calendar):
    sync_status(mirror, push_timestamp=NOW - 3900, push=[
        {"name": "fleet-mirror2.example.test", "delivered": True, "message": ""},
        {"name": "<b>mirror3", "delivered": False,
         "message": "ssh: connect to host 10.89.0.4 port 22: Connection refused"}])
    facts, page_html = render(page, mirror, calendar)
    assert facts["last_push"] == {"end": "2026-12-03T19:25:00+05:30", "downstream": [
        {"name": "fleet-mirror2.example.test", "delivered": True}, {"name": "<b>mirror3", "delivered": False}]}
    assert text(page_html, "last-push") == "2026-12-03T19:25:00+05:30"
    items = re.findall(r'<li class="push (fresh|stale)" data-name="[^"]*">([^<]*)</li>', page_html)
    assert [(cls, html.unescape(item)) for cls, item in items] == [
        ("fresh", "fleet-mirror2.example.test: triggered"),
        ("stale", "<b>mirror3: not reached (it syncs on its own timer)")]
    assert "<b>mirror3" not in page_html  # escaped
    # ssh's messages name addresses: they stay in the state directory
    assert "10.89.0.4" not in page_html and "10.89.0.4" not in json.dumps(facts)
    assert "<script" not in page_html
