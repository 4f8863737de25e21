# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real headless browser for the scenarios' tests: Debian's chromium driven by its
chromium-driver through Selenium.

    with Browser(hosts={"mirror.example.test": "127.0.0.1"}, ca_pem=root) as browser:
        page = browser.open("https://mirror.example.test:13443/status/")
        assert page.console_errors == [] and page.foreign_requests == []
        browser.screenshot("status-https")

What a page does is recorded, not guessed from its source:
- console errors: the browser log at level SEVERE (a failed request shows there too);
- every request the page makes (Chrome DevTools Network events from the performance log); a
  request to another origin than the page's own is in ``foreign_requests``;
- no name resolves but those given in ``hosts`` (``--host-resolver-rules``), so a page that
  would reach out to the network cannot, and says so in its console.
A CA to trust (Pebble's root) goes into a fresh NSS database of the browser's own, the way a
user adds a CA: certificate errors are never ignored.
"""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TOP = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = TOP / "build" / "screenshots"
WINDOW = (1000, 700)
LOAD_SECONDS = 30


def origin(url):
    """scheme://host[:port] of a URL; file URLs are their own origin per file."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        return url.split("#")[0]
    return "%s://%s" % (parts.scheme, parts.netloc)


class Page:
    """What one page load did: its URL, console errors, requests, and the driver to read it."""

    def __init__(self, driver, url, console, requests):
        self.driver = driver
        self.url = url
        self.console = console
        self.requests = requests

    @property
    def console_errors(self):
        # The browser asks for /favicon.ico by itself when a page names no icon; a mirror
        # need not have one, and the page did not ask for it.
        implicit = origin(self.url) + "/favicon.ico "
        return [entry["message"] for entry in self.console
                if entry.get("level") == "SEVERE" and not entry["message"].startswith(implicit)]

    @property
    def foreign_requests(self):
        mine = origin(self.url)
        return [url for url in self.requests if not url.startswith("data:") and origin(url) != mine]

    def find(self, css):
        return self.driver.find_element("css selector", css)

    def find_all(self, css):
        return self.driver.find_elements("css selector", css)

    def text(self, css):
        """The text a person sees in the element (visible text only)."""
        return self.find(css).text.strip()


class Browser:
    """Headless chromium through chromium-driver; a context manager."""

    def __init__(self, hosts=None, ca_pem=None, window=WINDOW):
        for program in (CHROMIUM, CHROMEDRIVER):
            if not os.access(program, os.X_OK):
                raise RuntimeError("%s is missing: install Debian's chromium and chromium-driver "
                                   "(tests/testbed/host-deps.sh)" % program)
        self.home = tempfile.mkdtemp(prefix="mirrorkit-browser-")
        if ca_pem:
            self._trust(ca_pem)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-default-apps", "--hide-scrollbars",
                    "--user-data-dir=%s" % os.path.join(self.home, "profile"),
                    "--window-size=%d,%d" % window,
                    "--host-resolver-rules=%s" % self._resolver_rules(hosts or {})):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        # HOME: chromium reads the NSS database of the trusted CA from $HOME/.pki/nssdb.
        service = Service(CHROMEDRIVER, env=dict(os.environ, HOME=self.home))
        try:
            self.driver = webdriver.Chrome(service=service, options=options)
        except Exception:
            shutil.rmtree(self.home, ignore_errors=True)
            raise
        self.driver.set_page_load_timeout(LOAD_SECONDS)
        # Off the start page (chromium's own chrome:// resources) before any page is recorded.
        self.driver.get("about:blank")

    @staticmethod
    def _resolver_rules(hosts):
        # Only the names given resolve (to the address given); any other name fails to resolve,
        # and 127.0.0.1 stays itself.
        rules = ["MAP %s %s" % (name, address) for name, address in sorted(hosts.items())]
        return ", ".join(rules + ["MAP * ~NOTFOUND", "EXCLUDE 127.0.0.1"])

    def _trust(self, ca_pem):
        nssdb = os.path.join(self.home, ".pki", "nssdb")
        os.makedirs(nssdb)
        pem = os.path.join(self.home, "ca.pem")
        with open(pem, "w", encoding="ascii") as handle:
            handle.write(ca_pem if "BEGIN CERTIFICATE" in ca_pem else pathlib.Path(ca_pem).read_text())
        for argv in (["certutil", "-N", "-d", "sql:" + nssdb, "--empty-password"],
                     ["certutil", "-A", "-d", "sql:" + nssdb, "-n", "mirrorkit-test-ca", "-t", "C,,", "-i", pem]):
            subprocess.run(argv, check=True, capture_output=True, timeout=30)

    def open(self, url):
        """Load url, wait until it has loaded, and return what the load did."""
        self.driver.get_log("browser")
        self.driver.get_log("performance")
        self.driver.get(url)
        deadline = time.monotonic() + LOAD_SECONDS
        while self.driver.execute_script("return document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise AssertionError("%s did not finish loading in %d s" % (url, LOAD_SECONDS))
            time.sleep(0.1)
        requests = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            # Requests of the browser's own pages (chrome://) are no part of the page.
            if message.get("method") == "Network.requestWillBeSent" and not params.get("documentURL", "").startswith("chrome"):
                requests.append(params["request"]["url"])
        return Page(self.driver, url, self.driver.get_log("browser"), requests)

    def screenshot(self, name):
        """Save the window as build/screenshots/<name>.png; return its path."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / ("%s.png" % name)
        if not self.driver.save_screenshot(str(path)):
            raise AssertionError("no screenshot saved to %s" % path)
        return path

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
