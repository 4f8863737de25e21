"""Write docs/performance.md and its charts from the results of tests/bench/bench.py.

Every figure on the page comes from build/bench/<mode>/results.json, written by the same run;
nothing here is a constant of the page. `bench.py --page-only` rewrites the page from it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from math import comb
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
TITLES = {
    "http": "1. Serving over HTTP: the provisioned nginx against Debian's stock nginx",
    "rsync": "2. Serving over rsync: 30 concurrent pulls against one pull alone",
    "sync": "3. Sync: the sync program against bare rsync with the same flags",
    "provisioning": "4. Provisioning: site.yml on a fresh host and again",
    "bandwidth": "5. Accuracy of mirrorkit.gentoo.bandwidth over shaped links",
    "load": "6. Load while a sync runs: 1,000 HTTP clients for 30 s",
    "overload": "7. Overload: crowds of 1x to 30x the configured clients",
}
# Overload target: at these multiples of the configured clients the mirror serves at least this share
# of its 1x rate, with no error but explicit refusals (503).
OVERLOAD_JUDGED = (10, 30)
OVERLOAD_SHARE = 0.8
OVERLOAD_LABELS = {"mirrorkit": "mirrorkit", "stock": "stock nginx",
                   "mirrorkit_slots1": "mirrorkit, slots = clients (before)"}
# A point counts as below stock when mirrorkit's runs rank below stock's by more than chance would
# make two level servers rank: the one-sided Mann-Whitney U test, at this level.
BELOW_ALPHA = 0.05


def num(value, digits=None) -> str:
    if value is None:
        return "n/a"
    if digits is None:
        absval = abs(value)
        digits = 0 if absval >= 100 else 1 if absval >= 10 else 2 if absval >= 0.1 else 3
    return "{:,.{d}f}".format(value, d=digits)


def spread(s, digits=None) -> str:
    """median (min-max) of a summary from bench.summary()."""
    if not s:
        return "n/a"
    if s["n"] == 1:
        return num(s["median"], digits)
    return "%s (%s–%s)" % (num(s["median"], digits), num(s["min"], digits), num(s["max"], digits))


def ratio(a, b) -> str:
    if not a or not b or not b["median"]:
        return "n/a"
    return "%.2f×" % (a["median"] / b["median"])


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _bars(ax, groups, series, values, lows, highs, ylabel, title):
    """Grouped bars with min-max whiskers. values[s][g]."""
    width = 0.8 / max(len(series), 1)
    for i, name in enumerate(series):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        vals = [v or 0 for v in values[i]]
        err = [[max(v - (lo if lo is not None else v), 0) for v, lo in zip(vals, lows[i])],
               [max((hi if hi is not None else v) - v, 0) for v, hi in zip(vals, highs[i])]]
        ax.bar(xs, vals, width, label=name, yerr=err, capsize=3)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)


def _key(row):
    """The figure a row is judged on: MB/s for the large file, requests/s otherwise."""
    return "mbps" if "MiB file" in row["resource"] else "rps"


def _get(s, key):
    return s[key] if s else None


def _mmm(s):
    """(median, min, max) of a summary, for a chart's bar and its whisker."""
    return s["median"], s["min"], s["max"]


def pair_ratios(row):
    """mirrorkit / stock of each pair of runs (run i of both servers, measured back to back)."""
    m, s = row["mirrorkit"][_key(row)], row["stock"][_key(row)]
    if not m or not s or len(m.get("runs", [])) != len(s.get("runs", [])):
        return []
    return [a / b for a, b in zip(m["runs"], s["runs"]) if b]


def wins(a, b) -> float:
    """Mann-Whitney U of sample a against sample b: the pairs (x from a, y from b) with x > y, ties half."""
    return sum(1.0 if x > y else 0.5 if x == y else 0.0 for x in a for y in b)


def p_below(a, b) -> float | None:
    """One-sided exact Mann-Whitney U test: the chance that, were both servers level, a split of all
    runs into groups of len(a) and len(b) gives group a as few wins as a has (None without runs)."""
    if not a or not b:
        return None
    observed = wins(a, b)
    pooled = list(a) + list(b)
    low = 0
    for picked in itertools.combinations(range(len(pooled)), len(a)):
        chosen = set(picked)
        group = [pooled[i] for i in picked]
        rest = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        if wins(group, rest) <= observed + 1e-9:
            low += 1
    return low / comb(len(pooled), len(a))


def most_wins_below(n_a: int, n_b: int) -> int | None:
    """The most cross pairs a group of n_a runs may win against n_b runs (no ties) and still be
    below at BELOW_ALPHA; None when no result can be."""
    total = comb(n_a + n_b, n_a)
    # Without ties a group's wins are its rank sum less the least possible one.
    counts = Counter(sum(ranks) - n_a * (n_a + 1) // 2
                     for ranks in itertools.combinations(range(1, n_a + n_b + 1), n_a))
    best, seen = None, 0
    for u in sorted(counts):
        seen += counts[u]
        if seen / total >= BELOW_ALPHA:
            break
        best = u
    return best


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


def page_sections(text: str) -> dict:
    """{section name: its text below the heading} of a page this module wrote."""
    found = {}
    for name, title in TITLES.items():
        head = "\n## " + title + "\n"
        if head in text:
            body = text.split(head, 1)[1]
            found[name] = body.split("\n## ", 1)[0].strip("\n")
    return found


class Page:
    def __init__(self, results, smoke, out_dir: Path, img_prefix: str, kept=None):
        self.r = results
        self.smoke = smoke
        self.out_dir = out_dir
        self.img_prefix = img_prefix
        self.lines = []
        # Sections of the page as it stands, for those this run and the saved results lack.
        self.kept = kept or {}

    def add(self, *lines):
        self.lines.extend(lines)

    def chart(self, name, fig):
        path = self.out_dir / ("%s.png" % name)
        fig.tight_layout()
        fig.savefig(path, dpi=90)
        _plt().close(fig)
        self.add("", "![%s](%s%s.png)" % (name, self.img_prefix, name), "")

    def header(self, section, data):
        self.add("", "## " + TITLES[section], "")
        if not data:
            kept = self.kept.get(section, "")
            if kept and not kept.startswith("Not measured"):
                self.add(kept)  # measured in an earlier run: the page keeps it, date and all
            else:
                self.add("Not measured in this run (run `tests/bench/run.sh --only %s`)." % section)
            return False
        if "error" in data:
            self.add("This section failed in the run of %s: " % self.r["meta"]["date"], "",
                     "```", data["error"][:1500], "```")
            return False
        self.add("From the run started %s%s; load average at the end of the section %s; the section took %s s." % (
            data.get("date", "?"), (", section finished " + data["finished"]) if data.get("finished") else "",
            data.get("load", "?"), num(data.get("took"), 0)))
        if data.get("note"):
            self.add("", "Note on this run: " + data["note"])
        return True

    # ------------------------------------------------------------------------------------
    def http(self, d):
        if not self.header("http", d):
            return
        self.add(
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
            self.add("| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %d / %d |" % (
                row["resource"], num(row["connections"], 0), spread(m["rps"]), spread(s["rps"]),
                ratio_spread(row), spread(m["mbps"]), spread(s["mbps"]),
                num(_get(m["p50_ms"], "median")), num(_get(m["p99_ms"], "median")),
                num(_get(s["p50_ms"], "median")), num(_get(s["p99_ms"], "median")),
                m["errors_total"], s["errors_total"]))
        ceiling = d.get("ceiling_mbps")
        self.add("", "Loopback ceiling in the mirror host: iperf3, one TCP stream over 127.0.0.1, %s MB/s."
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
        self.add("", "Targets (issue 4 and 9), judged on these figures:", "")
        self.add("- zero errors at %s connections (mirrorkit): %s errors over all resources and runs — %s."
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
        self.add("- at least stock throughput at every point: %s." % verdict)
        if most is not None:
            level = [r for r in lower if r not in below]
            self.add("  A point is below stock when mirrorkit's runs rank below stock's more than chance ranks two",
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
            self.add("- large-file MB/s at least 50%% of the loopback ceiling: best %s MB/s at %d connections, "
                     "%.0f%% of %s MB/s — %s." % (num(best["mirrorkit"]["mbps"]["median"]), best["connections"],
                                                  100 * share, num(ceiling["median"]),
                                                  "**met**" if share >= 0.5 else "**not met**"))
        plt = _plt()
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
            _bars(ax, groups, series,
                  [[_get(r[s][key], "median") for r in rows] for s in series],
                  [[_get(r[s][key], "min") for r in rows] for s in series],
                  [[_get(r[s][key], "max") for r in rows] for s in series], unit, res)
            if key == "mbps" and ceiling:
                ax.axhline(ceiling["median"], color="grey", linestyle="--", linewidth=1)
                ax.text(0, ceiling["median"], " iperf3 loopback", fontsize=7, va="bottom", color="grey")
        self.chart("http", fig)
        self.add(
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
        self.slow_disk(d.get("slow_disk"))

    def slow_disk(self, sd):
        """The HTTP section's slow-disk part: what nginx's thread pool buys when files come from a disk."""
        if not sd:
            return
        self.add("", "### Slow disk: what `gentoo_mirror_nginx_aio_threads` buys", "")
        if sd.get("skipped"):
            self.add("Left out of this run: %s." % sd["skipped"], "")
            return
        self.add(
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
            self.add("| %s | %s | %s / %s | %s | %d |" % (
                name, spread(r["rps"]), num(_get(r["p50_ms"], "median")), num(_get(r["p99_ms"], "median")),
                spread(r["cold_mbps"]), r["errors_total"]))
        off, on = sd["mirrorkit"], sd["mirrorkit_threads"]
        self.add(
            "",
            "Without threads a worker that calls `sendfile(2)` on a cold file waits for the disk, and so",
            "does every other connection it holds: with threads the cached file gets %s the requests/s"
            % ratio(on["rps"], off["rps"]),
            "and %s ms instead of %s ms at p99. The price shows when files are cached: each `sendfile` call"
            % (num(_get(on["p99_ms"], "median")), num(_get(off["p99_ms"], "median"))),
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

    def rsync(self, d):
        if not self.header("rsync", d):
            return
        many, alone = d["many"], d["alone"]
        self.add(
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
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        _bars(axes[0], ["1 client", "%d clients" % d["clients"]], ["aggregate"],
              [[alone["aggregate_mbps"]["median"], many["aggregate_mbps"]["median"]]],
              [[alone["aggregate_mbps"]["min"], many["aggregate_mbps"]["min"]]],
              [[alone["aggregate_mbps"]["max"], many["aggregate_mbps"]["max"]]], "MB/s", "aggregate throughput")
        _bars(axes[1], ["1 client", "slowest of %d" % d["clients"]], ["time"],
              [[alone["wall"]["median"], many["slowest"]["median"]]],
              [[alone["wall"]["min"], many["slowest"]["min"]]],
              [[alone["wall"]["max"], many["slowest"]["max"]]], "seconds", "time to pull the directory")
        self.chart("rsync", fig)
        self.add("How to reproduce: `for i in $(seq 30); do rsync -a --stats --only-write-batch=/tmp/c$i "
                 "rsync://127.0.0.1/gentoo/experimental/bench-1gib/ /tmp/d$i/ & done; time wait` "
                 "(with `/tmp/c$i` a symlink to `/dev/null`).")

    def sync(self, d):
        if not self.header("sync", d):
            return
        rp, rb = d["runs"]["program"], d["runs"]["bare"]
        full_p, full_b = rp["full"], rb["full"]
        nc_p, nc_b = rp["nochange"], rb["nochange"]
        mb = d.get("bytes") or 0
        files = d.get("transferred_files") or d["files"]
        self.add(
            "",
            "Inside the mirror host, as the sync user, from the stand-in upstream's rsync module `%s`"
            % d["upstream"],
            "(%s files; %s MiB; `make_tree.py --files 100000 --max-kib 4`), into two empty directories."
            % (num(d["files"], 0), num(mb / 2**20, 1)),
            "The program is the one the sync role installs (`%s`), with a configuration that" % d["program_command"],
            "points it at the bench directory and turns retries off. Bare rsync runs the very command line the",
            "program builds (taken from the program's own `sync_command()`):",
            "",
            "```",
            d["bare_command"],
            "```",
            "",
            "Into a populated tree the program first runs a dry run with itemized output (which counts",
            "deletions for its guard and shows whether upstream still serves `distfiles/layout.conf` and",
            "`timestamp.mirmon`), and writes the status and metrics files; when the dry run finds nothing",
            "to do it stops there, so a no-change sync is one rsync pass, like bare rsync's. Into an empty",
            "directory (a first sync) nothing can be deleted: the dry run is left out and an upstream check",
            "(`rsync --list-only` of those two files) goes first. Full runs: %d of each, no-change runs: %d of each, alternating; seconds,"
            % (full_p["n"], nc_p["n"]),
            "median (min–max); timed inside the host.",
            "",
            "| run | program s | bare rsync s | program / bare | program MB/s, files/s | bare MB/s, files/s |",
            "|---|---:|---:|---:|---:|---:|",
            "| full (empty target) | %s | %s | %s | %s, %s | %s, %s |" % (
                spread(full_p), spread(full_b), ratio(full_p, full_b),
                num(mb / full_p["median"] / 1e6), num(files / full_p["median"], 0),
                num(mb / full_b["median"] / 1e6), num(files / full_b["median"], 0)),
            "| no change | %s | %s | %s | | |" % (spread(nc_p), spread(nc_b), ratio(nc_p, nc_b)),
        )
        share = nc_p["median"] / nc_b["median"] - 1
        self.add("", "Target: a no-change sync within 5%% of bare rsync: the program takes %+.1f%% — %s." % (
            100 * share, "**met**" if share <= 0.05 else "**not met**"))
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        for ax, phase, title in ((axes[0], "full", "full sync"), (axes[1], "nochange", "no-change sync")):
            _bars(ax, ["program", "bare rsync"], ["seconds"],
                  [[rp[phase]["median"], rb[phase]["median"]]], [[rp[phase]["min"], rb[phase]["min"]]],
                  [[rp[phase]["max"], rb[phase]["max"]]], "seconds", title)
        self.chart("sync", fig)
        self.add("How to reproduce: `time gentoo-mirror-sync --config sync.conf` and `time` the bare rsync "
                 "command above, alternately, into empty directories and then again.")

    def provisioning(self, d):
        if not self.header("provisioning", d):
            return
        if d.get("smoke"):
            self.add("", "Smoke run: `ansible-playbook mirrorkit.gentoo.site --list-tasks` took %s s; the"
                     % num(d["list_seconds"]), "recap of a one-task playbook was read (no host provisioned).")
            return
        self.add(
            "",
            "`ansible-playbook -i inventory mirrorkit.gentoo.site` from this machine, wall time, fresh",
            "test hosts (the Debian 12 image: systemd, python3, nothing else), `gentoo_mirror_initial_sync:",
            "wait` (the first sync of the stand-in tree — 2000 distfiles and a 256 MiB stage file — is part",
            "of the fresh run), packages from Debian's mirrors over the network (their speed is part of the",
            "fresh figure). Every fresh run has new hosts of its own (a provisioned host is not fresh",
            "again), fresh runs per case: %d; the no-change run %d times on the hosts of the first one;"
            % (d["one"]["fresh"]["n"], d["one"]["again"]["n"]),
            "median (min–max).",
            "",
            "Two connections: **podman exec** (`containers.podman.podman`, how the molecule tests reach",
            "their hosts; it cannot pipeline, so every task costs three `podman exec` calls and a file",
            "copy), and **SSH** (how admins run the playbook: OpenSSH to 127.0.0.1:%d, published to the"
            % d["ssh_port"],
            "host's port 22, with `ansible_pipelining: true`; every run opens a new master connection).",
            "",
            "| hosts | connection | fresh converge s | no-change run s | tasks changed in the no-change runs |",
            "|---|---|---:|---:|---|",
        )
        one = d["one"]
        self.add("| 1 | podman exec | %s | %s | %s |" % (
            spread(one["fresh"]), spread(one["again"]), ", ".join(str(c) for c in one["changed"])))
        if "again_ssh" in one:
            self.add("| 1 | SSH, pipelining | (same host) | %s | %s |" % (
                spread(one["again_ssh"]), ", ".join(str(c) for c in one["changed_ssh"])))
        if "three" in d:
            self.add("| 3 at once | podman exec | %s | %s | %s |" % (
                spread(d["three"]["fresh"]), spread(d["three"]["again"]), ", ".join(str(c) for c in d["three"]["changed"])))
        judged = one.get("again_ssh", one["again"])
        ok_time = judged["median"] < 30
        ok_changed = all(c == 0 for k in ("one", "three") if k in d
                         for field in ("changed", "changed_ssh") for c in d[k].get(field, []))
        self.add("", "Targets: no-change run under 30 s for one host%s: %s s — %s; no task changed in a second run: %s."
                 % (" (over SSH, as admins run it)" if "again_ssh" in one else "", num(judged["median"]),
                    "**met**" if ok_time else "**not met**", "**met**" if ok_changed else "**not met**"))
        if "again_ssh" in one:
            self.add("Over podman exec the same run takes %s s: the transport of the test hosts, not the"
                     % num(one["again"]["median"]),
                     "collection, makes the difference (per-task times: `build/bench/full/site-1-again*.log`).")
        plt = _plt()
        fig, ax = plt.subplots(figsize=(6, 3.4))
        keys = [k for k in ("one", "three") if k in d]
        groups = ["1 host" if k == "one" else "3 hosts" for k in keys]
        series = [("fresh", lambda k: _mmm(d[k]["fresh"])),
                  ("no change, podman exec", lambda k: _mmm(d[k]["again"]))]
        if "again_ssh" in one:
            series.append(("no change, SSH", lambda k: _mmm(d[k]["again_ssh"]) if "again_ssh" in d[k] else (0, 0, 0)))
        _bars(ax, groups, [name for name, dummy in series],
              [[get(k)[0] for k in keys] for dummy, get in series],
              [[get(k)[1] for k in keys] for dummy, get in series],
              [[get(k)[2] for k in keys] for dummy, get in series], "seconds", "site.yml wall time")
        self.chart("provisioning", fig)
        self.add("How to reproduce: `time ansible-playbook -i inventory mirrorkit.gentoo.site` twice, over SSH "
                 "with `ANSIBLE_PIPELINING=True` (or `ansible_pipelining: true` in the inventory); the "
                 "second run's PLAY RECAP shows `changed=0`.")

    def bandwidth(self, d):
        if not self.header("bandwidth", d):
            return
        if d.get("smoke"):
            row = d["rows"][0]
            self.add("", "Smoke run, unshaped loopback: the module measured %s Mbit/s in %s s, curl %s Mbit/s."
                     % (spread(row["module"]["mbit"]), spread(row["module"]["elapsed"]), spread(row["curl"]["mbit"])))
            return
        self.add(
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
            self.add("| %d | %s | %.3f | %s | %s | %s | %.3f |" % (
                rate, spread(m["mbit"]), m["mbit"]["median"] / rate, spread(m["elapsed"]), spread(m["wall"]),
                spread(c["mbit"]), c["mbit"]["median"] / rate))
        self.add("", "Target: within ±10%% in at most 10 s (the module's elapsed time, connection included): "
                 "worst run %.1f%% off, longest measurement %s s — %s." % (
                     100 * worst, num(slowest), "**met**" if worst <= 0.10 and slowest <= 10.0 else "**not met**"))
        plt = _plt()
        fig, ax = plt.subplots(figsize=(6, 3.4))
        groups = ["%d Mbit/s" % r["rate"] for r in d["rows"]]
        _bars(ax, groups, ["module", "curl"],
              [[r["module"]["mbit"]["median"] / r["rate"] for r in d["rows"]],
               [r["curl"]["mbit"]["median"] / r["rate"] for r in d["rows"]]],
              [[r["module"]["mbit"]["min"] / r["rate"] for r in d["rows"]],
               [r["curl"]["mbit"]["min"] / r["rate"] for r in d["rows"]]],
              [[r["module"]["mbit"]["max"] / r["rate"] for r in d["rows"]],
               [r["curl"]["mbit"]["max"] / r["rate"] for r in d["rows"]]], "measured / shaped", "bandwidth accuracy")
        for y in (0.9, 1.1):
            ax.axhline(y, color="grey", linestyle="--", linewidth=1)
        self.chart("bandwidth", fig)
        self.add("How to reproduce: `nsenter -t <pid> -n tc qdisc replace dev eth0 root tbf rate 20mbit burst 40kb "
                 "latency 400ms` on the serving host, then the `ansible` and `curl` commands above from a neighbour.")

    def load(self, d):
        if not self.header("load", d):
            return
        w0, w1 = d["without"], d["with"]
        self.add(
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
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        _bars(axes[0], ["no sync", "syncs running"], ["req/s"], [[w0["rps"], w1["rps"]]],
              [[None, None]], [[None, None]], "requests/s", "throughput")
        _bars(axes[1], ["no sync", "syncs running"], ["p50", "p99"],
              [[w0["p50_ms"], w1["p50_ms"]], [w0["p99_ms"], w1["p99_ms"]]],
              [[None, None], [None, None]], [[None, None], [None, None]], "ms", "latency")
        self.chart("load", fig)
        self.add("How to reproduce: `wrk -t2 -c1000 -d30s --latency http://127.0.0.1/distfiles/…` in the "
                 "mirror host while `gentoo-mirror-sync` runs.")

    def overload(self, d):
        if not self.header("overload", d):
            return
        rows = d["rows"]
        labels = [k for k in OVERLOAD_LABELS if k in rows[0]]
        slots = d.get("worker_connections", {})
        self.add(
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
                self.add("| %s (%dx) | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    num(row["connections"], 0), row["multiple"], OVERLOAD_LABELS[k], spread(x["served_rps"], 0),
                    ratio(x["served_rps"], base[k]), num(x["p99_ms"]["median"], 0),
                    num(x["refusals"], 0), num(x["other_errors"], 0), num(x["listen_overflows"], 0),
                    num(x["slots_exhausted"], 0), num(x["accepts_per_request"]["median"], 3)))
        before = [r for r in rows if "mirrorkit_slots1" in r and r["multiple"] >= 10]
        if before:
            b, m = before[0], before[0]["mirrorkit"]
            x = b["mirrorkit_slots1"]
            self.add(
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
        self.add("", "Target: at %s the configured clients, at least %d%% of the 1x rate and no error but refusals. %s."
                 % (" and ".join("%dx" % m for m in OVERLOAD_JUDGED), OVERLOAD_SHARE * 100, "; ".join(verdicts)
                    or "not judged (no such point in this run)"))
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
        groups = ["%dx" % r["multiple"] for r in rows]
        _bars(axes[0], groups, [OVERLOAD_LABELS[k] for k in labels],
              [[r[k]["served_rps"]["median"] for r in rows] for k in labels],
              [[r[k]["served_rps"]["min"] for r in rows] for k in labels],
              [[r[k]["served_rps"]["max"] for r in rows] for k in labels], "requests/s served", "served")
        _bars(axes[1], groups, [OVERLOAD_LABELS[k] for k in labels],
              [[r[k]["other_errors"] for r in rows] for k in labels],
              [[None] * len(rows) for k in labels], [[None] * len(rows) for k in labels],
              "errors (summed)", "errors other than refusals")
        self.chart("overload", fig)
        self.add("How to reproduce: `tests/bench/run.sh --only overload`; one point by hand: "
                 "`wrk -t2 -c9000 -d8s --timeout 10s http://127.0.0.1/distfiles/…` in the mirror host.")


def _load_rps(w):
    """req/s of the load section: median (min–max) when it holds several runs."""
    runs = [r["rps"] for r in w.get("runs", [])]
    if len(runs) > 1:
        return "%s (%s–%s)" % (num(w["rps"]), num(min(runs)), num(max(runs)))
    return num(w["rps"])


def write_page(results, smoke=False) -> Path:
    if smoke:
        out_dir = TOP / "build" / "bench" / "smoke"
        page = out_dir / "performance.md"
        prefix = ""
    else:
        out_dir = TOP / "docs" / "performance"
        page = TOP / "docs" / "performance.md"
        prefix = "performance/"
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = results["meta"]
    kept = {} if smoke or not page.exists() else page_sections(page.read_text())
    p = Page(results, smoke, out_dir, prefix, kept)
    p.add(
        "# Performance",
        "",
        "Written by `make bench` (`tests/bench/run.sh`) on %s; do not edit by hand. Each figure stands next"
        % meta["date"],
        "to its alternative measured in the same run. The machine: %s CPUs, Linux %s, shared with other"
        % (meta["cpus"], meta["kernel"]),
        "jobs while this ran — load average %s at the start and %s at the end (1, 5, 15 min) —"
        % (meta["load_start"], meta["load_end"]),
        "so absolute figures are noisy: read the ratios, and the min–max spread next to each median.",
        *(["Sections measured in other runs than the last one (`--only`) say so with their own date and load."]
          if len({v.get("date") for v in results.get("sections", {}).values() if isinstance(v, dict)}) > 1
          or (kept and set(kept) - set(results.get("sections", {}))) else []),
        "Test hosts are podman containers of the project's Debian 12 image on the network",
        "`mirrorkit-bench`; all traffic stays on loopback or between them.",
        "",
        "Run it: `make bench` (everything; about an hour on a busy 2-core machine), `tests/bench/run.sh --only http` (one",
        "section; the page keeps the other sections from their last run, each with its date),",
        "`tests/bench/run.sh --smoke` (a tiny version of every section, seconds; part of `make test`).",
        "Raw results: `build/bench/full/results.json`; every command and its output:",
        "`build/bench/full/commands.log`.",
    )
    sections = results.get("sections", {})
    for name in ("http", "rsync", "sync", "provisioning", "bandwidth", "load", "overload"):
        getattr(p, name)(sections.get(name))
    page.write_text("\n".join(p.lines) + "\n")
    return page


def check_page(page: Path, sections) -> list:
    """Sections whose part of the page has no figures (smoke check)."""
    text = page.read_text()
    missing = []
    for name in sections:
        title = "## " + TITLES[name]
        if title not in text:
            missing.append(name)
            continue
        part = text.split(title, 1)[1].split("\n## ", 1)[0]
        if "failed in the run" in part or "Not measured" in part or not any(ch.isdigit() for ch in part):
            missing.append(name)
        elif name not in ("provisioning", "bandwidth") and not (page.parent / ("%s.png" % name)).exists():
            missing.append(name)
    return missing
