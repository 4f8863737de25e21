# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The traffic report's clients by country (gentoo_mirror_status_geoip_database), with a real
GeoIP database read by Debian's GoAccess.

prepare made the database on the mirror with tests/testbed/country_mmdb.py: the /24 of the test
client (faults-upstream) is Germany, 198.51.100.0/24 France, nothing else is placed. The client
fetches files over HTTP, HTTPS and rsync; the report then counts in Germany every request from
that /24 and nothing in France, and without the database it has no country panel at all.
"""

import ipaddress
import json
import re

from conftest import MIRROR, UPSTREAM, mirror, upstream, wait_until

testinfra_hosts = [MIRROR]

DATABASE = "/var/lib/GeoIP/mirrorkit-test-country.mmdb"
ACCESS_LOG = "/var/log/nginx/gentoo-mirror.access.log"
RSYNCD_LOG = "/var/log/rsyncd.log"
REPORT = "/var/www/gentoo-mirror-status/traffic/index.html"
# What the client fetches from the mirror (three nginx lines, one rsyncd "send" line).
CLIENT_URLS = ("http://%s/distfiles/layout.conf" % MIRROR, "http://%s/snapshots/" % MIRROR,
               "https://%s/distfiles/timestamp.mirmon" % MIRROR)
CLIENT_RSYNC = "rsync://%s/gentoo/distfiles/timestamp.chk" % MIRROR
_NGINX_REQUEST = re.compile(r'^(\S+) \S+ \S+ \[[^\]]+\] "[A-Z]+ \S+')
_RSYNCD_SEND = re.compile(r"^\S+ \S+ \[\d+\] send (\S+) ")
# The requests the traffic program gives GoAccess (the installed program's own reading of the
# logs, in GoAccess's layout: protocol, truncated address, ...).
FED = ("python3 -I -S -c 'import datetime, sys; sys.path.insert(0, \"/usr/local/lib/gentoo-mirror-status\"); "
       "import gentoo_mirror_traffic as t; sys.stdout.writelines(t.requests(t.load_config(t.DEFAULT_CONFIG), "
       "datetime.datetime.now().astimezone()))'")


def client_address():
    return mirror("getent ahostsv4 %s" % UPSTREAM).stdout.split()[0]


def logged_addresses():
    """The client address of every request in the servers' logs (rotated ones too)."""
    text = mirror("zcat -f %s* %s*" % (ACCESS_LOG, RSYNCD_LOG)).stdout
    return [m.group(1) for m in (_NGINX_REQUEST.match(line) or _RSYNCD_SEND.match(line)
                                 for line in text.splitlines()) if m]


def fed_networks():
    return [line.split()[1] for line in mirror(FED).stdout.splitlines()]


def report_with_its_requests():
    """A new report and the networks of the requests it counts: the same before and after it
    (each nginx worker flushes its own log buffer, so a line may land while GoAccess reads)."""
    for dummy in range(5):
        fed = fed_networks()
        page, data = report()
        if fed_networks() == fed:
            return page, data, fed
    raise AssertionError("the logs kept growing while the report was made")


def report():
    """A new report, and its figures: GoAccess embeds them in the page as one JSON object. Read
    where nginx serves it from: nginx may serve the page this replaced for up to
    open_file_cache_valid (30 s), and test_status_page.py checks the serving."""
    mirror("systemctl start gentoo-mirror-traffic.service")
    page = mirror("cat %s" % REPORT).stdout
    start = page.index("var json_data=") + len("var json_data=")
    return page, json.JSONDecoder().raw_decode(page[start:])[0]


def countries(data):
    """{(continent, country): requests} of the report's country panel."""
    return {(continent["data"], country["data"]): country["hits"]["count"]
            for continent in data["geolocation"]["data"] for country in continent["items"]}


def test_traffic_report_places_the_client_in_its_country_and_without_a_database_nowhere():
    address = client_address()
    network = ipaddress.ip_network(address + "/24", strict=False)
    before = logged_addresses().count(address)
    upstream("mkdir -p /tmp/geoip-client && python3 -c \"import ssl, urllib.request; "
             "[urllib.request.urlopen(url, timeout=30, context=ssl._create_unverified_context()).read() "
             "for url in %r]\" && rsync %s /tmp/geoip-client/" % (CLIENT_URLS, CLIENT_RSYNC))
    wait_until("nginx and rsyncd to log the client's requests (nginx's buffer flush=5s)",
               lambda: logged_addresses().count(address) == before + len(CLIENT_URLS) + 1, seconds=30)

    page, data, fed = report_with_its_requests()
    in_network = sum(1 for a in fed if ipaddress.ip_address(a) in network)
    elsewhere = len(fed) - in_network
    expected = {("EU Europe", "DE Germany"): in_network}
    if elsewhere:
        expected[("Unknown", "Unknown")] = elsewhere  # addresses the database does not place
    assert countries(data) == expected
    assert "asn" not in data  # the client's network is not published either
    assert in_network >= before + len(CLIENT_URLS) + 1
    # the country, never the address
    assert not re.search(r"(?<![\d.:])%s(?![\d.:])" % re.escape(address), page), address

    # without the database (gone, or not there yet) the report has no country panel
    mirror("mv %s %s.away" % (DATABASE, DATABASE))
    try:
        page, data = report()
        assert "geolocation" not in data and "Germany" not in page
    finally:
        mirror("mv %s.away %s" % (DATABASE, DATABASE))
    assert "geolocation" in report()[1]
