#!/usr/bin/env python3
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make bench`: measure the mirror this collection builds against its alternatives, side by
side in one run, and write docs/performance.md with one PNG chart per section.

Run through tests/bench/run.sh (which installs matplotlib, sets CONTAINERS_CONF and removes the
test hosts on exit). Sections: tests/bench/sections/, one module each (http, rsync, sync,
provisioning, bandwidth, load, overload, fleet), with its measurement and its part of the page.

Full mode starts test hosts (podman, network mirrorkit-bench, names bench-*), provisions the
mirror with mirrorkit.gentoo.site, and measures inside the hosts (podman exec), so no figure
goes through podman's port forwarder. --smoke runs a tiny version of every section on this
machine's loopback against local servers (python http.server, an rsync daemon), writes the
page into build/bench/smoke/ and fails when a section produced no figures: it keeps the
harness from rotting without touching docs/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402  pylint: disable=wrong-import-position
import page  # noqa: E402  pylint: disable=wrong-import-position
from environment import Environment  # noqa: E402  pylint: disable=wrong-import-position
from harness import loadavg, say  # noqa: E402  pylint: disable=wrong-import-position
from sections import BY_NAME, RUN_ORDER, SECTIONS  # noqa: E402  pylint: disable=wrong-import-position


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny version of every section, seconds, no docs/ change")
    parser.add_argument("--only", action="append", choices=list(BY_NAME), help="run only this section (repeatable)")
    parser.add_argument("--keep", action="store_true", help="leave the test hosts running")
    parser.add_argument("--reuse", action="store_true",
                        help="use the bench hosts a --keep run left (no fresh provisioning figure)")
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the saved results")
    parser.add_argument("--results-dir", help="where results.json and the logs go (default build/bench/full)")
    return parser.parse_args(argv)


def measure(env, date: str) -> tuple[dict, list]:
    """Every section of the run, in run order: ({name: results}, names of those that failed)."""
    results, failures = {}, []
    for section in RUN_ORDER:
        if section not in env.sections:
            continue
        start = time.monotonic()
        try:
            data = section.measure(env)
        except Exception as exc:  # noqa: BLE001  (one broken section must not lose the others)
            failures.append(section.NAME)
            say("!!! section %s failed: %s" % (section.NAME, exc))
            results[section.NAME] = {"error": str(exc)[:2000]}
        else:
            data["took"] = time.monotonic() - start
            data["date"] = date
            data["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M UTC")
            data["load"] = loadavg()
            results[section.NAME] = data
    return results, failures


def main(argv=None) -> int:
    args = parse_args(argv)
    chosen = [BY_NAME[name] for name in args.only] if args.only else list(SECTIONS)
    env = Environment(args, chosen)
    results_file = env.out / "results.json"
    if args.page_only:
        page.write_page(json.loads(results_file.read_text()), SECTIONS, smoke=args.smoke)
        return 0
    harness.open_log(env.out / "commands.log")
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_start": loadavg(), "kernel": platform.release(), "cpus": os.cpu_count(),
            "smoke": args.smoke, "sections": env.names}
    kind = "smoke" if args.smoke else "full"
    say("==> bench %s, sections: %s; load average %s" % (kind, " ".join(env.names), meta["load_start"]))

    def on_signal(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    previous = {}
    if results_file.exists() and not args.smoke:
        try:
            previous = json.loads(results_file.read_text())
        except ValueError:
            previous = {}
    try:
        if args.smoke:
            env.setup_smoke()
        else:
            env.setup_full()
        measured, failures = measure(env, meta["date"])
    finally:
        meta["load_end"] = loadavg()
        env.cleanup()
    merged = previous if isinstance(previous, dict) else {}
    merged.setdefault("sections", {})
    merged["sections"].update(measured)
    merged["meta"] = meta
    merged["notes"] = {**merged.get("notes", {}), **env.notes}
    results_file.write_text(json.dumps(merged, indent=1, sort_keys=True))
    written = page.write_page(merged, SECTIONS, smoke=args.smoke)
    say("==> wrote %s (results: %s)" % (written, results_file))
    if failures:
        say("!!! failed sections: %s (log: %s)" % (" ".join(failures), env.out / "commands.log"))
        return 1
    if args.smoke:
        missing = page.check_page(written, env.sections)
        if missing:
            say("!!! smoke: the page lacks figures for: %s" % " ".join(missing))
            return 1
        say("==> smoke: every section measured and reported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
