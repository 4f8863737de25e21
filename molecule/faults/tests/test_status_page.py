# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mirror shows its state (role gentoo_mirror_status): the status page and its data served over
HTTP from the machine match the mirror's real state, reveal nothing private and are not part of
the tree; a failed sync is reported by the page, by node_exporter's metrics and by the alert rules
(promtool on the series node_exporter serves); the traffic report counts HTTP, HTTPS and rsync
without publishing an address.

Each test leaves upstream and mirror as it found them (a synced mirror).
"""

import datetime
import html
import http.client
import json
import os
import re
import runpy
import ssl
import subprocess
import time

import yaml

from conftest import (HTTPS_PORT, MIRROR, PASSWORD, ROOT, RSYNC_URL, STATE, http_get, last_journal, mirror,
                      repo_dir, rsync_client, start_sync, status, upstream, wait_until)

testinfra_hosts = [MIRROR]

WEBROOT = "/var/www/gentoo-mirror-status"
RULES = "roles/gentoo_mirror_status/files/usr/local/share/gentoo-mirror/prometheus/gentoo-mirror.rules.yml"
NODE_EXPORTER = "faults-mirror.example.test:9100"


def page_json():
    code, body = http_get("/status/status.json")
    assert code == 200
    return json.loads(body)


def page_html():
    code, body = http_get("/status/")
    assert code == 200
    return body.decode()


def text_of(page, element_id):
    """The visible text of the element with that id (the page's elements hold plain text)."""
    match = re.search(r'<[a-z]+ id="%s"[^>]*>([^<]*)<' % element_id, page)
    assert match, element_id
    return html.unescape(match.group(1))


def local_iso(ts):
    """As the mirror writes times: in its local zone, with its UTC offset."""
    zone = mirror("date +%z").stdout.strip()
    offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5])) * (-1 if zone[0] == "-" else 1)
    return datetime.datetime.fromtimestamp(ts, datetime.timezone(offset)).isoformat(timespec="seconds")


def page_after_last_run():
    """The page once the renderer, which systemd starts when the sync service stops, has shown the
    last run."""
    st = status()
    # Two runs may end within one second: the run is known by its end, duration and result.
    last = {"end": local_iso(st["end_timestamp"]), "duration_seconds": st["duration_seconds"],
            "bytes_transferred": st["bytes_transferred"], "result": st["result"]}

    def shown():
        facts = page_json()
        return facts["history"] and facts["history"][-1] == last and facts
    return wait_until("the status page of the last run", shown, seconds=30)


def tree_facts():
    """(bytes, files) of the mirror tree as find sees it: regular files, hard links once."""
    out = mirror("find %s -path '*/.~tmp~' -prune -o -type f -printf '%%i %%s\\n' | sort -u "
                 "| awk '{n++; s+=$2} END {print s+0, n+0}'" % ROOT).stdout.split()
    return int(out[0]), int(out[1])


def test_status_page_served_over_http_matches_the_mirror():
    assert start_sync().returncode == 0, last_journal()
    facts = page_after_last_run()
    st = status()
    assert facts["result"] == st["result"] == "success"
    assert facts["last_sync_end"] == local_iso(st["end_timestamp"])
    assert facts["last_success_end"] == local_iso(st["last_success_timestamp"])
    generated = datetime.datetime.fromisoformat(facts["generated"]).timestamp()
    assert abs(facts["tree_age_seconds"] - (generated - st["last_success_timestamp"])) <= 1
    policy = runpy.run_path(os.path.join(repo_dir(), "plugins", "module_utils", "policy.py"))["POLICY"]
    assert facts["max_age_seconds"] == policy["sync_interval_hours"] * 3600
    assert (facts["tree_bytes"], facts["tree_files"]) == tree_facts()
    assert facts["upstream"] == "rsync://faults-upstream/gentoo-auth/"
    assert facts["consecutive_failures"] == st["consecutive_failures"] == 0
    # the timer's own next elapse, in the mirror's local time
    elapse = mirror("systemctl show -p NextElapseUSecRealtime --value gentoo-mirror-sync.timer").stdout.strip()
    assert facts["next_run"] == local_iso(datetime.datetime.strptime(
        elapse, "%a %Y-%m-%d %H:%M:%S UTC").replace(tzinfo=datetime.timezone.utc).timestamp())
    assert 1 <= len(facts["history"]) <= 30
    assert facts["history"][-1] == {"end": facts["last_sync_end"], "duration_seconds": st["duration_seconds"],
                                    "bytes_transferred": st["bytes_transferred"], "result": "success"}

    page = page_html()
    for element_id, key in (("last-result", "result"), ("last-sync-end", "last_sync_end"), ("next-run", "next_run"),
                            ("tree-files", "tree_files"), ("upstream", "upstream"),
                            ("consecutive-failures", "consecutive_failures")):
        assert text_of(page, element_id) == str(facts[key]), element_id
    assert re.search(r'id="tree-age"[^>]*data-seconds="%d"' % facts["tree_age_seconds"], page)
    assert 'id="traffic-link" href="traffic/"' in page
    assert page.count('<g class="run run-') == len(facts["history"])
    # nothing from elsewhere: no script, no external resource
    assert "<script" not in page and not re.search(r'(src|href)="(https?:)?//', page)


def test_status_page_reveals_no_login_no_path_and_is_not_in_the_tree():
    served = http_get("/status/")[1] + http_get("/status/status.json")[1] + http_get("/status/traffic/")[1]
    for secret in (PASSWORD, "mirror42", STATE, ROOT, "/etc/gentoo-mirror", WEBROOT):
        assert secret.encode() not in served, secret
    # the page lives outside the tree: neither verify's walk of the tree nor the rsync module has it
    assert mirror("grep -rl history-chart %s; true" % ROOT).stdout == ""
    listing = rsync_client("--list-only", RSYNC_URL)
    assert listing.returncode == 0 and not re.search(r"\sstatus$", listing.stdout, re.M), listing.stdout
    assert rsync_client("--list-only", RSYNC_URL + "status/").returncode != 0
    # the renderer's temporary files are never served
    mirror("cp %s/index.html %s/.index.html.1.tmp" % (WEBROOT, WEBROOT))
    try:
        assert http_get("/status/.index.html.1.tmp")[0] == 404
    finally:
        mirror("rm -f %s/.index.html.1.tmp" % WEBROOT)


def node_exporter_series():
    """The gentoo_mirror_sync_* samples node_exporter serves, as promtool input series."""
    text = mirror("python3 -c \"import urllib.request; print(urllib.request.urlopen("
                  "'http://127.0.0.1:9100/metrics', timeout=10).read().decode())\"").stdout
    series = []
    for line in text.splitlines():
        match = re.match(r"^(gentoo_mirror_sync_\w+)\{(.*)\} (\S+)$", line)
        if match:
            labels = '%s,instance="%s",job="node"' % (match.group(2), NODE_EXPORTER)
            # promtool's "axn" notation: a plain decimal (node_exporter may write 1.79e+09)
            value = ("%f" % float(match.group(3))).rstrip("0").rstrip(".")
            series.append({"series": "%s{%s}" % (match.group(1), labels), "values": "%sx30" % value})
    return series


def promtool_alerts(tmp_path, series, expected):
    """promtool test rules with the collection's rules on `series`: each alert of `expected`
    ({alertname: [labels]}) fires at minute 5 with those labels, the others stay silent."""
    rules = yaml.safe_load(open(os.path.join(repo_dir(), RULES), encoding="utf-8"))["groups"][0]["rules"]
    cases = []
    for rule in rules:
        if rule["alert"] == "GentooMirrorTreeStale":
            continue  # time(): promtool's clock starts at 0, the mirror's at 2026 (unit-tested instead)
        alerts = []
        for labels in expected.get(rule["alert"], []):
            alerts.append({"exp_labels": dict(labels, **rule["labels"]),
                           "exp_annotations": {k: v.replace("{{ $labels.instance }}", NODE_EXPORTER)
                                               for k, v in rule["annotations"].items()}})
        cases.append({"eval_time": "5m", "alertname": rule["alert"], "exp_alerts": alerts})
    test = tmp_path / "mirror.test.yml"
    test.write_text(json.dumps({"rule_files": [os.path.join(repo_dir(), RULES)], "evaluation_interval": "1m",
                                "tests": [{"interval": "1m", "input_series": series, "alert_rule_test": cases}]}))
    return subprocess.run(["promtool", "test", "rules", str(test)], capture_output=True, text=True, check=False)


def test_failed_sync_is_reported_by_the_page_the_metrics_and_an_alert(tmp_path):
    upstream("systemctl stop rsync")
    try:
        assert start_sync().returncode != 0
    finally:
        upstream("systemctl start rsync")
    try:
        st = status()
        assert st["result"] == "failure" and st["consecutive_failures"] >= 1
        facts = page_after_last_run()
        assert facts["result"] == "failure"
        assert facts["consecutive_failures"] == st["consecutive_failures"]
        assert facts["last_success_end"] == local_iso(st["last_success_timestamp"])
        assert facts["history"][-1]["result"] == "failure"
        page = page_html()
        assert text_of(page, "last-result") == "failure"
        assert text_of(page, "consecutive-failures") == str(st["consecutive_failures"])
        last_run = re.findall(r'<g class="run (run-\w+)"><title>([^<]*)</title>', page)[-1]
        assert last_run[0] == "run-failure" and last_run[1].startswith(facts["last_sync_end"] + ": failure")

        # node_exporter serves what the sync wrote, and the rules fire on it: the failure, nothing else
        series = node_exporter_series()
        names = {s["series"].split("{")[0] for s in series}
        assert {"gentoo_mirror_sync_consecutive_failures", "gentoo_mirror_sync_filesystem_avail_bytes",
                "gentoo_mirror_sync_max_age_seconds"} <= names
        failures = [s for s in series if s["series"].startswith("gentoo_mirror_sync_consecutive_failures{")]
        assert failures[0]["values"] == "%dx30" % st["consecutive_failures"]
        labels = {"instance": NODE_EXPORTER, "job": "node", "upstream": st["upstream"]}
        proc = promtool_alerts(tmp_path, series, {"GentooMirrorSyncFailed": [labels]})
        assert proc.returncode == 0 and "SUCCESS" in proc.stdout, proc.stdout + proc.stderr
    finally:
        wait_until("the upstream's rsyncd", lambda: upstream("rsync rsync://localhost/", check=False).returncode == 0)
        assert start_sync().returncode == 0, last_journal()

    # healthy again: the page says so, and the same rules stay silent on the new series
    facts = page_after_last_run()
    assert facts["result"] == "success" and facts["consecutive_failures"] == 0
    proc = promtool_alerts(tmp_path, node_exporter_series(), {})
    assert proc.returncode == 0 and "SUCCESS" in proc.stdout, proc.stdout + proc.stderr


def https_get(path):
    """An HTTPS request (who signed the certificate does not matter here: only that it is logged)."""
    conn = http.client.HTTPSConnection("127.0.0.1", HTTPS_PORT, timeout=30, context=ssl._create_unverified_context())  # noqa: S323 pylint: disable=protected-access
    try:
        conn.request("GET", path, headers={"Host": MIRROR})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_traffic_report_counts_http_https_and_rsync_and_publishes_no_address(tmp_path):
    assert http_get("/distfiles/layout.conf")[0] == 200
    assert https_get("/snapshots/")[0] == 200
    assert rsync_client(RSYNC_URL + "distfiles/timestamp.mirmon", str(tmp_path)).returncode == 0
    log = "/var/log/nginx/gentoo-mirror.access.log"
    wait_until("nginx to flush its access log (buffer flush=5s)",
               lambda: " https" in mirror("tail -n 50 %s" % log).stdout, seconds=30)
    wait_until("rsyncd to log the transfer",
               lambda: "timestamp.mirmon" in mirror("grep ' send ' /var/log/rsyncd.log; true").stdout)
    started = time.time()
    mirror("systemctl start gentoo-mirror-traffic.service")
    assert time.time() - started < 60
    code, body = http_get("/status/traffic/")
    assert code == 200
    report = body.decode()
    # GoAccess embeds its figures as one JSON object the page draws from
    start = report.index("var json_data=") + len("var json_data=")
    data = json.JSONDecoder().raw_decode(report[start:])[0]
    assert {"http", "https", "rsync"} <= {row["data"] for row in data["vhosts"]["data"]}
    assert all(row["hits"]["count"] > 0 and row["bytes"]["count"] >= 0 for row in data["vhosts"]["data"])
    paths = {row["data"] for panel in ("requests", "static_requests", "not_found") for row in data[panel]["data"]}
    assert {"/distfiles/layout.conf", "/snapshots/", "/distfiles/timestamp.mirmon"} <= paths, paths
    assert data["visitors"]["data"], "no requests per day"
    assert "hosts" not in data
    # the client addresses the servers logged are nowhere in the report
    logged = set(mirror("awk '{print $1}' %s; awk '/ send /{print $5}' /var/log/rsyncd.log" % log).stdout.split())
    assert logged
    for address in logged:
        assert not re.search(r"(?<![\d.:])%s(?![\d.:])" % re.escape(address), report), address
