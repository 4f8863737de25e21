# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load while a sync runs: HTTP clients on the mirror, without and with full syncs back to back."""

from __future__ import annotations

import re
import statistics
import time

from harness import CommandFailed, say
from page import bars, num, pyplot
from sections.sync import sync_setup

NAME = "load"
TITLE = "6. Load while a sync runs: 1,000 HTTP clients for 30 s"
NEEDS = ("tree100k", "wrk")
SMOKE_CHART = True
# HTTP clients, seconds of each wrk run, runs without and with syncs
FULL = {"connections": 1000, "seconds": 30, "runs": 3}
SMOKE = {"connections": 20, "seconds": 3, "runs": 1}


def measure(env) -> dict:
    scale = SMOKE if env.smoke else FULL
    say("==> section load: %d HTTP clients for %d s, without and with a sync running"
        % (scale["connections"], scale["seconds"]))
    host = env.mirror
    host.put_lua()
    small = host.small_file(env.tree)
    url = env.mirror_base + small[len(env.tree):]
    host.sh("rm -rf %s/load-* %s/state-load-*" % (env.sync_dir, env.sync_dir), timeout=900)
    commands = [host.as_sync_user(sync_setup(env, host, "load-%d" % i)[0]) for i in (0, 1)]
    # Full syncs back to back for as long as wrk runs, so that a sync is running during the
    # whole window: each into an empty directory, alternating between two, the other one
    # emptied in the background meanwhile (as the sync user: its files).
    stop = "/tmp/bench-load-stop"
    loop = ("rm -f %(stop)s; i=0; while [ ! -e %(stop)s ]; do t=$((i %% 2)); o=$((1 - t)); wait; "
            "%(clean)s & s=$(date +%%s%%N); if [ $t = 0 ]; then %(c0)s; else %(c1)s; fi "
            "> /tmp/bench-load-sync.log 2>&1; rc=$?; e=$(date +%%s%%N); echo \"SYNC $rc $s $e\"; "
            "i=$((i + 1)); done; wait"
            % {"stop": stop, "c0": commands[0], "c1": commands[1],
               "clean": host.as_sync_user("find %s/load-$o -mindepth 1 -delete" % env.sync_dir)})
    alone, loaded, syncs, overlaps = [], [], [], []
    for dummy in range(scale["runs"]):
        alone.append(host.wrk(url, scale["connections"], scale["seconds"]))
        proc = host.popen(loop)
        time.sleep(1)
        w_start = float(host.sh("date +%s.%N"))
        loaded.append(host.wrk(url, scale["connections"], scale["seconds"]))
        w_end = float(host.sh("date +%s.%N"))
        host.sh("touch %s" % stop)
        out, dummy = proc.communicate(timeout=3600)
        runs = [(int(rc), int(s) / 1e9, int(e) / 1e9) for rc, s, e in re.findall(r"SYNC (\d+) (\d+) (\d+)", out)]
        if not runs:
            raise CommandFailed("the syncs under load gave no result: %s" % out[-800:])
        syncs += runs
        overlaps.append({"overlap": sum(max(0.0, min(e, w_end) - max(s, w_start)) for dummy, s, e in runs),
                         "window": w_end - w_start})

    def combined(samples):
        keys = ("rps", "mbps", "p50_ms", "p99_ms")
        out = {k: statistics.median([x[k] for x in samples if x[k] is not None] or [0]) for k in keys}
        out.update(errors=sum(x["errors"] for x in samples), runs=[{k: x[k] for k in keys + ("errors",)} for x in samples])
        return out

    result = {
        "connections": scale["connections"], "seconds": scale["seconds"], "url": url, "where": host.label,
        "runs": scale["runs"], "without": combined(alone), "with": combined(loaded),
        "syncs": len(syncs), "sync_exits": sorted({rc for rc, dummy, dummy2 in syncs}),
        "sync_seconds": statistics.median([e - s for dummy, s, e in syncs]),
        "overlap_seconds": min(o["overlap"] for o in overlaps),
        "wrk_seconds": max(o["window"] for o in overlaps),
    }
    r = result
    figures = (r["without"]["rps"], r["without"]["errors"], r["with"]["rps"], r["with"]["errors"],
               r["syncs"], r["sync_exits"], r["overlap_seconds"], r["wrk_seconds"])
    say("    without sync %.0f req/s, errors %d; with syncs %.0f req/s, errors %d; %d syncs (exits %s), "
        "least overlap %.0f s of %.0f s" % figures)
    if any(rc != 0 for rc, dummy, dummy2 in syncs):
        raise CommandFailed("a sync under load failed (exits %s)" % r["sync_exits"])
    return result


def report(page, d):
    if not page.header(NAME, TITLE, d):
        return
    w0, w1 = d["without"], d["with"]
    page.add(
        "",
        "wrk with %s connections for %d s inside the mirror host on a 64 KiB distfile, alone and while"
        % (num(d["connections"], 0), d["seconds"]),
        "the sync program runs full syncs of the 100,000-file tree (section 3) back to back, as the sync",
        "user, for as long as wrk runs: each into an empty directory on the same disk, alternating between",
        "two while the other one is emptied in the background; %d runs of"
        % d["runs"],
        "each, alternating; median (min–max) for req/s, medians for the rest, errors summed.",
        "",
        "| | req/s | MB/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
        "| no sync | %s | %s | %s | %s | %d |" % (
            _load_rps(w0), num(w0["mbps"]), num(w0["p50_ms"]), num(w0["p99_ms"]), w0["errors"]),
        "| syncs running | %s | %s | %s | %s | %d |" % (
            _load_rps(w1), num(w1["mbps"]), num(w1["p50_ms"]), num(w1["p99_ms"]), w1["errors"]),
        "",
        "%d syncs ran (exit %s; median %s s each); in every run they covered at least %s s of wrk's %s s. "
        "Target: zero errors with a sync running — %s."
        % (d["syncs"], ", ".join(str(c) for c in d["sync_exits"]),
           num(d["sync_seconds"]), num(d["overlap_seconds"]), num(d["wrk_seconds"]),
           "**met**" if w1["errors"] == 0 and d["overlap_seconds"] >= 0.9 * d["seconds"] else
           ("**not met**" if w1["errors"] else "no errors, but the syncs covered only part of the window")),
    )
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    bars(axes[0], ["no sync", "syncs running"], ["req/s"], [[w0["rps"], w1["rps"]]],
         [[None, None]], [[None, None]], "requests/s", "throughput")
    bars(axes[1], ["no sync", "syncs running"], ["p50", "p99"],
         [[w0["p50_ms"], w1["p50_ms"]], [w0["p99_ms"], w1["p99_ms"]]],
         [[None, None], [None, None]], [[None, None], [None, None]], "ms", "latency")
    page.chart("load", fig)
    page.add("How to reproduce: `wrk -t2 -c1000 -d30s --latency http://127.0.0.1/distfiles/…` in the "
             "mirror host while `gentoo-mirror-sync` runs.")


def _load_rps(w):
    """req/s of the load section: median (min–max) when it holds several runs."""
    runs = [r["rps"] for r in w.get("runs", [])]
    if len(runs) > 1:
        return "%s (%s–%s)" % (num(w["rps"]), num(min(runs)), num(max(runs)))
    return num(w["rps"])
