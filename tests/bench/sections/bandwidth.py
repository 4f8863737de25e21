# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Accuracy of the module mirrorkit.gentoo.bandwidth over links shaped with tc, against curl."""

from __future__ import annotations

import json
import shlex
import sys
import time

from harness import CommandFailed, Host, run, say, summary
from environment import MIRROR, UPSTREAM
from page import bars, num, pyplot, spread

NAME = "bandwidth"
TITLE = "5. Accuracy of mirrorkit.gentoo.bandwidth over shaped links"
NEEDS = ("upstream_curl",)
SMOKE_CHART = False
# The module's time budget (from the first byte): 8 s, so that the whole measurement,
# connection and warm-up included, fits the 10 s target.
BW_SECONDS = 8
# link rates shaped, Mbit/s (the smoke run measures the unshaped loopback once)
FULL = {"rates": [2, 20, 80]}
SMOKE = {"rates": []}


def bandwidth_once(env, url: str, max_seconds: int) -> dict:
    variables = env.ansible_env()
    variables["ANSIBLE_LOAD_CALLBACK_PLUGINS"] = "1"
    variables["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.json"
    params = json.dumps({"url": url, "max_seconds": max_seconds, "min_mbit": 0.1, "recommended_mbit": 0.2})
    if env.smoke:
        argv = ["ansible", "localhost", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable,
                "-m", "mirrorkit.gentoo.bandwidth", "-a", params]
    else:
        argv = ["ansible", UPSTREAM, "-i", str(env.inv1), "-m", "mirrorkit.gentoo.bandwidth", "-a", params]
    start = time.monotonic()
    proc = run(argv, check=False, env=variables, timeout=120)
    wall = time.monotonic() - start
    data = json.loads(proc.stdout[proc.stdout.index("{"):])
    res = list(data["plays"][0]["tasks"][0]["hosts"].values())[0]
    if "measured_mbit" not in res:
        raise CommandFailed("bandwidth module gave no figure: %s" % json.dumps(res)[:1500])
    return {"mbit": res["measured_mbit"], "elapsed": res.get("elapsed_seconds"), "wall": wall,
            "window": res.get("window_seconds")}


def curl_once(host: Host, url: str, max_seconds: int) -> dict:
    out = host.sh("curl -s -o /dev/null --max-time %d -w '%%{speed_download} %%{time_total}' %s; true"
                  % (max_seconds, shlex.quote(url)), timeout=max_seconds + 30)
    speed, total = out.split()[:2]
    return {"mbit": float(speed) * 8 / 1e6, "wall": float(total)}


def measure(env) -> dict:
    scale = SMOKE if env.smoke else FULL
    say("==> section bandwidth: mirrorkit.gentoo.bandwidth over tc-shaped links")
    # The largest stage file (256 MiB): a download that outlasts max_seconds at every rate.
    big = env.mirror.largest_stage(env.tree).split(" ", 1)[1]
    if env.smoke:
        url = env.mirror_base + big[len(env.tree):]
        m = bandwidth_once(env, url, 2)
        c = curl_once(Host(None), url, 2)
        return {"smoke": True, "rows": [{"rate": None, "module": {
            "mbit": summary([m["mbit"]]), "elapsed": summary([m["elapsed"]]), "wall": summary([m["wall"]])},
            "curl": {"mbit": summary([c["mbit"]])}}]}
    url = "http://%s%s" % (MIRROR, big[len(env.tree):])
    pid = str(env.hosts.pid(MIRROR))
    rows = []
    try:
        for rate in scale["rates"]:
            burst = max(rate * 2, 16)
            run(["nsenter", "-t", pid, "-n", "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf",
                 "rate", "%dmbit" % rate, "burst", "%dkb" % burst, "latency", "400ms"])
            mod, curl = [], []
            for dummy in range(env.runs):
                mod.append(bandwidth_once(env, url, BW_SECONDS))
                curl.append(curl_once(env.upstream, url, BW_SECONDS))
            row = {"rate": rate, "burst_kb": burst,
                   "module": {k: summary([m[k] for m in mod]) for k in ("mbit", "elapsed", "wall", "window")},
                   "curl": {k: summary([c[k] for c in curl]) for k in ("mbit", "wall")}}
            rows.append(row)
            say("    %3d Mbit/s: module %.2f Mbit/s (ratio %.3f) in %.1f s; curl %.2f Mbit/s" % (
                rate, row["module"]["mbit"]["median"], row["module"]["mbit"]["median"] / rate,
                row["module"]["elapsed"]["median"], row["curl"]["mbit"]["median"]))
    finally:
        run(["nsenter", "-t", pid, "-n", "tc", "qdisc", "del", "dev", "eth0", "root"], check=False)
    result = {"rows": rows, "url": url, "runs": env.runs, "client": UPSTREAM,
              "max_seconds": BW_SECONDS}
    return result


def report(page, d):
    if not page.header(NAME, TITLE, d):
        return
    if d.get("smoke"):
        row = d["rows"][0]
        page.add("", "Smoke run, unshaped loopback: the module measured %s Mbit/s in %s s, curl %s Mbit/s."
                 % (spread(row["module"]["mbit"]), spread(row["module"]["elapsed"]), spread(row["curl"]["mbit"])))
        return
    page.add(
        "",
        "The mirror host's link is shaped with `tc qdisc replace dev eth0 root tbf rate R burst B latency",
        "400ms` in its network namespace; the module runs on the stand-in upstream host (ad hoc,",
        "`ansible %s -m mirrorkit.gentoo.bandwidth -a url=%s max_seconds=%d`) and downloads the"
        % (d["client"], d["url"], d.get("max_seconds", 10)),
        "256 MiB stage file over HTTP from the provisioned nginx (longer than any budget at these rates).",
        "Alternative in the same run: `curl -o /dev/null --max-time %d` from the same host" % d.get("max_seconds", 10),
        " (its average includes TCP slow start and the token",
        "bucket's first burst, which the module's warm-up leaves out). %d runs each; median (min–max);" % d["runs"],
        "the module's own elapsed time, and the wall time of the whole `ansible` call.",
        "",
        "| shaped Mbit/s | module Mbit/s | module / shaped | module s (elapsed) | ansible call s | curl Mbit/s | curl / shaped |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    )
    worst, slowest = 0.0, 0.0
    for row in d["rows"]:
        m, c, rate = row["module"], row["curl"], row["rate"]
        worst = max(worst, abs(m["mbit"]["min"] / rate - 1), abs(m["mbit"]["max"] / rate - 1))
        slowest = max(slowest, m["elapsed"]["max"])
        page.add("| %d | %s | %.3f | %s | %s | %s | %.3f |" % (
            rate, spread(m["mbit"]), m["mbit"]["median"] / rate, spread(m["elapsed"]), spread(m["wall"]),
            spread(c["mbit"]), c["mbit"]["median"] / rate))
    page.add("", "Target: within ±10%% in at most 10 s (the module's elapsed time, connection included): "
             "worst run %.1f%% off, longest measurement %s s — %s." % (
                 100 * worst, num(slowest), "**met**" if worst <= 0.10 and slowest <= 10.0 else "**not met**"))
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.4))
    groups = ["%d Mbit/s" % r["rate"] for r in d["rows"]]
    bars(ax, groups, ["module", "curl"],
         [[r["module"]["mbit"]["median"] / r["rate"] for r in d["rows"]],
          [r["curl"]["mbit"]["median"] / r["rate"] for r in d["rows"]]],
         [[r["module"]["mbit"]["min"] / r["rate"] for r in d["rows"]],
          [r["curl"]["mbit"]["min"] / r["rate"] for r in d["rows"]]],
         [[r["module"]["mbit"]["max"] / r["rate"] for r in d["rows"]],
          [r["curl"]["mbit"]["max"] / r["rate"] for r in d["rows"]]], "measured / shaped", "bandwidth accuracy")
    for y in (0.9, 1.1):
        ax.axhline(y, color="grey", linestyle="--", linewidth=1)
    page.chart("bandwidth", fig)
    page.add("How to reproduce: `nsenter -t <pid> -n tc qdisc replace dev eth0 root tbf rate 20mbit burst 40kb "
             "latency 400ms` on the serving host, then the `ansible` and `curl` commands above from a neighbour.")
