# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Overload: crowds of 1x to 30x the configured clients on the provisioned nginx, on the sizing
it had before, and on stock nginx."""

from __future__ import annotations

import json
import re
import shlex

from harness import CommandFailed, Host, parse_wrk, say, summary
from page import bars, num, pyplot, ratio, spread

NAME = "overload"
TITLE = "7. Overload: crowds of 1x to 30x the configured clients"
NEEDS = ("stock", "wrk")
SMOKE_CHART = True
# The mirror is provisioned for `limit` clients and meets crowds of these multiples of it
# (30x 300 = 9,000 connections: wrk's 16,384 descriptors in a test host hold them).
OVERLOAD_MULTIPLES = (1, 3, 10, 30)
FULL = {"limit": 300, "seconds": 8, "runs": 3}
SMOKE = {"limit": 4, "seconds": 1, "runs": 1}
# The kernel's count of connections its listen queue had no room for (the TcpExt line of /proc/net/netstat).
NETSTAT_OVERFLOWS = ("awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } "
                     "else for (i = 1; i <= NF; i++) if (k[i] == \"ListenOverflows\") print $i }' /proc/net/netstat")
# Connections the host's TCP accepted (PassiveOpens of the Tcp line of /proc/net/snmp): with keep-alive
# working, about one per client; when nginx closes its clients' connections, one per request or so.
SNMP_ACCEPTS = ("awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } "
                "else for (i = 1; i <= NF; i++) if (k[i] == \"PassiveOpens\") print $i }' /proc/net/snmp")
# nginx's own word that it ran out of connection slots (error log, level alert).
SLOTS_EXHAUSTED = "worker_connections are not enough"
# Overload target: at these multiples of the configured clients the mirror serves at least this share
# of its 1x rate, with no error but explicit refusals (503).
OVERLOAD_JUDGED = (10, 30)
OVERLOAD_SHARE = 0.8
OVERLOAD_LABELS = {"mirrorkit": "mirrorkit", "stock": "stock nginx",
                   "mirrorkit_slots1": "mirrorkit, slots = clients (before)"}


def overload_run(host: Host, url: str, conns: int, seconds: int) -> dict:
    """wrk with conns clients for the section's time, with what the kernel and nginx said meanwhile:
    listen-queue overflows and nginx's 'worker_connections are not enough' alerts."""
    logs = "/var/log/nginx/error.log /var/log/nginx/gentoo-mirror.error.log" if host.name else "/dev/null"
    script = ("o=$(%(netstat)s); p=$(%(snmp)s); a=$(cat %(logs)s 2>/dev/null | grep -c %(alert)s); "
              "ulimit -n 16384 2>/dev/null || ulimit -n $(ulimit -Hn); "
              "wrk -t2 -c%(c)d -d%(s)ds --timeout 10s --latency -s /tmp/bench-report.lua %(url)s; "
              "echo BENCH_KERNEL $(( $(%(netstat)s) - o )) $(( $(cat %(logs)s 2>/dev/null | grep -c %(alert)s) - a ))"
              " $(( $(%(snmp)s) - p ))"
              % {"netstat": NETSTAT_OVERFLOWS, "snmp": SNMP_ACCEPTS, "logs": logs, "alert": shlex.quote(SLOTS_EXHAUSTED),
                 "c": conns, "s": seconds, "url": shlex.quote(url)})
    out = host.sh(script, timeout=seconds + 180)
    result = parse_wrk(out)
    match = re.search(r"BENCH_KERNEL (-?\d+) (-?\d+) (-?\d+)", out)
    if not match:
        raise CommandFailed("no kernel counters after wrk: %s" % out[-500:])
    secs = result["requests"] / result["rps"] if result["rps"] else seconds
    detail = result["errors_detail"]
    # wrk counts a response outside 2xx/3xx as a status error: here only nginx's 503 (limit_conn).
    result.update(served_rps=(result["requests"] - detail["status"]) / secs, refusals=detail["status"],
                  other_errors=detail["connect"] + detail["read"] + detail["write"] + detail["timeout"],
                  listen_overflows=int(match.group(1)), slots_exhausted=int(match.group(2)),
                  accepts_per_request=int(match.group(3)) / max(result["requests"], 1))
    return result


def measure(env) -> dict:
    scale = SMOKE if env.smoke else FULL
    limit = scale["limit"]
    multiples = OVERLOAD_MULTIPLES if not env.smoke else (1, 3)
    say("==> section overload: crowds of %s x %d clients on a 64 KiB distfile, the provisioned nginx "
        "(gentoo_mirror_max_connections: %d) against stock nginx"
        % ("/".join(str(m) for m in multiples), limit, limit))
    targets = [("mirrorkit", env.mirror, env.mirror_base), ("stock", env.stock, env.stock_base)]
    for dummy, host, dummy in targets:
        host.put_lua()
    small = env.mirror.small_file(env.tree)
    path = small[len(env.tree):]
    settings = {}
    if not env.smoke:
        # The crowd comes from one address (127.0.0.1): the per-client limit would refuse it as
        # one client, so it is off here (the serving scenario tests it).
        overrides = {"gentoo_mirror_max_connections": limit, "gentoo_mirror_nginx_per_client_connections": 0}
        # The sizing before gentoo_mirror_nginx_crowd_factor: as many slots as clients served.
        env.playbook(env.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", "-e",
                     json.dumps(dict(overrides, gentoo_mirror_nginx_crowd_factor=1)),
                     log_name="site-overload-slots1.log")
        before = env.mirror.sh("nginx -T 2>/dev/null | grep -E '^\\s*worker_connections '")
        targets.append(("mirrorkit_slots1", env.mirror, env.mirror_base))
        settings["slots1"] = before.split()[-1].rstrip(";")
        settings["stock"] = env.stock.sh("nginx -T 2>/dev/null | grep -E '^\\s*worker_connections '").split()[-1].rstrip(";")
    samples = {label: {m: [] for m in multiples} for label, dummy, dummy in targets}
    try:
        # Slots of the pre-change sizing first, then the role's defaults for everything else.
        if not env.smoke:
            for m in multiples:
                for dummy in range(scale["runs"]):
                    samples["mirrorkit_slots1"][m].append(
                        overload_run(env.mirror, env.mirror_base + path, limit * m, scale["seconds"]))
            env.playbook(env.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", "-e", json.dumps(overrides),
                         log_name="site-overload.log")
            conf = env.mirror.sh("nginx -T 2>/dev/null")
            if "limit_conn gentoo_mirror_capacity %d;" % limit not in conf:
                raise CommandFailed("the role did not limit nginx to %d clients" % limit)
            settings["mirrorkit"] = re.search(r"worker_connections (\d+);", conf).group(1)
        for m in multiples:
            for i in range(scale["runs"]):
                order = targets[:2] if i % 2 == 0 else list(reversed(targets[:2]))
                for label, host, base in order:
                    samples[label][m].append(overload_run(host, base + path, limit * m, scale["seconds"]))
    finally:
        if not env.smoke:
            env.playbook(env.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", log_name="site-overload-default.log")
    rows = []
    for m in multiples:
        row = {"multiple": m, "connections": limit * m}
        for label in samples:
            runs = samples[label][m]
            row[label] = {k: summary([r[k] for r in runs])
                          for k in ("rps", "served_rps", "p99_ms", "accepts_per_request")}
            for k in ("refusals", "other_errors", "listen_overflows", "slots_exhausted"):
                row[label][k] = sum(r[k] for r in runs)
        rows.append(row)
        say("    %2dx (%5d clients): %s" % (m, limit * m, " | ".join(
            "%s %6.0f served/s p99 %6.0f ms refused %d errors %d overflows %d" % (
                label, row[label]["served_rps"]["median"], row[label]["p99_ms"]["median"] or 0,
                row[label]["refusals"], row[label]["other_errors"], row[label]["listen_overflows"])
            for label in samples)))
    result = {"limit": limit, "seconds": scale["seconds"], "runs": scale["runs"],
              "path": path, "where": env.mirror.label, "rows": rows,
              "worker_connections": settings}
    return result


def report(page, d):
    if not page.header(NAME, TITLE, d):
        return
    rows = d["rows"]
    labels = [k for k in OVERLOAD_LABELS if k in rows[0]]
    slots = d.get("worker_connections", {})
    page.add(
        "",
        "wrk inside each host against `127.0.0.1:80`, on the 64 KiB distfile `%s`, with crowds of"
        % d["path"],
        "%s times the configured clients (`gentoo_mirror_max_connections: %d`; %dx = %s connections);"
        % (", ".join(str(r["multiple"]) for r in rows), d["limit"], rows[-1]["multiple"],
           num(rows[-1]["connections"], 0)),
        "%d runs of %d s per point (`wrk -t2 -cN --timeout 10s`), mirrorkit and stock alternating; median"
        % (d["runs"], d["seconds"]),
        "(min–max) of the requests served per second (2xx/3xx), the other figures summed over the runs.",
        "Refusals: nginx's 503 with `Retry-After` (wrk's non-2xx/3xx count). Errors: wrk's connect, read,",
        "write and timeout errors. Overflows: connections the kernel's listen queue had no room for",
        "(`ListenOverflows`); slots: nginx's \"worker_connections are not enough\" alerts; accepts/req:",
        "TCP connections the host accepted per request served or refused (`PassiveOpens`; keep-alive",
        "working: close to 0).",
        "The crowd comes from one address, so the per-client limit",
        "(`gentoo_mirror_nginx_per_client_connections`) is off here; the serving scenario tests it.",
        "",
        "- **mirrorkit**: the role with those settings and its defaults: %s connection slots per worker"
        % slots.get("mirrorkit", "?"),
        "  (`gentoo_mirror_nginx_crowd_factor: 32`, capped by the test host's 16,384 open files).",
        "- **mirrorkit, slots = clients (before)**: the same with `gentoo_mirror_nginx_crowd_factor: 1`, the",
        "  sizing the role had before: %s slots per worker." % slots.get("slots1", "?"),
        "- **stock nginx**: Debian's nginx as installed (%s slots per worker), serving the same tree."
        % slots.get("stock", "?"),
        "",
        "| clients | | served req/s | ratio to 1x | p99 ms | refusals | errors | overflows | slots | accepts/req |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    )
    base = {k: rows[0][k]["served_rps"] for k in labels}
    for row in rows:
        for k in labels:
            x = row[k]
            page.add("| %s (%dx) | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                num(row["connections"], 0), row["multiple"], OVERLOAD_LABELS[k], spread(x["served_rps"], 0),
                ratio(x["served_rps"], base[k]), num(x["p99_ms"]["median"], 0),
                num(x["refusals"], 0), num(x["other_errors"], 0), num(x["listen_overflows"], 0),
                num(x["slots_exhausted"], 0), num(x["accepts_per_request"]["median"], 3)))
    before = [r for r in rows if "mirrorkit_slots1" in r and r["multiple"] >= 10]
    if before:
        b, m = before[0], before[0]["mirrorkit"]
        x = b["mirrorkit_slots1"]
        page.add(
            "",
            "**Why a crowd collapses a server sized to its clients** (the `before` and `stock` rows, "
            "%dx: %s clients):" % (b["multiple"], num(b["connections"], 0)),
            "nginx holds one slot (`worker_connections`) per connection. When its free slots run low, it",
            "closes idle keep-alive connections of the clients it serves to make room for new ones, and a",
            "client whose connection it closed reconnects at once. The crowd turns into a churn of new",
            "connections: %s TCP connections accepted per request (%s with room for the crowd), %s"
            % (num(x["accepts_per_request"]["median"], 3), num(m["accepts_per_request"]["median"], 3),
               num(x["listen_overflows"], 0)),
            "connections the kernel's listen queue (511, nginx's default backlog) had no room for — their",
            "SYNs are dropped and retried after 1 s and 3 s — and %s requests that met a closed"
            % num(x["other_errors"], 0),
            "connection (wrk's read and connect errors), while nginx spends the CPU on handshakes instead",
            "of files: %s of the 1x rate. With room for the crowd (`gentoo_mirror_nginx_crowd_factor`),"
            % ratio(x["served_rps"], base["mirrorkit_slots1"]),
            "every client keeps its connection and the same crowd is served at %s of the 1x rate."
            % ratio(m["served_rps"], base["mirrorkit"]),
        )
    verdicts = []
    for row in rows:
        if row["multiple"] not in OVERLOAD_JUDGED:
            continue
        x = row["mirrorkit"]
        ok = x["served_rps"]["median"] >= OVERLOAD_SHARE * base["mirrorkit"]["median"] and x["other_errors"] == 0
        verdicts.append("%dx: %s the 1x rate, %d errors — %s" % (
            row["multiple"], ratio(x["served_rps"], base["mirrorkit"]), x["other_errors"],
            "**met**" if ok else "**not met**"))
    page.add("", "Target: at %s the configured clients, at least %d%% of the 1x rate and no error but refusals. %s."
             % (" and ".join("%dx" % m for m in OVERLOAD_JUDGED), OVERLOAD_SHARE * 100, "; ".join(verdicts)
                or "not judged (no such point in this run)"))
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    groups = ["%dx" % r["multiple"] for r in rows]
    bars(axes[0], groups, [OVERLOAD_LABELS[k] for k in labels],
         [[r[k]["served_rps"]["median"] for r in rows] for k in labels],
         [[r[k]["served_rps"]["min"] for r in rows] for k in labels],
         [[r[k]["served_rps"]["max"] for r in rows] for k in labels], "requests/s served", "served")
    bars(axes[1], groups, [OVERLOAD_LABELS[k] for k in labels],
         [[r[k]["other_errors"] for r in rows] for k in labels],
         [[None] * len(rows) for k in labels], [[None] * len(rows) for k in labels],
         "errors (summed)", "errors other than refusals")
    page.chart("overload", fig)
    page.add("How to reproduce: `tests/bench/run.sh --only overload`; one point by hand: "
             "`wrk -t2 -c9000 -d8s --timeout 10s http://127.0.0.1/distfiles/…` in the mirror host.")
