# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Idle rsync clients, run inside the mirror host (python3 rsyncd_probe.py JSON-ARGS).

Opens connections to the daemon from loopback source addresses, each either silent (never
speaks) or idle after it sent the greeting and picked the module, optionally runs real rsync
clients while they are open, watches when the daemon closes each, and prints a JSON report.
Bounded: at most 1,200 sockets and 90 s; every socket is closed before it exits.
"""

import json
import os
import selectors
import socket
import subprocess
import sys
import time

GREETING_AND_MODULE = b"@RSYNCD: 31.0\ngentoo\n"


def open_idle(plan, port):
    """plan: [(source address, "silent" | "module")]; returns [(socket, opened at)]."""
    opened = []
    for source, mode in plan:
        sock = socket.socket()
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", port))
        if mode == "module":
            sock.sendall(GREETING_AND_MODULE)
        opened.append((sock, time.monotonic()))
    return opened


def timed_rsync(args):
    start = time.monotonic()
    proc = subprocess.run(["rsync", "--contimeout=10", "--timeout=30", *args], capture_output=True,
                          text=True, timeout=60, check=False)
    return {"rc": proc.returncode, "seconds": round(time.monotonic() - start, 3),
            "stderr": proc.stderr[-500:]}


def main():
    args = json.loads(sys.argv[1])
    plan = [tuple(item) for item in args["plan"]]
    assert len(plan) <= 1200 and args["watch"] <= 90
    port = args.get("port", 873)
    sel = selectors.DefaultSelector()
    background = None
    if args.get("background_rsync"):
        os.makedirs("/tmp/rsyncd-probe", exist_ok=True)
        background = subprocess.Popen(["rsync", "--contimeout=10", *args["background_rsync"]],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        background_start = time.monotonic()
    start = time.monotonic()
    opened = open_idle(plan, port)
    report = {"opened": len(opened), "open_seconds": round(time.monotonic() - start, 3)}
    closed_after = [None] * len(opened)
    for index, (sock, dummy) in enumerate(opened):
        sel.register(sock, selectors.EVENT_READ, index)

    def watch(until):
        while time.monotonic() < until and sel.get_map():
            for key, dummy in sel.select(max(0.0, min(0.2, until - time.monotonic()))):
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    closed_after[key.data] = round(time.monotonic() - opened[key.data][1], 3)
                    sel.unregister(key.fileobj)

    watch(time.monotonic() + args.get("settle", 0))
    report["open_before_clients"] = sum(1 for c in closed_after if c is None)
    report["clients"] = [timed_rsync(client) for client in args.get("clients", [])]
    watch(start + args["watch"])
    report["closed_after"] = closed_after
    report["still_open"] = sum(1 for c in closed_after if c is None)
    if background is not None:
        report["background_alive_after"] = round(time.monotonic() - background_start, 3)
        report["background_running"] = background.poll() is None
        background.terminate()
        report["background_stderr"] = background.communicate(timeout=10)[1][-500:]
    for sock, dummy in opened:
        sock.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
