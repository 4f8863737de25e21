# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keeps idle and greedy clients from starving the rsync daemon (installed by
mirrorkit.gentoo.gentoo_mirror_rsyncd; runs as gentoo-mirror-rsyncd-guard.service).

rsync's daemon forks a process for every connection and applies no time limit until the
client has sent its module and its arguments: the module's `timeout` starts with the transfer.
A client that connects and never speaks, or picks the module and then idles, keeps its process
(and, once it picked the module, one of the `max connections` slots) for as long as it likes.
rsync 3.2 and 3.4 have no option for it, so this guard closes, with SIGTERM:

- a connection still in the handshake (no transfer started) after HANDSHAKE_TIMEOUT seconds;
- the oldest connections in the handshake beyond MAX_HANDSHAKES at once: real clients finish
  the handshake within a few round trips, idle ones pile up, and the slots stay free;
- the newest connections of a source beyond MAX_PER_SOURCE (an IPv4 address, an IPv6 /64);
  0 switches this off.

What each connection does comes from the daemon's own log lines ("[PID] connect from HOST
(ADDR)", "[PID] rsync on|to ..."); the connections are the daemon's child processes.
"""

import argparse
import ipaddress
import os
import re
import signal
import sys
import time

CONNECT = re.compile(r"^\S+ \S+ \[(\d+)\] connect from .* \(([^()]*)\)$")
STARTED = re.compile(r"^\S+ \S+ \[(\d+)\] rsync (?:on|to) ")
TICKS = os.sysconf("SC_CLK_TCK")
# Read back this much of an existing log at start: the connections open before the guard.
BACKLOG_BYTES = 4 << 20


def source_key(addr):
    """The unit of the per-source share: an IPv4 address, an IPv6 /64."""
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return addr
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network("%s/64" % ip, strict=False))
    return str(ip)


def uptime():
    """Seconds since boot: the clock of the processes' start times."""
    with open("/proc/uptime", encoding="ascii") as handle:
        return float(handle.read().split()[0])


def start_time(pid):
    """When the process started (seconds since boot), or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[19]) / TICKS


def children(pid):
    """The daemon's connection processes."""
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid), encoding="ascii") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        return []


class Log:
    """Follows the daemon's log: which process serves which address, which started a transfer."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.inode = None
        self.conns = {}  # pid -> [source key, time the line was read, started]
        self.partial = b""

    def read(self):
        try:
            with open(self.path, "rb") as handle:
                stat = os.fstat(handle.fileno())
                if self.inode is None:
                    self.offset = max(0, stat.st_size - BACKLOG_BYTES)
                elif stat.st_ino != self.inode or stat.st_size < self.offset:
                    self.offset, self.partial = 0, b""  # rotated (copytruncate) or replaced
                self.inode = stat.st_ino
                if stat.st_size == self.offset:
                    return False
                handle.seek(self.offset)
                data = self.partial + handle.read()
                self.offset = handle.tell()
        except OSError:
            return False
        lines = data.split(b"\n")
        self.partial = lines.pop()
        now = uptime()
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            match = CONNECT.match(line)
            if match:
                self.conns[int(match.group(1))] = [source_key(match.group(2)), now, False]
                continue
            match = STARTED.match(line)
            if match and int(match.group(1)) in self.conns:
                self.conns[int(match.group(1))][2] = True
        return True


def close(pid, started, pending):
    """SIGTERM; SIGKILL when the process is still there 2 s later. True when newly closed."""
    now = time.monotonic()
    sent = pending.get(pid)
    if sent and sent[0] == started:
        if now - sent[1] < 2:
            return False
        sig = signal.SIGKILL
    else:
        sig = signal.SIGTERM
    try:
        os.kill(pid, sig)
    except OSError:
        return False
    pending[pid] = (started, now)
    return sig == signal.SIGTERM


def scan(log, pid_file, args, pending):
    try:
        with open(pid_file, encoding="ascii") as handle:
            main = int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    now = uptime()
    live = {}
    for pid in children(main):
        started_at = start_time(pid)
        conn = log.conns.get(pid)
        # Unknown (its line not read yet), or an older process that had the same number.
        if started_at is None or conn is None or started_at > conn[1] + 1:
            continue
        live[pid] = (started_at, conn[0], conn[2])
    for pid in [p for p in log.conns if p not in live and now - log.conns[p][1] > 5]:
        del log.conns[pid]
    for pid in [p for p in pending if p not in live]:
        del pending[pid]

    closing = {}
    if args.max_per_source:
        by_source = {}
        for pid, (started_at, key, dummy) in live.items():
            by_source.setdefault(key, []).append((started_at, pid))
        for key, conns in by_source.items():
            for started_at, pid in sorted(conns)[args.max_per_source:]:
                closing[pid] = ("more than %d connections from one source" % args.max_per_source, key)
    handshaking = sorted((started_at, pid) for pid, (started_at, dummy, done) in live.items()
                         if not done and pid not in closing)
    for started_at, pid in handshaking:
        if now - started_at > args.handshake_timeout:
            closing[pid] = ("no transfer started within %d s" % args.handshake_timeout, live[pid][1])
    waiting = [(s, p) for s, p in handshaking if p not in closing]
    for started_at, pid in waiting[:max(0, len(waiting) - args.max_handshakes)]:
        closing[pid] = ("more than %d connections in the handshake" % args.max_handshakes, live[pid][1])
    return {pid: reason for pid, reason in closing.items() if close(pid, live[pid][0], pending)}


def report(closing):
    """One line per reason, with how many sources and the busiest."""
    reasons = {}
    for reason, key in closing.values():
        sources = reasons.setdefault(reason, {})
        sources[key] = sources.get(key, 0) + 1
    for reason, sources in sorted(reasons.items()):
        busiest = sorted(sources.items(), key=lambda item: -item[1])[:3]
        print("closed %d rsync connection(s), %s: %d source(s), most from %s" % (
            sum(sources.values()), reason, len(sources),
            ", ".join("%s (%d)" % item for item in busiest)), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--log-file", required=True)
    parser.add_argument("--pid-file", required=True)
    parser.add_argument("--handshake-timeout", type=int, required=True)
    parser.add_argument("--max-handshakes", type=int, required=True)
    parser.add_argument("--max-per-source", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *dummy: sys.exit(0))
    log = Log(args.log_file)
    pending = {}
    last = 0.0
    print("guarding the rsync daemon: handshake within %d s, at most %d in the handshake, %s per source"
          % (args.handshake_timeout, args.max_handshakes, args.max_per_source or "no limit"), flush=True)
    while True:
        # A new connection is looked at within 0.2 s; the clocks run on at least every second.
        grew = log.read()
        if grew or time.monotonic() - last >= 1:
            last = time.monotonic()
            closing = scan(log, args.pid_file, args, pending)
            if closing:
                report(closing)
        time.sleep(0.2)


if __name__ == "__main__":
    main()
