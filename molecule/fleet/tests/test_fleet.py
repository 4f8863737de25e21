# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet, checked from the outside by verify.yml and written up by inclusion_request.yml.

Runs the installed collection's playbooks against the molecule inventory, the way an admin
would. The order matters: the healthy fleet first, then two mirrors are broken (one's sync
made stale, another's listing of releases/ turned off) and put right again afterwards. Both
verify runs write the fleet report, which a real browser then reads (tests/browser/).
"""

import datetime
import json
import os
import pathlib
import re
import shutil
import subprocess
import time

import pytest

from browser import SCREENSHOTS

MIRRORS = ["fleet-mirror1.example.test", "fleet-mirror2.example.test", "fleet-mirror3.example.test",
           "fleet-mirror4.example.test"]
STALE = MIRRORS[1]
UNLISTED = MIRRORS[2]
ROOT = "/srv/gentoo"
STATUS = "/var/lib/gentoo-mirror/status.json"
# The module checks cost time and are proven on the healthy fleet; the runs against the
# broken fleet leave them out.
QUICK = ["-e", '{"gentoo_mirror_verify_bandwidth": false, "gentoo_mirror_verify_limits": false}']
# The checks the quick runs leave out (the report shows them as skipped).
QUICK_SKIPPED = ("bandwidth upstream", "bandwidth to users", "connection limits")
# The age the checks allow: the policy's 4 h between syncs and the verify role's 2 h allowance.
MAX_AGE = 6 * 3600


def playbook(name, *extra, timeout=600):
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "mirrorkit.gentoo." + name, *extra]
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1")
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env)
    return result.returncode, re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)


def podman(container, *args, stdin=None):
    result = subprocess.run(["podman", "exec", "-i", container, *args], input=stdin,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def releases_listed(mirror):
    """Whether the mirror's nginx lists releases/ (autoindex on in its location)."""
    site = podman(mirror, "sh", "-c", "grep -rl 'location /releases/' /etc/nginx/ | head -n 1").strip()
    return re.search(r"location /releases/ \{\s*autoindex on;", podman(mirror, "cat", site)) is not None


def expected_cells(mirror, checks, checked, skipped=()):
    """Each check's result as the host's own state says it must be, at the time verify checked."""
    stamp = int(podman(mirror, "cat", ROOT + "/distfiles/timestamp.mirmon").split()[0])
    status = json.loads(podman(mirror, "cat", STATUS))
    cells = {check: ("skip" if check in skipped else "ok") for check in checks}
    if checked - stamp > MAX_AGE:
        cells["timestamp.mirmon"] = "fail"
    if status["result"] != "success" or checked - status["end_timestamp"] > MAX_AGE:
        cells["last sync"] = "fail"
    if not releases_listed(mirror):
        cells["listing releases/"] = "fail"
    return cells, checked - stamp


def check_fleet_report(path, browser, screenshot, skipped=()):
    """The report's JSON and what the browser shows match each mirror's real state; the page
    has no console error and makes no request beyond itself. Returns the JSON."""
    facts = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    page = browser.open(path.as_uri())
    assert page.console_errors == [], page.console_errors
    assert page.foreign_requests == [] and page.requests == [path.as_uri()], page.requests
    assert [m["name"] for m in facts["mirrors"]] == MIRRORS
    assert [tr.get_attribute("data-mirror") for tr in page.find_all("tr[data-mirror]")] == MIRRORS
    assert [th.get_attribute("data-check") for th in page.find_all("thead th[data-check]")] == facts["checks"]
    for mirror, fact in zip(MIRRORS, facts["mirrors"]):
        checked = datetime.datetime.fromisoformat(fact["checked"]).timestamp()
        cells, age = expected_cells(mirror, facts["checks"], checked, skipped)
        result = "fail" if "fail" in cells.values() else "pass"
        assert {check: cell["result"] for check, cell in fact["checks"].items()} == cells, mirror
        assert (fact["result"], fact["age"]["seconds"]) == (result, age), mirror
        row = page.find('tr[data-mirror="%s"]' % mirror)
        shown = {td.get_attribute("data-check"): td.get_attribute("class")
                 for td in row.find_elements("css selector", "td[data-check]")}
        assert shown == cells, mirror
        assert row.find_element("css selector", "td.result").text == result.upper()
        age_cell = row.find_element("css selector", "td.age")
        assert float(age_cell.get_attribute("data-age-seconds")) == age
        assert age_cell.get_attribute("class") == "age " + ("stale" if age > MAX_AGE else "fresh")
        assert age_cell.text == fact["age"]["text"]
        # The bar as the browser laid it out: its fill against the bar's two thresholds.
        bar_width = age_cell.find_element("css selector", ".bar").size["width"]
        fill = age_cell.find_element("css selector", ".bar .fill").size["width"]
        assert abs(fill / bar_width - min(age / (2 * MAX_AGE), 1.0)) < 0.02, (mirror, fill, bar_width, age)
    summary = page.find("#summary")
    failing = sum(1 for m in facts["mirrors"] if m["result"] == "fail")
    assert (summary.get_attribute("data-pass"), summary.get_attribute("data-fail")) == (str(len(MIRRORS) - failing), str(failing))
    assert browser.screenshot(screenshot) == SCREENSHOTS / ("%s.png" % screenshot)
    return facts


def xmllint_format(path):
    return subprocess.run(["xmllint", "--format", str(path)], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def outdir(tmp_path_factory):
    return tmp_path_factory.mktemp("inclusion-requests")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Where the verify runs write their fleet reports."""
    return tmp_path_factory.mktemp("fleet-reports")


def report_option(reports, name):
    return ["-e", "gentoo_mirror_verify_report=%s" % (reports / ("%s.html" % name))]


def test_verify_passes_for_the_healthy_fleet(reports):
    rc, out = playbook("verify", *report_option(reports, "healthy"))
    assert rc == 0, out
    assert "4 mirror(s) checked: 4 pass, 0 fail" in out, out
    for mirror in MIRRORS:
        assert "%s: PASS" % mirror in out, out
    # Every kind of check ran and none was skipped (no HTTPS in this scenario).
    for check in ("timestamp.mirmon", "listing experimental/", "listing releases/", "listing snapshots/",
                  "layout.conf", "layout sample", "rsync module", "last sync", "bandwidth upstream",
                  "bandwidth to users", "connection limits"):
        assert check in out, check
    assert "0 failed, 0 skipped" in out, out
    assert out.count("CHECK                  PROTOCOL  RESULT  DETAIL") == len(MIRRORS), out
    # Checking changes nothing, on the mirrors or on the controller.
    for mirror in MIRRORS:
        assert re.search(r"%s\s*: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0" % re.escape(mirror), out), out


def test_fleet_report_of_the_healthy_fleet(reports, browser):
    facts = check_fleet_report(reports / "healthy.html", browser, "fleet-report-healthy")
    assert {m["result"] for m in facts["mirrors"]} == {"pass"}
    assert {m["age"]["state"] for m in facts["mirrors"]} == {"fresh"}


def test_inclusion_request_for_every_passing_mirror(outdir):
    rc, out = playbook("inclusion_request", "-e", "gentoo_mirror_inclusion_dir=%s" % outdir)
    assert rc == 0, out
    for index, mirror in enumerate(MIRRORS, start=1):
        xml = outdir / ("%s.distfiles.xml" % mirror)
        assert xml.read_text(encoding="utf-8") == (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<mirrorgroup region="Europe" country="DE" countryname="Germany">\n'
            "  <mirror>\n"
            "    <name>Example Test Sponsor</name>\n"
            '    <uri protocol="http" ipv4="y" ipv6="n" partial="n">http://%s/</uri>\n'
            '    <uri protocol="rsync" ipv4="y" ipv6="n" partial="n">rsync://%s/gentoo/</uri>\n'
            "  </mirror>\n"
            "</mirrorgroup>\n" % (mirror, mirror))
        assert xmllint_format(xml) == xml.read_text(encoding="utf-8")
        ticket = (outdir / ("%s.txt" % mirror)).read_text(encoding="utf-8")
        for needle in ("Host name:        %s" % mirror,
                       "Sponsor:          Example Test Sponsor",
                       "Sponsor URL:      https://sponsor.example.test/",
                       "Location:         Berlin, Germany (DE); region Europe",
                       "Admin contact:    mirror-admin@example.test",
                       "  http:   http://%s/" % mirror,
                       "  rsync:  rsync://%s/gentoo/" % mirror,
                       "Sync schedule:    *-*-* 00/4:00:00",
                       # A downstream mirror measures from its tier-1 host, named by its public name.
                       "Mbit/s measured on the mirror from " + (
                           "rsync://fleet-upstream/gentoo/" if index == 1 else "tier-1 " + MIRRORS[0]),
                       "Upstream:         " + ("rsync://fleet-upstream/gentoo/" if index == 1 else
                                               "tier-1 %s, which syncs from rsync://fleet-upstream/gentoo/" % MIRRORS[0]),
                       '<uri protocol="http" ipv4="y" ipv6="n" partial="n">http://%s/</uri>' % mirror):
            assert needle in ticket, (needle, ticket)
        # The test ports of gentoo_mirror_verify_*_url never reach the request's URLs.
        urls = ticket.split("URLs:")[1].split("IPv4 address:")[0]
        assert "127.0.0.1" not in urls and mirror in urls, urls
        assert "IPv4 address:     10." in ticket or "IPv4 address:     172." in ticket, ticket
        assert "GiB file system at" in ticket


def test_rollout_in_batches_by_tag_shows_the_template_diff():
    """site.yml --tags nginx -e gentoo_mirror_serial=1 --diff: one mirror at a time, only the
    nginx role, the local edit on one mirror shown as a diff and undone, the others unchanged."""
    edited = MIRRORS[0]
    podman(edited, "sh", "-c", "echo '# local edit by an admin' >> /etc/nginx/nginx.conf")
    rc, out = playbook("site", "--tags", "nginx", "--diff", "-e", "gentoo_mirror_serial=1")
    assert rc == 0, out[-4000:]
    # one batch of one host for each mirror: the play starts four times
    assert out.count("PLAY [Provision Gentoo source mirrors]") == len(MIRRORS), out[-4000:]
    assert re.search(r"^-# local edit by an admin$", out, re.M), out[-4000:]
    # only the nginx role's tasks ran (besides the input checks, which always run)
    tasks = [line for line in out.splitlines() if line.startswith("TASK [") and "Validating arguments" not in line]
    assert any("gentoo_mirror_nginx : " in task for task in tasks)
    for other in ("gentoo_mirror_rsyncd : ", "gentoo_mirror_tls : ", "gentoo_mirror_disk : ", "Start the first sync"):
        assert not any(other in task for task in tasks), (other, tasks)
    assert re.search(r"%s\s*: ok=\d+\s+changed=[1-9]" % re.escape(edited), out), out[-2000:]
    for mirror in MIRRORS[1:]:
        assert re.search(r"%s\s*: ok=\d+\s+changed=0\s+unreachable=0\s+failed=0" % re.escape(mirror), out), out[-2000:]
    assert "local edit" not in podman(edited, "cat", "/etc/nginx/nginx.conf")


@pytest.fixture(scope="module")
def broken_fleet():
    """Mirror 2: sync 10 hours old (status file and timestamp.mirmon). Mirror 3: no listing of
    releases/. Both are put back afterwards."""
    stamp_file = ROOT + "/distfiles/timestamp.mirmon"
    old_stamp = podman(STALE, "cat", stamp_file)
    old_status = podman(STALE, "cat", STATUS)
    ten_hours_ago = int(time.time()) - 10 * 3600
    status = json.loads(old_status)
    for key in ("start_timestamp", "end_timestamp", "last_success_timestamp"):
        status[key] = ten_hours_ago
    podman(STALE, "sh", "-c", "cat > %s" % stamp_file, stdin="%d\n" % ten_hours_ago)
    podman(STALE, "sh", "-c", "cat > %s" % STATUS, stdin=json.dumps(status))

    site = podman(UNLISTED, "sh", "-c", "grep -rl 'location /releases/' /etc/nginx/ | head -n 1").strip()
    assert site, "no nginx file holds the releases/ location"
    old_site = podman(UNLISTED, "cat", site)
    broken = re.sub(r"(location /releases/ \{\s*autoindex) on;", r"\1 off;", old_site)
    assert broken != old_site
    podman(UNLISTED, "sh", "-c", "cat > %s && nginx -t -q && nginx -s reload" % site, stdin=broken)
    time.sleep(1)
    yield
    podman(STALE, "sh", "-c", "cat > %s" % stamp_file, stdin=old_stamp)
    podman(STALE, "sh", "-c", "cat > %s" % STATUS, stdin=old_status)
    podman(UNLISTED, "sh", "-c", "cat > %s && nginx -t -q && nginx -s reload" % site, stdin=old_site)


def test_verify_fails_naming_the_stale_sync_and_the_missing_listing(broken_fleet, reports):
    rc, out = playbook("verify", *QUICK, *report_option(reports, "broken"))
    assert rc != 0, out
    assert "4 mirror(s) checked: 2 pass, 2 fail" in out, out
    assert "fleet-mirror1.example.test: PASS" in out, out
    for protocol in ("http", "rsync"):
        assert "%s: timestamp.mirmon (%s) FAILED: stale: 10.0 h old" % (STALE, protocol) in out, out
    assert "%s: last sync (status) FAILED: last run succeeded but ended" % STALE in out, out
    assert "%s: listing releases/ (http) FAILED: HTTP 403 (directory listing turned off?)" % UNLISTED in out, out
    # Only what is broken is named.
    assert "%s: listing" % STALE not in out
    assert "%s: timestamp" % UNLISTED not in out
    assert "fleet-mirror1.example.test: " + "timestamp" not in out


def test_fleet_report_shows_each_failure_in_its_cell(broken_fleet, reports, browser):
    facts = check_fleet_report(reports / "broken.html", browser, "fleet-report", skipped=QUICK_SKIPPED)
    by_name = {m["name"]: m for m in facts["mirrors"]}
    assert [m["result"] for m in facts["mirrors"]] == ["pass", "fail", "fail", "pass"]
    assert sorted(c for c, cell in by_name[STALE]["checks"].items() if cell["result"] == "fail") == [
        "last sync", "timestamp.mirmon"]
    assert by_name[STALE]["age"]["state"] == "stale"
    assert [c for c, cell in by_name[UNLISTED]["checks"].items() if cell["result"] == "fail"] == ["listing releases/"]
    assert by_name[UNLISTED]["failures"] == [
        "listing releases/ (http): HTTP 403 (directory listing turned off?)"]


def test_inclusion_request_refuses_the_failing_mirrors(broken_fleet, outdir):
    rc, out = playbook("inclusion_request", "-e", "gentoo_mirror_inclusion_dir=%s" % outdir, *QUICK)
    assert rc != 0, out
    for mirror in (STALE, UNLISTED):
        assert "No inclusion request for %s: it does not pass mirrorkit.gentoo.verify." % mirror in out, out
        # The request written while it passed is withdrawn.
        assert not (outdir / ("%s.txt" % mirror)).exists()
        assert not (outdir / ("%s.distfiles.xml" % mirror)).exists()
    assert "%s: listing releases/ (http) FAILED" % UNLISTED in out
    assert (outdir / "fleet-mirror1.example.test.txt").exists()
    assert (outdir / "fleet-mirror1.example.test.distfiles.xml").exists()


def test_a_report_path_it_cannot_take_is_refused_before_any_check(tmp_path):
    rc, out = playbook("verify", "--limit", MIRRORS[0], "-e",
                       "gentoo_mirror_verify_report=%s" % (tmp_path / "missing" / "fleet.html"))
    assert rc != 0, out
    # The setting, what it takes and the value given, in the error.
    assert ("gentoo_mirror_verify_report must be empty (no report) or the path of an HTML file ending in .html "
            "in a directory that exists on the controller; got") in out, out
    assert str(tmp_path / "missing" / "fleet.html") in out, out
    assert "Fetch distfiles/timestamp.mirmon" not in out, out
    assert not (tmp_path / "missing").exists()


def test_xmllint_is_available():
    assert shutil.which("xmllint"), "install libxml2-utils"
    assert pathlib.Path(os.environ["MOLECULE_INVENTORY_FILE"]).exists()
