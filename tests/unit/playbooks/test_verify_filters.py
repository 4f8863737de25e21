# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The judgement of verify.yml: listings, the distfiles sample, and every check's verdict.

The inputs are shaped like the results the playbook registers (ansible.builtin.uri,
ansible.builtin.command, ansible.builtin.slurp, the collection's modules)."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.filter import verify
from ansible_collections.mirrorkit.gentoo.plugins.filter.layout import layout_path

NOW = 1795600000
LAYOUT_CONF = "[structure]\n0=filename-hash BLAKE2B 8\n"

NGINX_INDEX = """<html>
<head><title>Index of /releases/</title></head>
<body>
<h1>Index of /releases/</h1><hr><pre><a href="../">../</a>
<a href="amd64/">amd64/</a>                                             25-Nov-2026 09:00                   -
<a href="historical/">historical/</a>                                        25-Nov-2026 09:00                   -
<a href="foo%20bar%2B1.tar.gz">foo bar+1.tar.gz</a>                      25-Nov-2026 09:00               12345
<a href="a&amp;b.txt">a&amp;b.txt</a>                      25-Nov-2026 09:00               1
</pre><hr></body>
</html>
"""

APACHE_INDEX = """<table><tr><th><a href="?C=N;O=D">Name</a></th></tr>
<tr><td><a href="/gentoo/">Parent Directory</a></td></tr>
<tr><td><a href="prefix/">prefix/</a></td></tr>
<tr><td><a href='https://other.example/'>elsewhere</a></td></tr></table>"""

RSYNC_LIST = """Welcome to the mirror
drwxr-xr-x          4,096 2026/11/25 09:00:00 .
drwxr-xr-x          4,096 2026/11/25 09:00:00 distfiles
drwxr-xr-x          4,096 2026/11/25 09:00:00 experimental
-rw-r--r--         12,345 2026/11/25 09:00:00 name with spaces.tar.gz
lrwxrwxrwx             20 2026/11/25 09:00:00 latest -> gentoo-20261125.tar.xz
drwxr-xr-x          4,096 2026/11/25 09:00:00 releases
drwxr-xr-x          4,096 2026/11/25 09:00:00 snapshots
"""


def uri(status=200, content="", item=None, msg=None):
    result = {"status": status, "content": content, "changed": False}
    if msg is not None:
        result["msg"] = msg
    if item is not None:
        result["item"] = item
    return result


def listing_html(names):
    return "<pre><a href=\"../\">../</a>\n" + "".join('<a href="%s">%s</a>\n' % (n, n) for n in names) + "</pre>"


HTTP = {"protocol": "http", "url": "http://127.0.0.1:58081/", "validate_certs": False}
HTTPS = {"protocol": "https", "url": "https://mirror.example.org/", "validate_certs": True}


def settings(**over):
    base = {"hostname": "mirror.example.org", "web": [HTTP], "https": False, "rsync": True,
            "max_age_seconds": 6 * 3600, "cert_min_days": 14, "ca_bundle": "", "bandwidth": True,
            "limits": True, "min_connections": 15, "status_file": "/var/lib/gentoo-mirror/status.json"}
    base.update(over)
    return base


def slurped(text):
    return {"content": base64.b64encode(text.encode()).decode(), "encoding": "base64", "source": "x"}


def rows_for(raw, check, protocol=None):
    return [r for r in verify.verify_evaluate(raw) if r["check"] == check and (protocol is None or r["protocol"] == protocol)]


# --- listings ---------------------------------------------------------------------------

def test_autoindex_entries_nginx():
    assert verify.autoindex_entries(NGINX_INDEX) == ["amd64/", "historical/", "foo bar+1.tar.gz", "a&b.txt"]


def test_autoindex_entries_apache_skips_sort_parent_and_other_sites():
    assert verify.autoindex_entries(APACHE_INDEX) == ["prefix/"]


def test_autoindex_entries_empty():
    assert verify.autoindex_entries(None) == []
    assert verify.autoindex_entries("<html><pre><a href=\"../\">../</a></pre></html>") == []


def test_rsync_list_entries():
    assert verify.rsync_list_entries(RSYNC_LIST) == [
        "distfiles/", "experimental/", "name with spaces.tar.gz", "latest", "releases/", "snapshots/"]
    assert verify.rsync_list_entries(RSYNC_LIST.splitlines()) == verify.rsync_list_entries(RSYNC_LIST)


@pytest.mark.parametrize("items, count, expected", [
    (list(range(10)), 3, [1, 5, 8]),
    (list(range(256)), 4, [32, 96, 160, 224]),
    ([1, 2], 5, [1, 2]),
    ([1, 2], 0, []),
])
def test_sample_spread(items, count, expected):
    assert verify.sample_spread(items, count) == expected


# --- the distfiles sample ----------------------------------------------------------------

def hashed_listing(names, via="http"):
    """Registered results of listing the hashed directories that hold ``names``."""
    dirs = {}
    for name in names:
        dirs.setdefault(layout_path(name).split("/")[0] + "/", []).append(name)
    results = []
    for directory, files in sorted(dirs.items()):
        if via == "http":
            results.append(uri(content=listing_html(files), item=directory))
        else:
            text = "".join("-rw-r--r--          1,024 2026/11/25 09:00:00 %s\n" % f for f in files)
            results.append({"rc": 0, "stdout": text, "stdout_lines": text.splitlines(), "item": directory})
    return {"results": results}


NAMES = ["pkg%05d-1.0.tar.gz" % i for i in range(12)]


@pytest.mark.parametrize("via", ["http", "rsync"])
def test_distfiles_sample_computes_paths(via):
    sample = verify.distfiles_sample(hashed_listing(NAMES, via), LAYOUT_CONF, 6)
    assert sample["error"] is None
    assert sample["layout"] == "filename-hash BLAKE2B 8"
    assert len(sample["files"]) == 6
    for entry in sample["files"]:
        assert entry["computed"] == entry["listed"] == layout_path(entry["name"])


def test_distfiles_sample_skips_metadata_and_directories():
    top = uri(content=listing_html(["00/", "layout.conf", "timestamp.mirmon", "timestamp.chk", ".hidden", "flat-1.tar.gz"]))
    sample = verify.distfiles_sample([top], LAYOUT_CONF, 6)
    assert [e["name"] for e in sample["files"]] == ["flat-1.tar.gz"]
    # A flat file whose layout says it belongs in a hashed directory: listed != computed.
    assert sample["files"][0]["listed"] == "flat-1.tar.gz"
    assert sample["files"][0]["computed"] == layout_path("flat-1.tar.gz")


def test_distfiles_sample_without_usable_layout():
    sample = verify.distfiles_sample(hashed_listing(NAMES), "[structure]\n0=content-hash SHA512 8\n", 3)
    assert "no layout this check can compute" in sample["error"]
    assert all(e["computed"] is None for e in sample["files"])
    assert "could not be read" in verify.distfiles_sample(hashed_listing(NAMES), None, 3)["error"]


def test_distfiles_sample_without_files():
    sample = verify.distfiles_sample({"results": [uri(content=listing_html(["00/", "layout.conf"]))]}, LAYOUT_CONF, 3)
    assert sample["files"] == []
    assert sample["listed"] is True
    assert "no distfiles found" in sample["error"]


def test_distfiles_sample_without_any_listing():
    sample = verify.distfiles_sample({"results": [uri(status=403, item="")]}, LAYOUT_CONF, 3)
    assert sample["listed"] is False
    assert "has no listing" in sample["error"]


def test_layout_sample_without_listings_only_warns():
    sample = verify.distfiles_sample({"results": [uri(status=403)]}, LAYOUT_CONF, 3)
    row = rows_for(base_raw(sample=sample, sample_fetch={"results": []}), "layout sample")[0]
    assert row["result"] == "warn"
    assert row["detail"] == "distfiles/ has no listing over HTTP(S) nor rsync to take a sample from"
    sample = verify.distfiles_sample({"results": [uri(content=listing_html(["00/"]))]}, LAYOUT_CONF, 3)
    assert rows_for(base_raw(sample=sample, sample_fetch={"results": []}), "layout sample")[0]["result"] == "fail"


# --- timestamps --------------------------------------------------------------------------

@pytest.mark.parametrize("text, verdict, words", [
    ("%d\n" % (NOW - 3600), "ok", "60 min old"),
    ("%d\n" % (NOW - 7 * 3600), "fail", "stale: 7.0 h old"),
    ("%d extra words\n" % (NOW - 60), "ok", "60 s old"),
    ("%d\n" % (NOW + 3600), "warn", "in the future"),
    ("not a number\n", "fail", "not a UNIX timestamp"),
    ("", "fail", "not a UNIX timestamp"),
])
def test_judge_timestamp(text, verdict, words):
    result, detail = verify.judge_timestamp(text, NOW, 6 * 3600)
    assert result == verdict
    assert words in detail


def base_raw(**over):
    """What verify_checks.yml collects from a healthy mirror serving HTTP and rsync."""
    fresh = "%d\n" % (NOW - 1800)
    sample = verify.distfiles_sample(hashed_listing(NAMES), LAYOUT_CONF, 4)
    status = {"result": "success", "end_timestamp": NOW - 1700, "start_timestamp": NOW - 1800,
              "duration_seconds": 100.0, "last_success_timestamp": NOW - 1700, "message": "",
              "consecutive_failures": 0}
    raw = {
        "now": NOW,
        "settings": settings(),
        "timestamp_web": {"results": [uri(content=fresh, item=HTTP)]},
        "timestamp_rsync": {"rc": 0, "stdout": "", "stderr": ""},
        "timestamp_rsync_file": slurped(fresh),
        "rsync_module": {"rc": 0, "stdout": RSYNC_LIST, "stdout_lines": RSYNC_LIST.splitlines()},
        "listings": {"results": [uri(content=NGINX_INDEX, item=[HTTP, d]) for d in ("experimental", "releases", "snapshots")]},
        "layout_conf": {"results": [uri(content=LAYOUT_CONF, item=HTTP)]},
        "sample": sample,
        "sample_fetch": {"results": [uri(content="", item=[HTTP, e]) for e in sample["files"]]},
        "certificate": {"skipped": True},
        "certificate_info": {"skipped": True},
        "status": slurped(json.dumps(status)),
        "bandwidth_upstream": {"verdict": "ok", "measured_mbit": 940.2, "url": "rsync://up/gentoo/big", "seconds": 3.0, "msg": "m"},
        "bandwidth_client": {"verdict": "ok", "measured_mbit": 800.0, "url": "http://127.0.0.1:58081/big", "seconds": 3.0, "msg": "m"},
        "limits": {"verdict": "ok", "min_connections": 15, "protocols": {
            "http": {"enabled": True, "capacity": 2000, "verdict": "ok",
                     "limiting": {"directive": "worker_connections", "value": 1024, "file": "/etc/nginx/nginx.conf"},
                     "probe": {"attempted": 30, "served": 30, "unanswered": 0}},
            "rsync": {"enabled": True, "capacity": 1000, "verdict": "ok",
                      "limiting": {"directive": "max connections", "value": 1000, "file": "/etc/rsyncd.conf"}}}},
    }
    raw.update(over)
    return raw


def test_healthy_mirror_passes_every_check():
    rows = verify.verify_evaluate(base_raw())
    assert [r for r in rows if r["result"] not in ("ok",)] == []
    checks = {(r["check"], r["protocol"]) for r in rows}
    assert checks == {
        ("timestamp.mirmon", "http"), ("timestamp.mirmon", "rsync"),
        ("listing experimental/", "http"), ("listing releases/", "http"), ("listing snapshots/", "http"),
        ("layout.conf", "http"), ("layout sample", "http"), ("rsync module", "rsync"), ("last sync", "status"),
        ("bandwidth upstream", "rsync"), ("bandwidth to users", "http"),
        ("connection limits", "http"), ("connection limits", "rsync"),
    }
    assert verify.verify_failures(rows) == []


def test_stale_timestamp_fails_over_each_protocol():
    old = "%d\n" % (NOW - 8 * 3600)
    rows = verify.verify_evaluate(base_raw(timestamp_web={"results": [uri(content=old, item=HTTP)]},
                                           timestamp_rsync_file=slurped(old)))
    failed = verify.verify_failures(rows, "m.example")
    assert len(failed) == 2
    assert failed[0].startswith("m.example: timestamp.mirmon (http) FAILED: stale: 8.0 h old")
    assert "timestamp.mirmon (rsync) FAILED" in failed[1]


def test_unreachable_http_and_rsync_errors_are_named():
    refused = "Status code was -1 and not [200]: Request failed: <urlopen error [Errno 111] Connection refused>"
    raw = base_raw(timestamp_web={"results": [uri(status=-1, item=HTTP, msg=refused)]},
                   timestamp_rsync={"rc": 10, "stderr": "rsync: [Receiver] failed to connect to 127.0.0.1 (127.0.0.1): "
                                                        "Connection refused (111)\nrsync error: error in socket IO (code 10)"},
                   rsync_module={"rc": 5, "stderr": "@ERROR: Unknown module 'gentu'\n"
                                                    "rsync error: error starting client-server protocol (code 5)"})
    rows = {(r["check"], r["protocol"]): r for r in verify.verify_evaluate(raw)}
    assert "no answer" in rows[("timestamp.mirmon", "http")]["detail"]
    assert "Connection refused" in rows[("timestamp.mirmon", "http")]["detail"]
    assert "rsync exit 10: rsync: [Receiver] failed to connect" in rows[("timestamp.mirmon", "rsync")]["detail"]
    assert rows[("rsync module", "rsync")]["detail"] == "rsync exit 5: @ERROR: Unknown module 'gentu'"


def test_listing_turned_off_fails_with_a_hint():
    raw = base_raw(listings={"results": [
        uri(content=NGINX_INDEX, item=[HTTP, "experimental"]),
        uri(status=403, item=[HTTP, "releases"], msg="Status code was 403 and not [200]: HTTP Error 403: Forbidden"),
        uri(content="<html><body>nothing here</body></html>", item=[HTTP, "snapshots"]),
    ]})
    rows = {r["check"]: r for r in rows_for(raw, "listing releases/") + rows_for(raw, "listing snapshots/") + rows_for(raw, "listing experimental/")}
    assert rows["listing experimental/"]["result"] == "ok"
    assert rows["listing releases/"]["result"] == "fail"
    assert rows["listing releases/"]["detail"] == "HTTP 403 (directory listing turned off?)"
    assert "lists no entries" in rows["listing snapshots/"]["detail"]


def test_layout_conf_missing_or_unusable():
    raw = base_raw(layout_conf={"results": [uri(status=404, item=HTTP)]})
    assert rows_for(raw, "layout.conf")[0]["detail"] == "distfiles/layout.conf: HTTP 404"
    raw = base_raw(layout_conf={"results": [uri(content="[structure]\n0=content-hash SHA512 8\n", item=HTTP)]})
    assert "names no usable layout" in rows_for(raw, "layout.conf")[0]["detail"]


def test_layout_sample_file_missing_at_computed_path():
    raw = base_raw()
    fetched = raw["sample_fetch"]["results"]
    fetched[1] = uri(status=404, item=fetched[1]["item"])
    row = rows_for(raw, "layout sample")[0]
    assert row["result"] == "fail"
    assert "1 of 4 files not at the path 'filename-hash BLAKE2B 8' gives" in row["detail"]
    assert fetched[1]["item"][1]["computed"] in row["detail"]


def test_layout_sample_misplaced_file_fails_even_when_found():
    raw = base_raw()
    entry = dict(raw["sample"]["files"][0], listed="zz/" + raw["sample"]["files"][0]["name"])
    raw["sample"]["files"][0] = entry
    raw["sample_fetch"]["results"][0] = uri(item=[HTTP, entry])
    row = rows_for(raw, "layout sample")[0]
    assert row["result"] == "fail"
    assert "listed at zz/" in row["detail"]


def test_layout_sample_error_is_reported_per_protocol():
    raw = base_raw(settings=settings(web=[HTTP, HTTPS]), sample={"files": [], "error": "no distfiles found in the listings of distfiles/"},
                   sample_fetch={"results": []})
    rows = rows_for(raw, "layout sample")
    assert [r["protocol"] for r in rows] == ["http", "https"]
    assert all(r["detail"] == "no distfiles found in the listings of distfiles/" for r in rows)


# --- certificate -------------------------------------------------------------------------

def cert_raw(not_after, names=("DNS:mirror.example.org",), failed=False, msg=None):
    cert = {"cert": "-----BEGIN CERTIFICATE-----", "not_after": not_after, "expired": False, "failed": failed}
    if msg:
        cert = {"failed": True, "msg": msg}
    info = {"subject_alt_name": list(names), "issuer": {"commonName": "Pebble Intermediate CA"}, "subject": {}}
    return base_raw(settings=settings(web=[HTTP, HTTPS], https=True), certificate=cert, certificate_info=info)


def test_certificate_ok():
    row = rows_for(cert_raw("20270301000000Z"), "certificate")[0]
    assert row["result"] == "ok"
    assert "valid for mirror.example.org, issued by Pebble Intermediate CA, expires 2027-03-01" in row["detail"]


def test_certificate_expiring_soon():
    soon = "20261130000000Z"  # NOW is 2026-11-25
    row = rows_for(cert_raw(soon), "certificate")[0]
    assert row["result"] == "fail"
    assert "days left, fewer than 14" in row["detail"]


def test_certificate_expired():
    row = rows_for(cert_raw("20261101000000Z"), "certificate")[0]
    assert row["detail"] == "expired on 2026-11-01"


def test_certificate_wrong_name():
    row = rows_for(cert_raw("20270301000000Z", names=["DNS:other.example.org"]), "certificate")[0]
    assert row["detail"] == "not valid for mirror.example.org (names: DNS:other.example.org)"


def test_certificate_untrusted_chain():
    msg = "Failed to get cert from 127.0.0.1:58443, error: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"
    row = rows_for(cert_raw(None, msg=msg), "certificate")[0]
    assert row["result"] == "fail"
    assert "verification against the trusted CAs failed" in row["detail"]
    assert "CERTIFICATE_VERIFY_FAILED" in row["detail"]


@pytest.mark.parametrize("host, names, expected", [
    ("mirror.example.org", ["DNS:mirror.example.org"], True),
    ("Mirror.Example.org.", ["DNS:mirror.example.org"], True),
    ("mirror.example.org", ["DNS:*.example.org"], True),
    ("a.mirror.example.org", ["DNS:*.example.org"], False),
    ("example.org", ["DNS:*.example.org"], False),
    ("mirror.example.org", ["IP Address:127.0.0.1", "DNS:x.example.org"], False),
    ("mirror.example.org", [], False),
])
def test_hostname_matches(host, names, expected):
    assert verify.hostname_matches(host, names) is expected


# --- status file -------------------------------------------------------------------------

def test_status_failure_is_reported_with_the_message():
    status = {"result": "failure", "end_timestamp": NOW - 600, "message": "rsync exit 10: error in socket I/O",
              "last_success_timestamp": NOW - 90000, "consecutive_failures": 3}
    row = rows_for(base_raw(status=slurped(json.dumps(status))), "last sync")[0]
    assert row["result"] == "fail"
    assert row["detail"].startswith("last run failure, ended")
    assert "rsync exit 10: error in socket I/O; last success" in row["detail"]
    assert "3 failures in a row" in row["detail"]


def test_status_success_but_old():
    status = {"result": "success", "end_timestamp": NOW - 30 * 3600, "last_success_timestamp": NOW - 30 * 3600}
    row = rows_for(base_raw(status=slurped(json.dumps(status))), "last sync")[0]
    assert row["result"] == "fail"
    assert "is the timer running?" in row["detail"]


def test_status_missing():
    raw = base_raw(status={"failed": False, "msg": "file not found: /var/lib/gentoo-mirror/status.json"})
    row = rows_for(raw, "last sync")[0]
    assert row["result"] == "fail"
    assert "cannot read /var/lib/gentoo-mirror/status.json: file not found" in row["detail"]


def test_status_not_json():
    row = rows_for(base_raw(status=slurped("garbage")), "last sync")[0]
    assert "is not JSON" in row["detail"]


# --- modules -----------------------------------------------------------------------------

def test_module_checks_switched_off_are_skipped_with_the_reason():
    raw = base_raw(settings=settings(bandwidth=False, limits=False),
                   bandwidth_upstream={"skipped": True}, bandwidth_client={"skipped": True}, limits={"skipped": True})
    rows = verify.verify_evaluate(raw)
    skipped = [r for r in rows if r["result"] == "skip"]
    assert {r["check"] for r in skipped} == {"bandwidth upstream", "bandwidth to users", "connection limits"}
    assert all("is false" in r["detail"] for r in skipped)


def test_bandwidth_verdicts():
    low = {"verdict": "below_minimum", "failed": True, "msg": "Measured 2.00 Mbit/s from rsync://up/ ...: below the minimum of 5 Mbit/s"}
    warn = {"verdict": "below_recommended", "msg": "Measured 50.00 Mbit/s ...: below the recommended 100 Mbit/s"}
    rows = {r["check"]: r for r in verify.verify_evaluate(base_raw(bandwidth_upstream=low, bandwidth_client=warn))}
    assert rows["bandwidth upstream"]["result"] == "fail"
    assert "below the minimum of 5 Mbit/s" in rows["bandwidth upstream"]["detail"]
    assert rows["bandwidth to users"]["result"] == "warn"


def test_connection_limits_probe_shortfall_fails():
    raw = base_raw()
    raw["limits"]["protocols"]["http"]["probe"] = {"attempted": 30, "served": 10, "unanswered": 20, "sample_refusal": None}
    row = rows_for(raw, "connection limits", "http")[0]
    assert row["result"] == "fail"
    assert "probe: 10 of 30 served (20 unanswered)" in row["detail"]


def test_connection_limits_below_recommended_warns():
    raw = base_raw()
    raw["limits"]["protocols"]["rsync"].update(capacity=20, verdict="below_recommended")
    assert rows_for(raw, "connection limits", "rsync")[0]["result"] == "warn"


def test_unreachable_mirror_host():
    raw = base_raw(status={"unreachable": True, "msg": "Failed to connect to the host via ssh"},
                   limits={"unreachable": True, "msg": "Failed to connect"})
    assert rows_for(raw, "last sync")[0]["detail"].startswith("mirror host unreachable")
    assert rows_for(raw, "connection limits")[0]["result"] == "fail"


# --- output ------------------------------------------------------------------------------

def test_table_and_fleet_summary():
    rows = verify.verify_evaluate(base_raw(listings={"results": [uri(status=403, item=[HTTP, "releases"])]}))
    lines = verify.verify_table(rows, "mirror.example.org", width=100)
    assert lines[0] == "mirror.example.org"
    assert lines[1].split() == ["CHECK", "PROTOCOL", "RESULT", "DETAIL"]
    assert any(line.startswith("listing releases/") and " FAIL " in line for line in lines)
    assert all(len(line) <= 100 for line in lines)
    assert lines[-1].endswith("1 failed, 0 skipped")
    summary = verify.verify_fleet_summary([{"name": "a.example", "rows": rows}, {"name": "b.example", "rows": verify.verify_evaluate(base_raw())}])
    assert summary[0] == "2 mirror(s) checked: 1 pass, 1 fail"
    assert summary[1].startswith("a.example: FAIL")
    assert summary[2] == "  listing releases/ (http) FAILED: HTTP 403 (directory listing turned off?)"
    assert summary[3].startswith("b.example: PASS")


def test_default_ca_bundle(tmp_path):
    assert verify.default_ca_bundle("/x/ca.pem") == "/x/ca.pem"
    assert verify.default_ca_bundle("")  # some bundle of the controller


@pytest.mark.parametrize("source,user,expect", [
    ("rsync://up.example/gentoo/", "", "rsync://up.example/gentoo/"),
    ("up.example::gentoo/", "", "rsync://up.example/gentoo/"),
    ("up.example::gentoo/distfiles/", "mirror42", "rsync://mirror42@up.example/gentoo/distfiles/"),
    ("rsync://up.example/gentoo/", "mirror42", "rsync://mirror42@up.example/gentoo/"),
    ("rsync://other@up.example/gentoo/", "mirror42", "rsync://other@up.example/gentoo/"),
    ("other@up.example::gentoo/", "mirror42", "rsync://other@up.example/gentoo/"),
    ("/srv/upstream/", "mirror42", "/srv/upstream/"),
    ("up.example:/srv/gentoo/", "", "up.example:/srv/gentoo/"),
])
def test_rsync_url(source, user, expect):
    assert verify.rsync_url(source, user) == expect
