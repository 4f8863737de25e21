# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test hosts outside molecule: podman containers of the project's Debian image with systemd as
PID 1, started, waited for, and removed (the bench's hosts, tests/bench/environment.py).

Every podman call goes through the `run` given (the bench logs each one); it takes an argv and
check=/timeout= like subprocess.run and returns the finished process.
"""

from __future__ import annotations

import subprocess
import time

IMAGE = "localhost/mirrorkit-debian:bookworm"


def plain_run(argv, *, check=True, timeout=None):
    """subprocess.run with the output captured as text."""
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=timeout)


class Hosts:
    """The test hosts one run started, so that it can remove exactly those."""

    def __init__(self, run=plain_run, image: str = IMAGE):
        self.run = run
        self.image = image
        self.started: list[str] = []

    def exists(self, name: str) -> bool:
        return self.run(["podman", "container", "exists", name], check=False).returncode == 0

    def ensure_network(self, network: str) -> None:
        if self.run(["podman", "network", "exists", network], check=False).returncode != 0:
            self.run(["podman", "network", "create", network])

    def remove_network(self, network: str) -> None:
        self.run(["podman", "network", "rm", network], check=False)

    def start(self, name: str, *extra: str, network: str) -> None:
        """A fresh host `name` (one of that name is removed first); extra: more `podman run` options."""
        self.run(["podman", "rm", "-f", "-t", "5", name], check=False)
        self.run(["podman", "run", "-d", "--name", name, "--hostname", name, "--network", network,
                  "--systemd=always", *extra, self.image, "/sbin/init"])
        self.started.append(name)

    def adopt(self, names) -> None:
        """Hosts an earlier run left (--keep), to be used and removed like started ones."""
        self.started += [n for n in names if n not in self.started and self.exists(n)]

    def wait_booted(self, name: str, seconds: int = 90) -> None:
        for dummy in range(seconds):
            state = self.run(["podman", "exec", name, "systemctl", "is-system-running"], check=False).stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(1)
        raise RuntimeError("%s did not finish booting" % name)

    def pid(self, name: str) -> int:
        """PID of the host's init process on this machine (for nsenter and its cgroup)."""
        return int(self.run(["podman", "inspect", "-f", "{{.State.Pid}}", name]).stdout.strip())

    def remove(self, names) -> None:
        names = list(names)
        self.run(["podman", "rm", "-f", "-t", "5", *names], check=False, timeout=300)
        self.started = [n for n in self.started if n not in names]
