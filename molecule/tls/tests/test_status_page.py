# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mirror's status page in a real browser (tests/browser/), over HTTP and HTTPS.

The browser reaches the mirror by its name (mapped to 127.0.0.1, the scenario's ports; no
other name resolves) and trusts Pebble's root the way a user adds a CA, so HTTPS is checked
as a visitor gets it. What the page shows is compared with the sync program's own state
(status.json in its state directory, read inside the host). Runs before test_tls.py, whose
renewal tests replace the certificate, and test_tls_rename.py, which renames the mirror.
"""

import datetime
import json
import re

import pytest

from browser import SCREENSHOTS

testinfra_hosts = ["podman://tls-mirror.example.test"]

HOSTNAME = "tls-mirror.example.test"
PAGES = {"http": "http://%s:13080/status/" % HOSTNAME, "https": "https://%s:13443/status/" % HOSTNAME}
STATE = "/var/lib/gentoo-mirror/status.json"
UPSTREAM = "rsync://tls-pebble/gentoo/"


@pytest.fixture(scope="module")
def sync_state(host):
    """The sync program's own record of its last run."""
    return json.loads(host.file(STATE).content_string)


def utc(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)


def served_json(browser, protocol):
    """/status/status.json as the browser gets it (it shows JSON as text; the browser's own
    viewer of it is no page of the mirror's, so its console is not judged)."""
    page = browser.open(PAGES[protocol] + "status.json")
    assert page.foreign_requests == [], page.foreign_requests
    return json.loads(page.find("body").text)


@pytest.mark.parametrize("protocol", ["http", "https"])
def test_status_page_shows_the_real_state(protocol, mirror_browser, sync_state):
    data = served_json(mirror_browser, protocol)
    page = mirror_browser.open(PAGES[protocol])
    assert page.console_errors == [], page.console_errors
    assert page.foreign_requests == [], page.foreign_requests
    assert page.driver.current_url == PAGES[protocol]
    generated = datetime.datetime.fromisoformat(data["generated"])

    # The last run as the sync program recorded it.
    assert page.text("#last-result") == sync_state["result"] == data["result"]
    end = datetime.datetime.fromisoformat(data["last_sync_end"])
    assert abs((end - utc(sync_state["end_timestamp"])).total_seconds()) < 1, (end, sync_state)
    # The end as a person reads it: its date and minute in the mirror's local time.
    shown_end = page.text("#last-sync-end")
    assert end.strftime("%Y-%m-%d") in shown_end and end.strftime("%H:%M") in shown_end, (shown_end, end)

    # The tree's age when the page was made: since the last success the sync program recorded.
    age = page.find("#tree-age")
    seconds = float(age.get_attribute("data-seconds"))
    assert seconds == pytest.approx(data["tree_age_seconds"], abs=1)
    assert seconds == pytest.approx(generated.timestamp() - sync_state["last_success_timestamp"], abs=2)
    assert re.search(r"\d", age.text), age.text
    assert data["max_age_seconds"] == 4 * 3600

    assert page.text("#consecutive-failures") == str(sync_state["consecutive_failures"])
    assert page.text("#upstream") == UPSTREAM
    assert page.text("#tree-files") and page.text("#tree-size") and page.text("#next-run")
    assert page.find("#traffic-link").get_attribute("href") == PAGES[protocol] + "traffic/"

    # The chart: one mark per run of the history, coloured by its result, the last one the run
    # the sync program recorded last, each titled with its end time and result.
    runs = page.find_all("svg#history-chart .run")
    assert len(runs) == len(data["history"]) >= 1
    for run, entry in zip(runs, data["history"]):
        classes = run.get_attribute("class").split()
        assert ("run-success" if entry["result"] == "success" else "run-failure") in classes, classes
        title = run.find_element("css selector", "title").get_attribute("textContent")
        assert entry["result"] in title, title
        assert datetime.datetime.fromisoformat(entry["end"]).strftime("%H:%M") in title, (title, entry)
        assert run.size["height"] > 0 and run.size["width"] > 0
    assert datetime.datetime.fromisoformat(data["history"][-1]["end"]) == end
    assert data["history"][-1]["result"] == sync_state["result"]

    shot = mirror_browser.screenshot("status-%s" % protocol)
    assert shot == SCREENSHOTS / ("status-%s.png" % protocol)
