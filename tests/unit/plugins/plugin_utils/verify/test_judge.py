# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every check judged at once (plugin_utils/verify/judge.py): a healthy mirror, and failures
that span several checks."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.judge import verify_evaluate
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.table import verify_failures

from verify_answers import HTTP, NOW, base_raw, rows_for, settings, slurped, uri


def test_healthy_mirror_passes_every_check():
    rows = verify_evaluate(base_raw())
    assert [r for r in rows if r["result"] not in ("ok",)] == []
    checks = {(r["check"], r["protocol"]) for r in rows}
    assert checks == {
        ("timestamp.mirmon", "http"), ("timestamp.mirmon", "rsync"),
        ("listing experimental/", "http"), ("listing releases/", "http"), ("listing snapshots/", "http"),
        ("layout.conf", "http"), ("layout sample", "http"), ("rsync module", "rsync"), ("last sync", "status"),
        ("bandwidth upstream", "rsync"), ("bandwidth to users", "http"),
        ("connection limits", "http"), ("connection limits", "rsync"),
    }
    assert verify_failures(rows) == []


def test_stale_timestamp_fails_over_each_protocol():
    old = "%d\n" % (NOW - 8 * 3600)
    rows = verify_evaluate(base_raw(timestamp_web={"results": [uri(content=old, item=HTTP)]},
                                    timestamp_rsync_file=slurped(old)))
    failed = verify_failures(rows, "m.example")
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
    rows = {(r["check"], r["protocol"]): r for r in verify_evaluate(raw)}
    assert "no answer" in rows[("timestamp.mirmon", "http")]["detail"]
    assert "Connection refused" in rows[("timestamp.mirmon", "http")]["detail"]
    assert "rsync exit 10: rsync: [Receiver] failed to connect" in rows[("timestamp.mirmon", "rsync")]["detail"]
    assert rows[("rsync module", "rsync")]["detail"] == "rsync exit 5: @ERROR: Unknown module 'gentu'"


def test_module_checks_switched_off_are_skipped_with_the_reason():
    raw = base_raw(settings=settings(bandwidth=False, limits=False),
                   bandwidth_upstream={"skipped": True}, bandwidth_client={"skipped": True}, limits={"skipped": True})
    rows = verify_evaluate(raw)
    skipped = [r for r in rows if r["result"] == "skip"]
    assert {r["check"] for r in skipped} == {"bandwidth upstream", "bandwidth to users", "connection limits"}
    assert all("is false" in r["detail"] for r in skipped)


def test_unreachable_mirror_host():
    raw = base_raw(status={"unreachable": True, "msg": "Failed to connect to the host via ssh"},
                   limits={"unreachable": True, "msg": "Failed to connect"})
    assert rows_for(raw, "last sync")[0]["detail"].startswith("mirror host unreachable")
    assert rows_for(raw, "connection limits")[0]["result"] == "fail"
