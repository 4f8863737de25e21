# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Serving over HTTP: the provisioned nginx against Debian's stock nginx, with wrk inside each host;
and its slow-disk part, what nginx's thread pool buys when files come from a disk."""

from __future__ import annotations

import json
import re
from pathlib import Path

from harness import CommandFailed, Host, log, parse_wrk, run, say, summary
from page import bars, field, num, pyplot, ratio, spread
from rank_test import BELOW_ALPHA, most_wins_below, p_below

NAME = "http"
TITLE = "1. Serving over HTTP: the provisioned nginx against Debian's stock nginx"
NEEDS = ("stock", "wrk")
SMOKE_CHART = True
# connections of each point, and runs of each (the HTTP points vary most from run to run)
FULL = {"connections": [30, 1000, 10000], "runs": 5}
SMOKE = {"connections": [10], "runs": 1}
# The slow-disk part: the mirror host's block-device reads limited to an HDD's sequential rate,
# four downloads of large files that are not in the page cache, 256 MiB each.
SLOW_DISK_BPS = 100 * 10**6
COLD_FILES, COLD_MIB = 4, 256
COLD_URL_PATH = "/releases/bench-cold"  # below the mirror root /srv/gentoo
SLOW_SECONDS = 10  # wrk's run on the cached file; the cold downloads start 2 s before and end 2 s after


def block_device_of(path: str) -> str | None:
    """MAJ:MIN of the whole disk that holds path on this machine (None when it is no block device)."""
    source = run(["findmnt", "-n", "-o", "SOURCE", "-T", path], check=False).stdout.strip()
    source = re.sub(r"\[.*\]$", "", source)  # btrfs subvolumes: /dev/sda2[/@]
    if not source.startswith("/dev/"):
        return None
    parent = run(["lsblk", "-ndo", "PKNAME", source], check=False).stdout.strip()
    disk = "/dev/" + parent if parent else source
    dev = run(["lsblk", "-ndo", "MAJ:MIN", disk], check=False).stdout.strip()
    return dev or None


def read_limit_file(pid: int) -> tuple[str, str] | None:
    """(file, cgroup version) that limits block reads of the cgroup of process pid."""
    for line in Path("/proc/%d/cgroup" % pid).read_text().splitlines():
        dummy, controllers, path = line.split(":", 2)
        if "blkio" in controllers.split(","):
            return "/sys/fs/cgroup/blkio%s/blkio.throttle.read_bps_device" % path, "v1"
        if controllers == "" and Path("/sys/fs/cgroup%s/io.max" % path).exists():
            return "/sys/fs/cgroup%s/io.max" % path, "v2"
    return None


def measure(env) -> dict:
    scale = SMOKE if env.smoke else FULL
    say("==> section http: wrk against the provisioned nginx and against stock nginx")
    if env.smoke:
        targets = [("mirrorkit", env.mirror, env.mirror_base), ("stock", env.stock, env.stock_base)]
    else:
        targets = [("mirrorkit", env.mirror, "http://127.0.0.1:80"), ("stock", env.stock, "http://127.0.0.1:80")]
    for dummy, host, dummy in targets:
        host.put_lua()
    small = env.mirror.small_file(env.tree)
    big = env.mirror.largest_stage(env.tree)
    if not small or not big:
        raise CommandFailed("could not find the 64 KiB and the large file in %s" % env.tree)
    big_size, big_path = big.split(" ", 1)
    resources = [
        ("listing /distfiles/", "/distfiles/"),
        ("64 KiB file", small[len(env.tree):]),
        ("%d MiB file" % (int(big_size) // 2**20), big_path[len(env.tree):]),
    ]
    for dummy, host, base in targets:   # same bytes on both sides, or the comparison is void
        for dummy, path in resources:
            host.sh("curl -sSf -o /dev/null %s%s 2>/dev/null || python3 -c \"import urllib.request,sys; "
                    "urllib.request.urlopen(sys.argv[1]).read()\" %s%s" % (base, path, base, path))
    rows = []
    for conns in scale["connections"]:
        for res_label, path in resources:
            samples = {label: [] for label, dummy, dummy in targets}
            for i in range(scale["runs"]):
                order = targets if i % 2 == 0 else list(reversed(targets))
                for label, host, base in order:
                    samples[label].append(host.wrk(base + path, conns, env.wrk_seconds))
            row = {"resource": res_label, "path": path, "connections": conns}
            for label in samples:
                runs = samples[label]
                row[label] = {k: summary([r[k] for r in runs]) for k in ("rps", "mbps", "p50_ms", "p99_ms", "errors")}
                row[label]["errors_total"] = sum(r["errors"] for r in runs)
                row[label]["errors_detail"] = [r["errors_detail"] for r in runs]
            say("    %-22s c=%-5d mirrorkit %8.0f req/s %8.1f MB/s err %d | stock %8.0f req/s %8.1f MB/s err %d" % (
                res_label, conns, row["mirrorkit"]["rps"]["median"], row["mirrorkit"]["mbps"]["median"],
                row["mirrorkit"]["errors_total"], row["stock"]["rps"]["median"], row["stock"]["mbps"]["median"],
                row["stock"]["errors_total"]))
            rows.append(row)
    ceiling = []
    for i in range(env.runs):
        host = env.mirror
        port = 29201 if env.smoke else 5201
        out = host.sh("iperf3 -s -1 -D -p %d -B 127.0.0.1 && sleep 0.5 && iperf3 -c 127.0.0.1 -p %d -t %d -J"
                      % (port, port, env.wrk_seconds), timeout=120)
        data = json.loads(out)
        ceiling.append(data["end"]["sum_received"]["bits_per_second"] / 8 / 1e6)
    say("    loopback ceiling (iperf3, one stream): %.0f MB/s" % summary(ceiling)["median"])
    return {"rows": rows, "ceiling_mbps": summary(ceiling), "runs": scale["runs"],
            "seconds": env.wrk_seconds, "where": env.mirror.label,
            "stock_where": env.stock.label,
            "slow_disk": slow_disk(env, targets, resources[1][1])}


def read_limit_of(host: Host) -> tuple[str, str] | None:
    """read_limit_file() of a test host's init process."""
    return read_limit_file(int(run(["podman", "inspect", "-f", "{{.State.Pid}}", host.name]).stdout.strip()))


def read_limit(host: Host, dev: str, bps: int | None) -> None:
    """Limit a test host's reads from block device dev (MAJ:MIN) to bps bytes/s (None lifts it)."""
    where, version = read_limit_of(host)
    if version == "v1":
        line = "%s %d" % (dev, bps or 0)
    else:
        line = "%s rbps=%s" % (dev, bps or "max")
    log("$ echo %s > %s\n" % (line, where))
    Path(where).write_text(line + "\n")


def slow_disk_run(host: Host, base: str, small: str, cold_dir: str) -> dict:
    """Hot requests for the 64 KiB file while COLD_FILES downloads read the cold files in cold_dir."""
    script = (
        "ulimit -n 16384; "
        # Drop the cold files from the page cache every second, so that each byte of them is read
        # from the disk (the hot file stays cached).
        "( while :; do for f in %(dir)s/*.bin; do dd if=$f iflag=nocache count=0 status=none; done; "
        "sleep 1; done ) & ev=$!; pids=; "
        "for i in $(seq 1 %(n)d); do wrk -t1 -c1 -d%(cold_s)ds --timeout 30s -s /tmp/bench-report.lua "
        "%(base)s%(cold)s/cold$i.bin > /tmp/bench-cold$i.out 2>&1 & pids=\"$pids $!\"; done; "
        "sleep 2; wrk -t2 -c30 -d%(s)ds --timeout 10s --latency -s /tmp/bench-report.lua %(base)s%(small)s; "
        "wait $pids; kill $ev; "
        "for i in $(seq 1 %(n)d); do sed -n 's/^BENCH_JSON /BENCH_COLD /p' /tmp/bench-cold$i.out; done"
        % {"dir": cold_dir, "n": COLD_FILES, "cold_s": SLOW_SECONDS + 4, "s": SLOW_SECONDS,
           "base": base, "cold": COLD_URL_PATH, "small": small})
    out = host.sh(script, timeout=SLOW_SECONDS + 120)
    hot = parse_wrk(out)
    cold = [parse_wrk(line, "BENCH_COLD") for line in out.splitlines() if line.startswith("BENCH_COLD ")]
    if len(cold) != COLD_FILES:
        raise CommandFailed("%d of %d cold downloads reported: %s" % (len(cold), COLD_FILES, out[-1000:]))
    hot["cold_mbps"] = sum(c["mbps"] for c in cold)
    hot["cold_errors"] = sum(c["errors"] for c in cold)
    return hot


def slow_disk(env, targets, small: str) -> dict:
    """The same hot file while large downloads read from a slow disk: role defaults, the role with
    gentoo_mirror_nginx_aio_threads, and stock nginx."""
    if env.smoke:
        return {"skipped": "the smoke run's servers run on this machine, whose disk the bench does not slow"}
    dev = block_device_of(run(["podman", "info", "-f", "{{.Store.GraphRoot}}"]).stdout.strip())
    if dev is None or any(read_limit_of(h) is None for dummy, h, dummy in targets):
        return {"skipped": "podman's storage is on no block device whose reads a cgroup can limit here"}
    cold_dir = env.tree + COLD_URL_PATH
    say("==> slow disk: reads limited to %d MB/s, %d cold %d MiB downloads beside the 64 KiB file"
        % (SLOW_DISK_BPS // 10**6, COLD_FILES, COLD_MIB))
    for dummy, host, dummy in targets:
        host.sh("mkdir -p %s && for i in $(seq 1 %d); do head -c %dM /dev/urandom > %s/cold$i.bin; done && "
                "chmod -R a+rX %s" % (cold_dir, COLD_FILES, COLD_MIB, cold_dir, cold_dir), timeout=600)
    samples = {"mirrorkit": [], "mirrorkit_threads": [], "stock": []}
    try:
        for dummy, host, dummy in targets:
            read_limit(host, dev, SLOW_DISK_BPS)
        for i in range(env.runs):
            order = targets if i % 2 == 0 else list(reversed(targets))
            for label, host, base in order:
                samples[label].append(slow_disk_run(host, base, small, cold_dir))
        # The role itself switches threads on (and back to its defaults afterwards).
        env.playbook(env.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", "-e",
                     '{"gentoo_mirror_nginx_aio_threads": true}', log_name="site-aio-threads.log")
        if "aio threads;" not in env.mirror.sh("nginx -T 2>/dev/null"):
            raise CommandFailed("gentoo_mirror_nginx_aio_threads=true left nginx without aio threads")
        for i in range(env.runs):
            samples["mirrorkit_threads"].append(slow_disk_run(*targets[0][1:], small, cold_dir))
    finally:
        for dummy, host, dummy in targets:
            read_limit(host, dev, None)
            host.sh("rm -rf %s" % cold_dir, check=False)
        env.playbook(env.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", log_name="site-aio-default.log")
    result = {"bps": SLOW_DISK_BPS, "files": COLD_FILES, "mib": COLD_MIB, "seconds": SLOW_SECONDS,
              "runs": env.runs}
    for label, runs in samples.items():
        result[label] = {k: summary([r[k] for r in runs]) for k in ("rps", "p50_ms", "p99_ms", "cold_mbps")}
        result[label]["errors_total"] = sum(r["errors"] + r["cold_errors"] for r in runs)
        say("    %-18s hot %8.0f req/s p99 %7.1f ms | cold %6.1f MB/s" % (
            label, result[label]["rps"]["median"], result[label]["p99_ms"]["median"] or 0,
            result[label]["cold_mbps"]["median"]))
    return result


def _key(row):
    """The figure a row is judged on: MB/s for the large file, requests/s otherwise."""
    return "mbps" if "MiB file" in row["resource"] else "rps"


def pair_ratios(row):
    """mirrorkit / stock of each pair of runs (run i of both servers, measured back to back)."""
    m, s = row["mirrorkit"][_key(row)], row["stock"][_key(row)]
    if not m or not s or len(m.get("runs", [])) != len(s.get("runs", [])):
        return []
    return [a / b for a, b in zip(m["runs"], s["runs"]) if b]


def below_stock(row) -> tuple[bool, float | None]:
    """(whether mirrorkit is below stock at this point beyond the runs' noise, the test's p)."""
    m, s = row["mirrorkit"][_key(row)], row["stock"][_key(row)]
    if not m or not s or m["median"] >= s["median"]:
        return False, None
    p = p_below(m.get("runs", []), s.get("runs", []))
    return p is not None and p < BELOW_ALPHA, p


def ratio_spread(row) -> str:
    """The ratio of the medians, and the range of the runs' pairwise ratios."""
    text = ratio(row["mirrorkit"][_key(row)], row["stock"][_key(row)])
    pairs = pair_ratios(row)
    if len(pairs) > 1 and text != "n/a":
        text += " (%.2f–%.2f)" % (min(pairs), max(pairs))
    return text


def _listed(rows) -> str:
    """Points of the HTTP table with their ratio and the test's p."""
    return "; ".join("%s at %d: %s, p = %.3f" % (r["resource"], r["connections"], ratio_spread(r), below_stock(r)[1])
                     for r in rows)


def report(page, d):
    if not page.header(NAME, TITLE, d):
        return
    page.add(
        "",
        "wrk runs **inside** each test host against `127.0.0.1:80` there (`podman exec`), so the",
        "figures are nginx's and the kernel's loopback, not podman's port forwarder (a user-space",
        "proxy for published ports that would cap both servers alike and hide the difference).",
        "Both servers run in the same image (Debian 12 test host, same CPU share), serve the same",
        "tree (synced by the collection from the stand-in upstream; copied with `rsync -aH` to the",
        "stock host), and wrk shares the host's CPU with nginx in both cases, so the comparison is",
        "like for like. Each point: %d runs of %d s, `wrk -t2 -cN --timeout 10s --latency`, run order"
        % (d["runs"], d["seconds"]),
        "alternating between the servers; median (min–max). MB/s are 10^6 bytes of response",
        "(headers and bodies) per second. Errors: wrk's connect, read, write, timeout and non-2xx/3xx",
        "counts, summed over the runs. The ratio compares requests/s, and MB/s for the large file",
        "(a 5 s run completes few or no 256 MiB responses; p50/p99 are n/a when none completed):",
        "the ratio of the medians, and in brackets the range of the ratios of the runs measured back",
        "to back (run i of one server against run i of the other), which shows the run-to-run noise.",
        "",
        "- **mirrorkit**: nginx as `mirrorkit.gentoo.gentoo_mirror_nginx` provisions it, with",
        "  `gentoo_mirror_max_connections: 10000` and the role's defaults otherwise: listings rendered",
        "  at most once a second into nginx's cache (`gentoo_mirror_nginx_listing_cache_seconds: 1`),",
        "  `sendfile` without `aio threads` (`gentoo_mirror_nginx_aio_threads: false`; switched on in the",
        "  same host, the 64 KiB file measured about half the requests/s, with `directio 16m` as well,",
        "  and the 256 MiB file about a tenth less MB/s at 30 connections).",
        "- **stock**: Debian's `nginx` package as installed, only `root /srv/gentoo; autoindex on;`",
        "  put into `sites-available/default` (without them it cannot serve the tree or a listing).",
        "",
        "| resource | conns | req/s mirrorkit | req/s stock | mirrorkit / stock | MB/s mirrorkit | MB/s stock"
        " | p50 / p99 ms mirrorkit | p50 / p99 ms stock | errors mirrorkit / stock |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    )
    for row in d["rows"]:
        m, s = row["mirrorkit"], row["stock"]
        page.add("| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %d / %d |" % (
            row["resource"], num(row["connections"], 0), spread(m["rps"]), spread(s["rps"]),
            ratio_spread(row), spread(m["mbps"]), spread(s["mbps"]),
            num(field(m["p50_ms"], "median")), num(field(m["p99_ms"], "median")),
            num(field(s["p50_ms"], "median")), num(field(s["p99_ms"], "median")),
            m["errors_total"], s["errors_total"]))
    ceiling = d.get("ceiling_mbps")
    page.add("", "Loopback ceiling in the mirror host: iperf3, one TCP stream over 127.0.0.1, %s MB/s."
             % spread(ceiling),
             "One stream runs on one core at a time; nginx's workers and wrk's threads with many",
             "connections use both cores, so the large-file figures can pass this single-stream ceiling.",
             "For the large file both servers make the same calls: `sendfile(2)` from the page cache, at",
             "most 2 MiB per call (nginx 1.22's default, which the role states), so below the connection",
             "count where stock nginx starts to fail, the two can only be level there; the CPU both share",
             "with wrk, which reads 8 KiB per call, sets the figure.")
    # Targets, computed from the rows above.
    big = [r for r in d["rows"] if "MiB file" in r["resource"]]
    top = max((r["connections"] for r in d["rows"]), default=0)
    errs_top = sum(r["mirrorkit"]["errors_total"] for r in d["rows"] if r["connections"] == top)
    lower = [r for r in d["rows"] if r["stock"][_key(r)] and r["mirrorkit"][_key(r)]
             and r["mirrorkit"][_key(r)]["median"] < r["stock"][_key(r)]["median"]]
    below = [r for r in lower if below_stock(r)[0]]
    page.add("", "Targets (issue 4 and 9), judged on these figures:", "")
    page.add("- zero errors at %s connections (mirrorkit): %s errors over all resources and runs — %s."
             % (num(top, 0), num(errs_top, 0), "**met**" if errs_top == 0 else "**not met**"))
    most = most_wins_below(d["runs"], d["runs"])
    if most is None:
        verdict = "%d run(s) per server cannot show a point below stock at p < %.2f — **not judged**" % (
            d["runs"], BELOW_ALPHA)
    elif below:
        verdict = "below stock beyond the runs' noise at %d of %d points — **not met** (%s)" % (
            len(below), len(d["rows"]), _listed(below))
    else:
        verdict = "below stock beyond the runs' noise at none of the %d points — **met**" % len(d["rows"])
    page.add("- at least stock throughput at every point: %s." % verdict)
    if most is not None:
        level = [r for r in lower if r not in below]
        page.add("  A point is below stock when mirrorkit's runs rank below stock's more than chance ranks two",
                 "  level servers: one-sided exact Mann–Whitney U test over the %d runs of each, p < %.2f"
                 % (d["runs"], BELOW_ALPHA),
                 "  (mirrorkit must win at most %d of the %d cross pairs of runs: run i of one server against"
                 % (most, d["runs"] ** 2),
                 "  run j of the other). The median is below stock at %s%s." % (
                     "%d point(s)" % len(lower) if lower else "none of the points",
                     " (level within the noise: %s)" % _listed(level) if level else ""))
    if big and ceiling:
        best = max(big, key=lambda r: r["mirrorkit"]["mbps"]["median"])
        share = best["mirrorkit"]["mbps"]["median"] / ceiling["median"]
        page.add("- large-file MB/s at least 50%% of the loopback ceiling: best %s MB/s at %d connections, "
                 "%.0f%% of %s MB/s — %s." % (num(best["mirrorkit"]["mbps"]["median"]), best["connections"],
                                              100 * share, num(ceiling["median"]),
                                              "**met**" if share >= 0.5 else "**not met**"))
    plt = pyplot()
    resources = []
    for row in d["rows"]:
        if row["resource"] not in resources:
            resources.append(row["resource"])
    fig, axes = plt.subplots(1, len(resources), figsize=(4.2 * len(resources), 3.6))
    for ax, res in zip(axes if len(resources) > 1 else [axes], resources):
        rows = [r for r in d["rows"] if r["resource"] == res]
        key, unit = ("mbps", "MB/s") if "MiB file" in res else ("rps", "requests/s")
        groups = ["%s conns" % num(r["connections"], 0) for r in rows]
        series = ["mirrorkit", "stock"]
        bars(ax, groups, series,
             [[field(r[s][key], "median") for r in rows] for s in series],
             [[field(r[s][key], "min") for r in rows] for s in series],
             [[field(r[s][key], "max") for r in rows] for s in series], unit, res)
        if key == "mbps" and ceiling:
            ax.axhline(ceiling["median"], color="grey", linestyle="--", linewidth=1)
            ax.text(0, ceiling["median"], " iperf3 loopback", fontsize=7, va="bottom", color="grey")
    page.chart("http", fig)
    page.add(
        "How to reproduce (public tools only): provision a host with `ansible-playbook -i inventory",
        "mirrorkit.gentoo.site`, install Debian's `nginx` in a second host of the same image, copy the",
        "tree, then in each host:",
        "",
        "```",
        "apt-get install wrk iperf3",
        "ulimit -n 16384",
        "wrk -t2 -c10000 -d5s --timeout 10s --latency http://127.0.0.1/distfiles/",
        "iperf3 -s -1 -D -B 127.0.0.1; iperf3 -c 127.0.0.1 -t 5",
        "```",
    )
    report_slow_disk(page, d.get("slow_disk"))


def report_slow_disk(page, sd):
    """The HTTP section's slow-disk part: what nginx's thread pool buys when files come from a disk."""
    if not sd:
        return
    page.add("", "### Slow disk: what `gentoo_mirror_nginx_aio_threads` buys", "")
    if sd.get("skipped"):
        page.add("Left out of this run: %s." % sd["skipped"], "")
        return
    page.add(
        "The table above serves every file from the page cache. A mirror's tree is larger than its",
        "memory (Gentoo asks for 800 GiB), so the long tail of distfiles comes from the disk. Here each",
        "host's block reads are limited to %s MB/s, an HDD's sequential rate (the cgroup's read limit"
        % num(sd["bps"] / 1e6, 0),
        "on podman's storage disk), while %d downloads of %d MiB files read from it (`wrk -t1 -c1`" % (
            sd["files"], sd["mib"]),
        "each, the files dropped from the page cache every second); beside them `wrk -t2 -c30 -d%ds`"
        % sd["seconds"],
        "asks for the 64 KiB file above, which stays cached. %d runs of each; the mirrorkit and stock"
        % sd["runs"],
        "runs alternate, then the role switches threads on (`--tags nginx -e",
        "'{\"gentoo_mirror_nginx_aio_threads\": true}'`) for its runs and back to its defaults.",
        "",
        "| server | 64 KiB file req/s | p50 / p99 ms | cold downloads MB/s (together) | errors |",
        "|---|---:|---:|---:|---:|",
    )
    names = {"mirrorkit": "mirrorkit, role defaults (no `aio threads`)",
             "mirrorkit_threads": "mirrorkit, `gentoo_mirror_nginx_aio_threads: true`",
             "stock": "stock"}
    for label, name in names.items():
        r = sd[label]
        page.add("| %s | %s | %s / %s | %s | %d |" % (
            name, spread(r["rps"]), num(field(r["p50_ms"], "median")), num(field(r["p99_ms"], "median")),
            spread(r["cold_mbps"]), r["errors_total"]))
    off, on = sd["mirrorkit"], sd["mirrorkit_threads"]
    page.add(
        "",
        "Without threads a worker that calls `sendfile(2)` on a cold file waits for the disk, and so",
        "does every other connection it holds: with threads the cached file gets %s the requests/s"
        % ratio(on["rps"], off["rps"]),
        "and %s ms instead of %s ms at p99. The price shows when files are cached: each `sendfile` call"
        % (num(field(on["p99_ms"], "median")), num(field(off["p99_ms"], "median"))),
        "is handed to a thread, which about halves the requests/s of small cached files on loopback, at",
        "rates far above what a mirror's network link carries. The role leaves threads off by default",
        "(the table above measures that); set `gentoo_mirror_nginx_aio_threads: true` for a mirror whose",
        "tree lives on HDDs.",
        "",
        "How to reproduce: for each host, `echo 'MAJ:MIN %d' > blkio.throttle.read_bps_device` of its"
        % sd["bps"],
        "cgroup (cgroup v2: `io.max` with `rbps=`), MAJ:MIN of the disk under podman's storage; in it,",
        "%d times `wrk -t1 -c1 -d%ds` on the cold files while `dd if=FILE iflag=nocache count=0` drops"
        % (sd["files"], sd["seconds"] + 4),
        "them from the page cache every second, and `wrk -t2 -c30 -d%ds --latency` on the 64 KiB file."
        % sd["seconds"],
    )
