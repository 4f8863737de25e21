# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sync: the sync program the role installs against bare rsync with the same flags."""

from __future__ import annotations

import json
import re
import shlex

from harness import CommandFailed, Host, say, summary
from page import bars, num, pyplot, ratio, spread

NAME = "sync"
TITLE = "3. Sync: the sync program against bare rsync with the same flags"
NEEDS = ("tree100k",)
SMOKE_CHART = True
# syncs into an empty directory, and no-change syncs, of each of the two
FULL = {"full_runs": 2, "nochange_runs": 9}
SMOKE = {"full_runs": 1, "nochange_runs": 2}


def sync_setup(env, host: Host, name: str) -> tuple[str, str]:
    """A configuration of the sync program for target directory <sync_dir>/<name>; returns
    (program command, bare rsync command with the very flags the program uses)."""
    program, module = env.program, env.program_module
    root = "%s/%s" % (env.sync_dir, name)
    state = "%s/state-%s" % (env.sync_dir, name)
    cfg = {"upstream": env.sync_upstream, "root": root, "state_dir": state, "retries": 0}
    conf = "%s/%s.conf" % (env.sync_dir, name)
    owner = ("chown -R %s: %s && " % (host.sync_user, env.sync_dir)) if host.sync_user else ""
    host.sh("mkdir -p %s %s && printf '%%s\\n' %s > %s && %s true" % (
        root, state, shlex.quote(json.dumps(cfg)), conf, owner))
    # The bare command comes from the program itself: same flags, minus its guards.
    bare = host.sh(
        "python3 - %s %s <<'EOF'\n"
        "import importlib.machinery, importlib.util, shlex, sys\n"
        "loader = importlib.machinery.SourceFileLoader('gms', sys.argv[1])\n"
        "spec = importlib.util.spec_from_loader('gms', loader)\n"
        "mod = importlib.util.module_from_spec(spec); loader.exec_module(mod)\n"
        "print(shlex.join(mod.sync_command(mod.load_config(sys.argv[2]))))\n"
        "EOF" % (module, conf)).strip()
    return "%s --config %s" % (program, conf), bare


def measure(env) -> dict:
    scale = SMOKE if env.smoke else FULL
    say("==> section sync: the sync program against bare rsync with the same flags")
    host = env.mirror
    host.sh("rm -rf %s" % env.sync_dir, timeout=900)
    prog_cmd, dummy = sync_setup(env, host, "program")
    dummy, bare_cmd = sync_setup(env, host, "bare")
    samples = {"program": {"full": [], "nochange": []}, "bare": {"full": [], "nochange": []}}
    stats = {}

    def one(kind: str, phase: str) -> None:
        cmd = prog_cmd if kind == "program" else bare_cmd
        code, secs, out = host.timed(host.as_sync_user(cmd))
        if code != 0:
            raise CommandFailed("%s %s sync failed (exit %d): %s" % (kind, phase, code, out[-1500:]))
        samples[kind][phase].append(secs)
        if kind == "bare" and phase == "full":
            stats["files"] = int(re.search(r"Number of regular files transferred: ([\d,.]+)", out).group(1).replace(",", "").replace(".", ""))
            stats["bytes"] = int(re.search(r"Total transferred file size: ([\d,.]+)", out).group(1).replace(",", "").replace(".", ""))
        if kind == "program":
            status = json.loads(host.sh("cat %s/state-program/status.json" % env.sync_dir))
            if status.get("result") != "success":
                raise CommandFailed("the sync program did not succeed: %s" % status)
            if phase == "nochange" and status.get("changes_applied"):
                raise CommandFailed("a no-change run applied changes: %s" % status)

    for i in range(scale["full_runs"]):
        if i:
            host.sh("find %s/program %s/bare -mindepth 1 -delete" % (env.sync_dir, env.sync_dir), timeout=900)
        for kind in (("bare", "program") if i % 2 == 0 else ("program", "bare")):
            one(kind, "full")
    for i in range(scale["nochange_runs"]):
        for kind in (("bare", "program") if i % 2 == 0 else ("program", "bare")):
            one(kind, "nochange")
    tree_files = int(host.sh("find %s/bare -type f | wc -l" % env.sync_dir).strip())
    result = {
        "where": host.label, "upstream": env.sync_upstream, "files": tree_files,
        "transferred_files": stats.get("files"), "bytes": stats.get("bytes"),
        "bare_command": bare_cmd, "program_command": prog_cmd,
        "runs": {k: {p: summary(v) for p, v in d.items()} for k, d in samples.items()},
    }
    r = result["runs"]
    say("    full: program %.1f s, bare %.1f s; no change: program %.2f s, bare %.2f s" % (
        r["program"]["full"]["median"], r["bare"]["full"]["median"],
        r["program"]["nochange"]["median"], r["bare"]["nochange"]["median"]))
    return result


def report(page, d):
    if not page.header(NAME, TITLE, d):
        return
    rp, rb = d["runs"]["program"], d["runs"]["bare"]
    full_p, full_b = rp["full"], rb["full"]
    nc_p, nc_b = rp["nochange"], rb["nochange"]
    mb = d.get("bytes") or 0
    files = d.get("transferred_files") or d["files"]
    page.add(
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
    page.add("", "Target: a no-change sync within 5%% of bare rsync: the program takes %+.1f%% — %s." % (
        100 * share, "**met**" if share <= 0.05 else "**not met**"))
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for ax, phase, title in ((axes[0], "full", "full sync"), (axes[1], "nochange", "no-change sync")):
        bars(ax, ["program", "bare rsync"], ["seconds"],
             [[rp[phase]["median"], rb[phase]["median"]]], [[rp[phase]["min"], rb[phase]["min"]]],
             [[rp[phase]["max"], rb[phase]["max"]]], "seconds", title)
    page.chart("sync", fig)
    page.add("How to reproduce: `time gentoo-mirror-sync --config sync.conf` and `time` the bare rsync "
             "command above, alternately, into empty directories and then again.")
