# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-bench connection: run tasks in a local podman container by entering its namespaces.

The molecule scenarios use it instead of containers.podman.podman (.config/molecule/config.yml).
That plugin spends 0.2-0.35 s of CPU on every `podman exec` (conmon and runc) and makes three or
four of them per task without pipelining: the scenarios are CPU-bound on 2 cores, and most of a
task's time was that. nsenter(1) into the container's init takes 0.02 s and pipelines.
Needs root on the machine (entering a rootful container's namespaces).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nsenter
short_description: Run tasks in a local podman container through nsenter(1)
description:
  - Enters every namespace of the container's init process (C(nsenter -t PID -a)) and runs the
    command there, with the container's environment rather than the controller's.
  - Files go in and out through C(cat) in the container, so paths resolve as the container sees them.
options:
  remote_addr:
    description: The container's name.
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
  podman_executable:
    description: The podman command, used to find the container's init process.
    default: podman
    vars:
      - name: ansible_podman_executable
"""

import json
import resource
import shlex
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

display = Display()

# Commands get the container's limits (tests/testbed/containers.conf), not the controller's.
LIMITS = {"Max open files": resource.RLIMIT_NOFILE, "Max processes": resource.RLIMIT_NPROC}


def parse_limits(table):
    """The open-file and process limits in table (the text of /proc/PID/limits), as setrlimit()
    arguments."""
    limits = {}
    for line in table.splitlines():
        for name, which in LIMITS.items():
            if line.startswith(name):
                soft, hard = line[len(name):].split()[:2]
                limits[which] = tuple(resource.RLIM_INFINITY if v == "unlimited" else int(v)
                                      for v in (soft, hard))
    return limits


def init_limits(pid):
    """The limits of process pid that commands in its container get."""
    with open("/proc/%s/limits" % pid) as table:
        return parse_limits(table.read())


class Connection(ConnectionBase):
    """nsenter into a running podman container."""

    transport = "nsenter"
    has_pipelining = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pid = None
        self._env = []
        self._limits = {}

    def _connect(self):
        if not self._connected:
            name = self.get_option("remote_addr")
            proc = subprocess.run([self.get_option("podman_executable"), "inspect", "--format",
                                   "{{.State.Pid}} {{json .Config.Env}}", name],
                                  capture_output=True, check=False)
            pid, env = (to_text(proc.stdout).strip().split(" ", 1) + ["[]"])[:2]
            if proc.returncode != 0 or not pid.isdigit() or pid == "0":
                raise AnsibleConnectionFailure(
                    "container %s is not running: podman inspect said %r"
                    % (name, to_text(proc.stderr or proc.stdout).strip()))
            self._pid = pid
            # The environment `podman exec` gives a command, not the controller's.
            self._env = json.loads(env)
            self._limits = init_limits(pid)
            self._connected = True
        return self

    def _enter(self, command):
        """argv that runs the shell command command inside the container."""
        return ["nsenter", "-t", self._pid, "-a", "--", "/usr/bin/env", "-i"] + self._env + [
            "/bin/sh", "-c", command]

    def _run(self, argv, **kwargs):
        def limit():
            for which, value in self._limits.items():
                resource.setrlimit(which, value)
        return subprocess.run(argv, preexec_fn=limit, check=False, **kwargs)  # pylint: disable=subprocess-popen-preexec-fn

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        display.vvv("NSENTER %s: %s" % (self._pid, cmd), host=self.get_option("remote_addr"))
        proc = self._run(self._enter(to_text(cmd)), input=in_data, capture_output=True)
        return proc.returncode, proc.stdout, proc.stderr

    def _cat(self, command, stdin, stdout, what):
        proc = self._run(self._enter(command), stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            raise AnsibleError("%s failed in %s: %s"
                               % (what, self.get_option("remote_addr"), to_text(proc.stderr).strip()))

    def put_file(self, in_path, out_path):
        super().put_file(in_path, out_path)
        with open(to_bytes(in_path, errors="surrogate_or_strict"), "rb") as source:
            self._cat("cat > %s" % shlex.quote(out_path), source, subprocess.DEVNULL,
                      "copying %s to %s" % (in_path, out_path))

    def fetch_file(self, in_path, out_path):
        super().fetch_file(in_path, out_path)
        with open(to_bytes(out_path, errors="surrogate_or_strict"), "wb") as target:
            self._cat("cat %s" % shlex.quote(in_path), subprocess.DEVNULL, target,
                      "fetching %s to %s" % (in_path, out_path))

    def close(self):
        self._connected = False
