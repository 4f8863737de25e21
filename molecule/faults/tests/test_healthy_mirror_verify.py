# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""First of the scenario (before any fault): verify.yml passes for the mirror as site.yml left
it, over HTTP, HTTPS (certificate from Pebble, checked against Pebble's root) and rsync, and
writes the fleet report, which the mirror's own nginx then serves to a real browser over HTTP
and HTTPS (under /status/, with that location's security headers)."""

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import HOSTNAME, PEBBLE, pebble_root_pem, sh

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "browser"))
from browser import SCREENSHOTS, Browser  # noqa: E402 pylint: disable=wrong-import-position

testinfra_hosts = [HOSTNAME]

# Where the mirror's nginx serves the report from (the status page's directory, /status/).
SERVED = "/var/www/gentoo-mirror-status/fleet-report.html"
URLS = {"http": "http://%s:19080/status/fleet-report.html" % HOSTNAME,
        "https": "https://%s:19443/status/fleet-report.html" % HOSTNAME}


@pytest.fixture(scope="module")
def pebble_bundle(tmp_path_factory):
    bundle = tmp_path_factory.mktemp("pebble") / "pebble-root.pem"
    bundle.write_text(pebble_root_pem(PEBBLE))
    return bundle


@pytest.fixture(scope="module")
def verify_run(pebble_bundle, tmp_path_factory):
    """verify.yml once, with the fleet report: (its output, exit status, the report's path)."""
    report = tmp_path_factory.mktemp("report") / "fleet.html"
    cmd = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "mirrorkit.gentoo.verify",
           "-e", "gentoo_mirror_verify_ca_bundle=%s" % pebble_bundle,
           "-e", "gentoo_mirror_verify_report=%s" % report]
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, env=env)
    return proc.stdout + proc.stderr, proc.returncode, report


def test_verify_passes_over_http_https_and_rsync(verify_run):
    out, returncode, dummy = verify_run
    assert returncode == 0, out[-5000:]
    assert "1 mirror(s) checked: 1 pass, 0 fail" in out, out[-5000:]
    assert "0 failed, 0 skipped" in out, out[-5000:]
    for check in ("timestamp.mirmon", "listing releases/", "layout.conf"):
        for protocol in ("http", "https"):
            assert re.search(r"%s\s+%s\s+ok" % (re.escape(check), protocol), out), (check, protocol)
    assert re.search(r"certificate\s+https\s+ok", out), out[-5000:]
    assert re.search(r"timestamp.mirmon\s+rsync\s+ok", out), out[-5000:]


@pytest.fixture(scope="module")
def served_report(verify_run):
    """The report put where the mirror's nginx serves /status/; gone after this module's tests."""
    dummy, returncode, report = verify_run
    assert returncode == 0 and report.exists(), "verify.yml wrote no report"
    subprocess.run(["podman", "cp", str(report), "%s:%s" % (HOSTNAME, SERVED)], check=True)
    sh(HOSTNAME, "chmod 0644 %s" % SERVED)
    yield json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    sh(HOSTNAME, "rm -f %s" % SERVED)


@pytest.fixture(scope="module")
def mirror_browser(pebble_bundle):
    """Headless chromium that finds the mirror by its name on 127.0.0.1 and trusts Pebble's root."""
    with Browser(hosts={HOSTNAME: "127.0.0.1"}, ca_pem=str(pebble_bundle)) as running:
        yield running


@pytest.mark.parametrize("protocol", ["http", "https"])
def test_the_mirror_serves_the_fleet_report_to_a_real_browser(served_report, mirror_browser, protocol):
    page = mirror_browser.open(URLS[protocol])
    # No console error: the page's inline style passes the security policy of /status/.
    assert page.console_errors == [], page.console_errors
    assert page.foreign_requests == [], page.foreign_requests
    assert page.driver.current_url == URLS[protocol]
    [fact] = served_report["mirrors"]
    assert fact["name"] == HOSTNAME and fact["result"] == "pass"
    row = page.find('tr[data-mirror="%s"]' % HOSTNAME)
    shown = {td.get_attribute("data-check"): td.get_attribute("class")
             for td in row.find_elements("css selector", "td[data-check]")}
    assert shown == {check: cell["result"] for check, cell in fact["checks"].items()}
    assert row.find_element("css selector", "td.result").text == "PASS"
    assert float(row.find_element("css selector", "td.age").get_attribute("data-age-seconds")) == fact["age"]["seconds"]
    name = "fleet-report-served-%s" % protocol
    assert mirror_browser.screenshot(name) == SCREENSHOTS / ("%s.png" % name)
