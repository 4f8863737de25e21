# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""gentoo-mirror-status-page: the mirror's public status page, from the sync job's own records.

Installed by mirrorkit.gentoo.gentoo_mirror_status as
/usr/local/lib/gentoo-mirror-status/gentoo_mirror_status_page.py and run by
gentoo-mirror-status-page.service, which systemd starts after every run of the sync service
(OnSuccess=/OnFailure=). Python 3 standard library only. It reads <state_dir>/status.json and
<state_dir>/history.json (written by gentoo-mirror-sync), walks the tree for its size and file
count, asks systemd-analyze when the schedule elapses next, and writes <output_dir>/index.html
and then <output_dir>/status.json, each through a temporary file and a rename. Only public facts
leave: the upstream without its login, no path, no address. In a tiered fleet it also shows an
upstream that could not be reached, a run the upstream's trigger started, and whether the last
push reached each downstream mirror (not ssh's messages: they name addresses).

Exit status: 0 written, 2 bad usage or configuration, 1 could not write.
"""

import calendar
import datetime
import html
import json
import os
import re
import subprocess
import sys
import time

PROG = "gentoo-mirror-status-page"
DEFAULT_CONFIG = "/etc/gentoo-mirror/status.conf"
HISTORY_LENGTH = 30
REQUIRED = {"state_dir": str, "root": str, "output_dir": str, "upstream": str, "schedule": str,
            "max_age_seconds": int}
PARTIAL_DIR = ".~tmp~"


class ConfigError(Exception):
    """The configuration file is missing or wrong."""


def load_config(path):
    """JSON with every key of REQUIRED; whole lines starting with '#' are comments."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = "".join(line if not line.lstrip().startswith("#") else "\n" for line in handle)
        cfg = json.loads(text)
    except OSError as exc:
        raise ConfigError("cannot read %s: %s" % (path, exc.strerror))
    except ValueError as exc:
        raise ConfigError("%s is not valid JSON: %s" % (path, exc))
    if not isinstance(cfg, dict):
        raise ConfigError("the configuration must be a JSON object")
    for key, kind in REQUIRED.items():
        value = cfg.get(key)
        if not isinstance(value, kind) or isinstance(value, bool) or value in ("", None):
            raise ConfigError("%s must be a %s, got %r" % (key, "non-empty string" if kind is str else "number", value))
    for key in ("state_dir", "root", "output_dir"):
        if not cfg[key].startswith("/"):
            raise ConfigError("%s must be an absolute path, got %r" % (key, cfg[key]))
    return cfg


def read_json(path, default):
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return default
    return data if isinstance(data, type(default)) else default


def local_iso(ts):
    """ISO 8601 in the host's local time with its UTC offset (None stays None)."""
    if ts is None:
        return None
    return datetime.datetime.fromtimestamp(ts).astimezone().isoformat(timespec="seconds")


def public_upstream(url):
    """The upstream as anyone may see it: no login (rsync://user@host/..., user@host::module)."""
    url = re.sub(r"^([a-z]+://)[^/@]*@", r"\1", url)
    return re.sub(r"^[^/@:]*@(?=[^/]*::)", "", url)


def tree_size(root):
    """(bytes, regular files) of the tree, hard links counted once, rsync's partial dirs left out."""
    seen = set()
    total = files = 0
    stack = [root]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != PARTIAL_DIR:
                        stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    if (st.st_dev, st.st_ino) not in seen:
                        seen.add((st.st_dev, st.st_ino))
                        total += st.st_size
                        files += 1
            except OSError:
                continue
    return total, files


_ELAPSE = re.compile(r"^\s*(Next elapse|\(in UTC\)):\s+\w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC\s*$")


def next_elapse(schedule, run=subprocess.run):
    """When the systemd calendar expression elapses next (a timestamp), as the timer computes it."""
    try:
        out = run(["systemd-analyze", "calendar", "--iterations=1", schedule], capture_output=True,
                  text=True, check=False, env={"SYSTEMD_COLORS": "0", "PATH": "/usr/bin:/bin"}).stdout
    except OSError:
        return None
    for line in out.splitlines():
        match = _ELAPSE.match(line)
        if match:
            return calendar.timegm(time.strptime(match.group(2), "%Y-%m-%d %H:%M:%S"))
    return None


def human_age(seconds):
    if seconds is None:
        return "no sync yet"
    seconds = int(seconds)
    if seconds < 60:
        return "%d s" % seconds
    if seconds < 3600:
        return "%d min" % (seconds // 60)
    if seconds < 86400:
        return "%d h %02d min" % (seconds // 3600, seconds % 3600 // 60)
    return "%d d %d h" % (seconds // 86400, seconds % 86400 // 3600)


def human_bytes(n):
    value = float(n or 0)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return ("%d %s" % (value, unit)) if unit == "B" else ("%.1f %s" % (value, unit))
        value /= 1024
    return "%d B" % n


def history_entries(history, status):
    """The last runs, oldest first; a mirror synced before history.json existed shows its last run."""
    if not history and status.get("end_timestamp") is not None:
        history = [status]
    return [{"end": local_iso(run.get("end_timestamp")),
             "duration_seconds": run.get("duration_seconds") or 0,
             "bytes_transferred": run.get("bytes_transferred") or 0,
             "result": run.get("result")} for run in history[-HISTORY_LENGTH:]]


def tier_facts(cfg, status):
    """What a mirror in a tiered fleet adds, each key only when it has something to say: the
    upstream was out of reach (upstream_unreachable, with upstream_label, its name), the
    upstream's trigger started the last run (triggered), the last push to the downstream mirrors
    (last_push: when, and per downstream whether the trigger reached it; ssh's own messages stay
    in the state directory: they name addresses)."""
    facts = {}
    if status.get("upstream_unreachable") is True:
        facts["upstream_unreachable"] = True
        facts["upstream_label"] = str(status.get("upstream_label") or public_upstream(cfg["upstream"]))
    if status.get("triggered") is True:
        facts["triggered"] = True
    push = [entry for entry in status.get("push") or [] if isinstance(entry, dict)]
    if push:
        facts["last_push"] = {
            "end": local_iso(status.get("push_timestamp")),
            "downstream": [{"name": str(entry.get("name")), "delivered": entry.get("delivered") is True}
                           for entry in push]}
    return facts


def build_facts(cfg, now, run=subprocess.run):
    """The public status document (status.json)."""
    state = cfg["state_dir"]
    status = read_json(os.path.join(state, "status.json"), {})
    last_success = status.get("last_success_timestamp")
    tree_bytes, tree_files = tree_size(cfg["root"])
    facts = {
        "result": status.get("result"),
        "last_sync_end": local_iso(status.get("end_timestamp")),
        "last_success_end": local_iso(last_success),
        "tree_age_seconds": int(now - last_success) if last_success else None,
        "max_age_seconds": cfg["max_age_seconds"],
        "next_run": local_iso(next_elapse(cfg["schedule"], run)),
        "tree_bytes": tree_bytes,
        "tree_files": tree_files,
        "upstream": public_upstream(cfg["upstream"]),
        "consecutive_failures": int(status.get("consecutive_failures") or 0),
        "generated": local_iso(now),
        "history": history_entries(read_json(os.path.join(state, "history.json"), []), status),
    }
    facts.update(tier_facts(cfg, status))
    return facts


def history_chart(history):
    """Inline SVG: one bar per run (height: duration), green for success, red otherwise."""
    width, height, bar_width = 620, 120, 20
    longest = max([run["duration_seconds"] for run in history] + [1])
    parts = ['<svg id="history-chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" role="img" aria-label="The last %d syncs">'
             % (width, height + 20, width, height + 20, len(history))]
    for i, run in enumerate(history):
        ok = run["result"] == "success"
        h = max(2, round(height * run["duration_seconds"] / longest))
        parts.append('<g class="run %s"><title>%s: %s, %s, %s transferred</title>'
                     '<rect x="%d" y="%d" width="%d" height="%d"/></g>' % (
                         "run-success" if ok else "run-failure", html.escape(str(run["end"])),
                         html.escape(str(run["result"])), human_age(run["duration_seconds"]),
                         human_bytes(run["bytes_transferred"]), i * (bar_width + 1), height - h, bar_width, h))
    parts.append('<line x1="0" y1="%d" x2="%d" y2="%d"/></svg>' % (height, width, height))
    return "".join(parts)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gentoo source mirror: status</title>
<style>
body {{ font-family: sans-serif; margin: 2em auto; max-width: 46em; padding: 0 1em; color: #222; }}
th {{ text-align: left; padding-right: 1.5em; font-weight: normal; color: #555; }}
td {{ font-weight: bold; }}
.stale, .run-failure {{ color: #b00; fill: #c33; }}
.fresh, .run-success {{ color: #070; fill: #3a3; }}
.alert {{ font-weight: bold; border-left: 0.4em solid #c33; padding-left: 0.6em; }}
svg line {{ stroke: #999; }}
</style>
</head>
<body>
<h1>Gentoo source mirror status</h1>
{unreachable}<table>
<tr><th>Last sync</th><td id="last-result" class="{result_class}">{result}</td></tr>
{triggered}<tr><th>Last sync ended</th><td><time id="last-sync-end" datetime="{last_sync_end}">{last_sync_end}</time></td></tr>
<tr><th>Age of the tree</th><td><span id="tree-age" class="{age_class}" data-seconds="{age_seconds}">{age}</span>
 (the policy allows {max_age})</td></tr>
<tr><th>Next sync</th><td><time id="next-run" datetime="{next_run}">{next_run}</time></td></tr>
<tr><th>Tree size</th><td id="tree-size" data-bytes="{tree_bytes}">{tree_size}</td></tr>
<tr><th>Files</th><td id="tree-files">{tree_files}</td></tr>
<tr><th>Upstream</th><td id="upstream">{upstream}</td></tr>
<tr><th>Failures since the last success</th><td id="consecutive-failures">{failures}</td></tr>
</table>
{push}<h2>The last {runs} syncs</h2>
<p>Bar height: duration; green: success, red: failed or refused. Each bar names its end, result and transfer.</p>
{chart}
<p><a id="traffic-link" href="traffic/">Traffic report</a> &middot; <a href="status.json">status.json</a></p>
<p><small>Generated {generated} after the last sync run.</small></p>
</body>
</html>
"""


def tier_html(facts):
    """The unreachable line, the "Triggered by upstream" row and the last push, each only when
    there is something to say (tier_facts)."""
    parts = {"unreachable": "", "triggered": "", "push": ""}
    if facts.get("upstream_unreachable"):
        parts["unreachable"] = (
            '<p id="upstream-unreachable" class="stale alert">Upstream %s unreachable: the last sync '
            'could not connect to it; this mirror serves the tree of its last successful sync.</p>\n'
            % html.escape(facts["upstream_label"], quote=True))
    if facts.get("triggered"):
        parts["triggered"] = '<tr><th>Started by</th><td id="triggered">Triggered by upstream</td></tr>\n'
    push = facts.get("last_push")
    if push:
        rows = "".join(
            '<li class="push %s" data-name="%s">%s: %s</li>\n'
            % ("fresh" if entry["delivered"] else "stale", html.escape(entry["name"], quote=True),
               html.escape(entry["name"]), "triggered" if entry["delivered"]
               else "not reached (it syncs on its own timer)")
            for entry in push["downstream"])
        parts["push"] = (
            '<h2>Downstream mirrors</h2>\n<p>Triggered after the last sync that changed the tree, '
            '<time id="last-push" datetime="{end}">{end}</time>:</p>\n<ul id="push">\n{rows}</ul>\n'
            .format(end=html.escape(str(push["end"]), quote=True), rows=rows))
    return parts


def render_page(facts):
    age = facts["tree_age_seconds"]
    stale = age is None or age > facts["max_age_seconds"]
    text = {key: html.escape("none" if facts[key] is None else str(facts[key]), quote=True)
            for key in ("result", "last_sync_end", "next_run", "upstream", "generated", "tree_files",
                        "tree_bytes")}
    return PAGE.format(
        result_class="fresh" if facts["result"] == "success" else "stale",
        age_class="stale" if stale else "fresh", age_seconds="" if age is None else age,
        age=human_age(age), max_age=human_age(facts["max_age_seconds"]),
        tree_size=human_bytes(facts["tree_bytes"]), failures=facts["consecutive_failures"],
        runs=len(facts["history"]), chart=history_chart(facts["history"]), **tier_html(facts), **text)


def atomic_write(path, text):
    """Through <dir>/.<name>.<pid>.tmp and a rename: a reader sees the old file or the new one."""
    tmp = os.path.join(os.path.dirname(path), ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main(argv=None, clock=time.time, run=subprocess.run):
    args = list(sys.argv[1:] if argv is None else argv)
    check_only = "--check-config" in args
    args = [a for a in args if a != "--check-config"]
    if args[:1] == ["--config"] and len(args) == 2:
        path = args[1]
    elif not args:
        path = DEFAULT_CONFIG
    else:
        print("usage: %s [--check-config] [--config FILE]" % PROG, file=sys.stderr)
        return 2
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        print("%s: configuration error: %s" % (PROG, exc), file=sys.stderr)
        return 2
    if check_only:
        print("%s: configuration %s is valid" % (PROG, path))
        return 0
    facts = build_facts(cfg, clock(), run)
    try:
        # The page first: once status.json shows a run, index.html shows it too.
        atomic_write(os.path.join(cfg["output_dir"], "index.html"), render_page(facts))
        atomic_write(os.path.join(cfg["output_dir"], "status.json"), json.dumps(facts, indent=2) + "\n")
    except OSError as exc:
        print("%s: cannot write the page into %s: %s" % (PROG, cfg["output_dir"], exc.strerror), file=sys.stderr)
        return 1
    print("%s: %s, tree age %s, %d runs charted"
          % (PROG, facts["result"], human_age(facts["tree_age_seconds"]), len(facts["history"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
