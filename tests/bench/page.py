# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docs/performance.md from the results of tests/bench/bench.py: the page, its header, and the
helpers every section's report uses (figures, tables, charts).

Every figure on the page comes from build/bench/<mode>/results.json, written by the same run;
nothing here is a constant of the page. `bench.py --page-only` rewrites the page from it.
"""

from __future__ import annotations

from pathlib import Path

TOP = Path(__file__).resolve().parents[2]


def num(value, digits=None) -> str:
    if value is None:
        return "n/a"
    if digits is None:
        absval = abs(value)
        digits = 0 if absval >= 100 else 1 if absval >= 10 else 2 if absval >= 0.1 else 3
    return "{:,.{d}f}".format(value, d=digits)


def spread(s, digits=None) -> str:
    """median (min-max) of a summary from harness.summary()."""
    if not s:
        return "n/a"
    if s["n"] == 1:
        return num(s["median"], digits)
    return "%s (%s–%s)" % (num(s["median"], digits), num(s["min"], digits), num(s["max"], digits))


def ratio(a, b) -> str:
    if not a or not b or not b["median"]:
        return "n/a"
    return "%.2f×" % (a["median"] / b["median"])


def field(s, key):
    """One figure of a summary (None when the summary is missing)."""
    return s[key] if s else None


def median_min_max(s):
    """(median, min, max) of a summary, for a chart's bar and its whisker."""
    return s["median"], s["min"], s["max"]


def pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def bars(ax, groups, series, values, lows, highs, ylabel, title):
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


def page_sections(text: str, sections) -> dict:
    """{section name: its text below the heading} of a page this module wrote."""
    found = {}
    for section in sections:
        head = "\n## " + section.TITLE + "\n"
        if head in text:
            body = text.split(head, 1)[1]
            found[section.NAME] = body.split("\n## ", 1)[0].strip("\n")
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
        pyplot().close(fig)
        self.add("", "![%s](%s%s.png)" % (name, self.img_prefix, name), "")

    def header(self, name, title, data):
        """A section's heading and when it was measured; false when it has no figures to show."""
        self.add("", "## " + title, "")
        if not data:
            kept = self.kept.get(name, "")
            if kept and not kept.startswith("Not measured"):
                self.add(kept)  # measured in an earlier run: the page keeps it, date and all
            else:
                self.add("Not measured in this run (run `tests/bench/run.sh --only %s`)." % name)
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


def write_page(results, sections, smoke=False) -> Path:
    """The page of every section (in the order given) from results; returns its path."""
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
    kept = {} if smoke or not page.exists() else page_sections(page.read_text(), sections)
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
    measured = results.get("sections", {})
    for section in sections:
        section.report(p, measured.get(section.NAME))
    page.write_text("\n".join(p.lines) + "\n")
    return page


def check_page(page: Path, sections) -> list:
    """Sections whose part of the page has no figures (smoke check)."""
    text = page.read_text()
    missing = []
    for section in sections:
        title = "## " + section.TITLE
        if title not in text:
            missing.append(section.NAME)
            continue
        part = text.split(title, 1)[1].split("\n## ", 1)[0]
        if "failed in the run" in part or "Not measured" in part or not any(ch.isdigit() for ch in part):
            missing.append(section.NAME)
        elif section.SMOKE_CHART and not (page.parent / ("%s.png" % section.NAME)).exists():
            missing.append(section.NAME)
    return missing
