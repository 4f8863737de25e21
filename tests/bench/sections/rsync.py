# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Serving over rsync: many concurrent pulls of a directory against one pull alone."""

from __future__ import annotations

import re
import shlex

from harness import CommandFailed, say, summary
from page import bars, num, pyplot, ratio, spread

NAME = "rsync"
TITLE = "2. Serving over rsync: 30 concurrent pulls against one pull alone"
NEEDS = ()
SMOKE_CHART = True
# clients: pulls at once; batches: how many times they run (one batch of 30 moves 30 GiB)
FULL = {"clients": 30, "batches": 3}
SMOKE = {"clients": 3, "batches": 1}


def measure(env) -> dict:
    scale = SMOKE if env.smoke else FULL
    say("==> section rsync: %d concurrent pulls of a directory against one pull alone" % scale["clients"])
    host = env.mirror
    src = "%s/experimental/bench-1gib" % env.tree
    if host.name:
        host.sh("mkdir -p %s && cd %s && for i in $(seq -w 1 16); do [ -s f$i.bin ] || "
                "head -c 64M /dev/urandom > f$i.bin; done && chown -R gentoo-mirror: %s && chmod -R a+rX %s"
                % (src, src, src, src), timeout=600)
    size = int(host.sh("find %s -type f -printf '%%s\\n' | awk '{s += $1} END {print s + 0}'" % src).split()[0])
    url = env.rsync_url + "experimental/bench-1gib/"

    def pull(n: int) -> dict:
        script = (
            "base=/tmp/bench-rsync; rm -rf $base; mkdir -p $base; start=$(date +%%s%%N); "
            "for i in $(seq 1 %d); do ( mkdir -p $base/$i && ln -s /dev/null $base/$i/batch && "
            "s=$(date +%%s%%N); timeout 1500 rsync -a --stats --only-write-batch=$base/$i/batch %s $base/$i/dst/ "
            "> $base/$i/log 2>&1; rc=$?; e=$(date +%%s%%N); "
            "echo \"CLIENT $i $rc $(( (e - s) / 1000 )) $(sed -n 's/^Total bytes received: //p' $base/$i/log | tr -d ',.')\" ) & "
            "done; wait; end=$(date +%%s%%N); cat $base/*/log | grep -i error | head -5; "
            "for i in $(seq 1 %d); do :; done; echo \"TOTAL $(( (end - start) / 1000 ))\"" % (n, shlex.quote(url), n))
        # The per-client lines are printed by the subshells; collect them from stdout.
        out = host.sh(script, timeout=1800)
        clients = [l.split() for l in out.splitlines() if l.startswith("CLIENT ")]
        total_us = int(re.search(r"TOTAL (\d+)", out).group(1))
        failed = sum(1 for c in clients if c[2] != "0")
        received = sum(int(c[4]) for c in clients if len(c) > 4 and c[4].isdigit())
        times = [int(c[3]) / 1e6 for c in clients]
        if len(clients) != n:
            raise CommandFailed("expected %d rsync clients, got %d: %s" % (n, len(clients), out[-800:]))
        return {"wall": total_us / 1e6, "slowest": max(times), "fastest": min(times), "failed": failed,
                "aggregate_mbps": received / (total_us / 1e6) / 1e6, "received": received}

    # A batch of 30 pulls of 1 GiB moves 30 GiB through rsync: one batch, several lone pulls.
    alone, many = [], []
    for i in range(env.runs):
        alone.append(pull(1))
        if i < scale["batches"]:
            many.append(pull(scale["clients"]))
    result = {
        "size": size, "clients": scale["clients"], "runs": env.runs, "batches": len(many),
        "where": host.label,
        "alone": {k: summary([r[k] for r in alone]) for k in ("wall", "aggregate_mbps")},
        "many": {k: summary([r[k] for r in many]) for k in ("wall", "slowest", "fastest", "aggregate_mbps")},
        "failed": sum(r["failed"] for r in many) + sum(r["failed"] for r in alone),
        "complete": all(r["received"] >= size * n for r, n in
                        [(a, 1) for a in alone] + [(m, scale["clients"]) for m in many]),
    }
    r = result
    say("    one client %.1f MB/s in %.1f s; %d clients %.1f MB/s together, slowest %.1f s; failures %d" % (
        r["alone"]["aggregate_mbps"]["median"], r["alone"]["wall"]["median"], scale["clients"],
        r["many"]["aggregate_mbps"]["median"], r["many"]["slowest"]["median"], r["failed"]))
    return result


def report(page, d):
    if not page.header(NAME, TITLE, d):
        return
    many, alone = d["many"], d["alone"]
    page.add(
        "",
        "The clients run inside the mirror host against its rsyncd on 127.0.0.1:873 (module `gentoo`",
        "as `gentoo_mirror_rsyncd` provisions it): `rsync -a --only-write-batch=B` with `B` a symlink",
        "to `/dev/null`, so every byte crosses the rsync protocol and the loopback but nothing is",
        "written to the disk (%d clients × %s MiB would otherwise need %s GiB of scratch space)."
        % (d["clients"], num(d["size"] / 2**20, 0), num(d["clients"] * d["size"] / 2**30, 0)),
        "The directory: %s MiB of random data in 16 files under `experimental/bench-1gib/`. The lone"
        % num(d["size"] / 2**20, 0),
        "client: %d runs, median (min–max); the batch of %d clients: %d run%s (one batch moves %s GiB"
        % (d["runs"], d["clients"], d.get("batches", d["runs"]), "" if d.get("batches", d["runs"]) == 1 else "s",
           num(d["clients"] * d["size"] / 2**30, 0)),
        "through rsync on a 2-core machine shared with other jobs, which takes minutes). Aggregate",
        "MB/s = bytes received by all clients / wall time of the batch; every client is timed on its own.",
        "",
        "| | aggregate MB/s | wall time s | slowest client s | fastest client s |",
        "|---|---:|---:|---:|---:|",
        "| one client alone | %s | %s | %s | %s |" % (
            spread(alone["aggregate_mbps"]), spread(alone["wall"]), spread(alone["wall"]), spread(alone["wall"])),
        "| %d clients at once | %s | %s | %s | %s |" % (
            d["clients"], spread(many["aggregate_mbps"]), spread(many["wall"]), spread(many["slowest"]),
            spread(many["fastest"])),
        "",
        "Aggregate throughput of %d clients against one alone: %s; the slowest of %d clients took %s the"
        % (d["clients"], ratio(many["aggregate_mbps"], alone["aggregate_mbps"]), d["clients"],
           ratio(many["slowest"], alone["wall"])),
        "time of a lone client (%d clients share the same CPU and loopback, so %d× would be a fair share)."
        % (d["clients"], d["clients"]),
        "Failed pulls: %d; every client received the whole directory: %s." % (
            d["failed"], "yes" if d["complete"] else "**no**"),
    )
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    bars(axes[0], ["1 client", "%d clients" % d["clients"]], ["aggregate"],
         [[alone["aggregate_mbps"]["median"], many["aggregate_mbps"]["median"]]],
         [[alone["aggregate_mbps"]["min"], many["aggregate_mbps"]["min"]]],
         [[alone["aggregate_mbps"]["max"], many["aggregate_mbps"]["max"]]], "MB/s", "aggregate throughput")
    bars(axes[1], ["1 client", "slowest of %d" % d["clients"]], ["time"],
         [[alone["wall"]["median"], many["slowest"]["median"]]],
         [[alone["wall"]["min"], many["slowest"]["min"]]],
         [[alone["wall"]["max"], many["slowest"]["max"]]], "seconds", "time to pull the directory")
    page.chart("rsync", fig)
    page.add("How to reproduce: `for i in $(seq 30); do rsync -a --stats --only-write-batch=/tmp/c$i "
             "rsync://127.0.0.1/gentoo/experimental/bench-1gib/ /tmp/d$i/ & done; time wait` "
             "(with `/tmp/c$i` a symlink to `/dev/null`).")
