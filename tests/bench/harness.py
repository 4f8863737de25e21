# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every section of the bench measures with: commands run and logged, a shell in a test host
(or on this machine in --smoke), wrk's report, and the summary of a list of runs."""

from __future__ import annotations

import json
import re
import shlex
import statistics
import subprocess
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
LOG = None  # file handle of the command log (build/bench/<mode>/commands.log)


def open_log(path: Path) -> None:
    global LOG
    LOG = open(path, "w", encoding="utf-8")


def log(text: str) -> None:
    if LOG:
        LOG.write(text)
        LOG.flush()


def say(msg: str) -> None:
    print(msg, flush=True)
    log(msg + "\n")


class CommandFailed(RuntimeError):
    pass


def run(argv, *, check=True, timeout=None, env=None, input_text=None) -> subprocess.CompletedProcess:
    """Run argv on the machine, log it and its output, and return the finished process."""
    log("$ " + " ".join(shlex.quote(a) for a in argv) + "\n")
    start = time.monotonic()
    proc = subprocess.run(argv, input=input_text, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout, env=env, check=False)
    if LOG:
        LOG.write(proc.stdout[-20000:])
        LOG.write(proc.stderr[-20000:])
        took = time.monotonic() - start
        LOG.write("[exit %d after %.1f s, %s]\n" % (proc.returncode, took, time.strftime("%H:%M:%S")))
        LOG.flush()
    if check and proc.returncode != 0:
        raise CommandFailed("command failed (exit %d): %s\n%s%s" % (
            proc.returncode, " ".join(argv)[:400], proc.stdout[-2000:], proc.stderr[-2000:]))
    return proc


class Host:
    """Where a measurement runs: a test host (podman exec) or, in --smoke, this machine."""

    def __init__(self, name: str | None, sync_user: str | None = None):
        self.name = name
        self.sync_user = sync_user

    @property
    def label(self) -> str:
        return self.name or "this machine"

    def argv(self, script: str) -> list[str]:
        if self.name:
            return ["podman", "exec", self.name, "bash", "-c", script]
        return ["bash", "-c", script]

    def sh(self, script: str, check=True, timeout=600) -> str:
        return run(self.argv(script), check=check, timeout=timeout).stdout

    def popen(self, script: str) -> subprocess.Popen:
        if LOG:
            LOG.write("$ (background) %s\n" % script)
        return subprocess.Popen(self.argv(script), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def as_sync_user(self, command: str) -> str:
        if self.sync_user:
            return "runuser -u %s -- %s" % (self.sync_user, command)
        return command

    def timed(self, command: str, timeout=1800) -> tuple[int, float, str]:
        """Run command on the host, timing it there (not through podman exec): exit, seconds, output."""
        script = ("s=$(date +%%s%%N); ( %s ) > /tmp/bench-timed.log 2>&1; rc=$?; e=$(date +%%s%%N); "
                  "tail -c 20000 /tmp/bench-timed.log; echo; echo \"BENCH_TIMED $rc $(( (e - s) / 1000 ))\""
                  % command)
        out = self.sh(script, timeout=timeout)
        match = re.search(r"BENCH_TIMED (\d+) (\d+)\s*$", out)
        if not match:
            raise CommandFailed("no timing from %s: %s" % (self.label, out[-500:]))
        return int(match.group(1)), int(match.group(2)) / 1e6, out[: match.start()]

    def put_lua(self) -> None:
        """wrk's report script (report.lua) at /tmp/bench-report.lua on the host."""
        text = (BENCH / "report.lua").read_text()
        if self.name:
            run(["podman", "exec", "-i", self.name, "bash", "-c", "cat > /tmp/bench-report.lua"], input_text=text)
        else:
            Path("/tmp/bench-report.lua").write_text(text)

    def wrk(self, url: str, conns: int, seconds: int, threads: int = 2) -> dict:
        """wrk on the host against url (after put_lua()): its figures (parse_wrk)."""
        threads = max(1, min(threads, conns))
        timeout = "10s"
        out = self.sh("ulimit -n 16384 2>/dev/null || ulimit -n $(ulimit -Hn); "
                      "wrk -t%d -c%d -d%ds --timeout %s --latency -s /tmp/bench-report.lua %s"
                      % (threads, conns, seconds, timeout, shlex.quote(url)), timeout=seconds + 120)
        return parse_wrk(out)

    def small_file(self, tree: str) -> str:
        """The first 64 KiB distfile of the tree (the sections' small file)."""
        return self.sh("find %s/distfiles -type f -size 65536c -name '*.tar.*' | sort | head -1" % tree).strip()

    def largest_stage(self, tree: str) -> str:
        """The size and path of the largest stage file of the tree ('SIZE PATH')."""
        return self.sh("find %s/releases -type f -name 'stage3-*.tar.xz' -printf '%%s %%p\\n' | sort -n | tail -1"
                       % tree).strip()


def parse_wrk(out: str, tag: str = "BENCH_JSON") -> dict:
    """The figures of one wrk run from the JSON line report.lua prints."""
    match = re.search(r"%s (\{.*\})" % tag, out)
    if not match:
        raise CommandFailed("wrk gave no report: %s" % out[-1000:])
    data = json.loads(match.group(1))
    secs = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / secs,
        "mbps": data["bytes"] / secs / 1e6,
        # Latency exists only for completed requests.
        "p50_ms": data["p50_us"] / 1000.0 if data["requests"] else None,
        "p99_ms": data["p99_us"] / 1000.0 if data["requests"] else None,
        "errors": data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"],
        "errors_detail": {k: data[k] for k in ("connect", "read", "write", "status", "timeout")},
        "requests": data["requests"],
    }


def summary(values):
    """Median, min, max and count of a list of numbers (None when empty)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "runs": values}


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"
