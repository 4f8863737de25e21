# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the bench's sections measure: the test hosts (network mirrorkit-bench, names bench-*;
their lifecycle is tests/testbed/hosts.py), the stand-in upstream and the provisioned mirror, or
in --smoke local servers on this machine's loopback; and the playbook runs that set them up."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness import CommandFailed, Host, run, say

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tests" / "testbed"))
from hosts import Hosts  # noqa: E402  pylint: disable=wrong-import-position
from role_programs import role_program_path  # noqa: E402  pylint: disable=wrong-import-position

BUILD = TOP / "build" / "bench"
NET = "mirrorkit-bench"
UPSTREAM = "bench-upstream"
MIRROR = "bench-mirror.example.test"
UPSTREAM_URL = "rsync://%s/gentoo/" % UPSTREAM  # the stand-in upstream's public module
STOCK = "bench-stock"
SMOKE_HOST = "bench-smoke"
# Ports on this machine, all below the kernel's ephemeral range (32768-60999): a client connection
# left in TIME-WAIT on a port in that range can make `podman run -p` fail with "address in use".
PORT_HTTP = 29080      # published 127.0.0.1:29080 -> bench-mirror:80 (for people; not measured)
PORT_RSYNC = 29873     # published 127.0.0.1:29873 -> bench-mirror:873
PORT_SSH = 29022       # published 127.0.0.1:29022 -> bench-mirror:22
SMOKE_PORTS = {"mirror": 29180, "stock": 29181, "rsync": 29874}
SYNC_PROGRAM = "/usr/local/bin/gentoo-mirror-sync"  # the launcher the role installs
SYNC_MODULE = "/usr/local/lib/gentoo-mirror-sync/gentoo_mirror_sync.py"  # ... and the program it runs


class Environment:
    """The hosts, URLs and paths the sections use, the run's sizes, and what they found."""

    def __init__(self, args, sections):
        self.args = args
        self.smoke = args.smoke
        self.sections = sections  # the section modules of this run
        self.names = [s.NAME for s in sections]
        self.out = Path(args.results_dir) if args.results_dir else BUILD / ("smoke" if self.smoke else "full")
        self.out.mkdir(parents=True, exist_ok=True)
        self.hosts = Hosts(run)
        self.local_procs: list[subprocess.Popen] = []
        self.notes: dict = {}
        self.fresh1 = None  # (seconds, recap) of the mirror's first converge, when this run made it
        # Sizes several sections share; a section's own sizes are in its module.
        if self.smoke:
            self.runs, self.wrk_seconds = 1, 1
        else:
            self.runs, self.wrk_seconds = 3, 5
        self.program, self.program_module = SYNC_PROGRAM, SYNC_MODULE

    def needs(self, what: str) -> bool:
        """Whether a section of this run needs `what` (its NEEDS) from the setup."""
        return any(what in s.NEEDS for s in self.sections)

    # -- hosts -------------------------------------------------------------------------
    def fresh_converge(self, names, log_name: str, remove: bool = True, extra=(), tiers=None):
        """site.yml on hosts started fresh for this run (removed afterwards unless remove is false),
        with extra arguments of ansible-playbook and the tiers of write_inventory:
        (its wall time, the inventory of those hosts)."""
        for name in names:
            self.hosts.start(name, network=NET)
        for name in names:
            self.hosts.wait_booted(name)
        inv = self.out / ("inventory-fresh-%d%s.yml" % (len(names), "-tiered" if tiers else ""))
        self.write_inventory(inv, names, tiers=tiers)
        try:
            took, dummy = self.playbook(inv, "mirrorkit.gentoo.site", *extra, log_name=log_name)
        finally:
            if remove:
                self.hosts.remove(names)
        return took, inv

    def cleanup(self) -> None:
        for proc in self.local_procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.hosts.started and not self.args.keep:
            say("==> removing the bench hosts: %s" % " ".join(self.hosts.started))
            self.hosts.remove(list(self.hosts.started))
            if not self.smoke:
                self.hosts.remove_network(NET)

    # -- playbooks ---------------------------------------------------------------------
    @staticmethod
    def ansible_env() -> dict:
        env = dict(os.environ)
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(TOP / "build" / "collections"))
        env["ANSIBLE_FORCE_COLOR"] = "0"
        env["ANSIBLE_NOCOLOR"] = "1"
        env["ANSIBLE_HOST_KEY_CHECKING"] = "False"
        return env

    @staticmethod
    def write_inventory(path: Path, mirrors, ssh_key: Path | None = None, tiers=None) -> None:
        """An inventory of the upstream and the mirrors; with ssh_key, MIRROR is reached over SSH
        (127.0.0.1:PORT_SSH, pipelining on) instead of podman exec. With tiers ({group: {host:
        {variable: value}}}) the mirrors are those groups' hosts, children of gentoo_mirrors, and
        the stand-in upstream is only what the tiers' variables name (the others derive theirs)."""
        lines = [
            "# written by tests/bench/bench.py",
            "all:",
            "  vars:",
            "    ansible_connection: containers.podman.podman",
            "    ansible_python_interpreter: /usr/bin/python3",
            "  children:",
            "    upstream:",
            "      hosts:",
            "        %s:" % UPSTREAM,
            "    gentoo_mirrors:",
        ]
        if tiers:
            lines += tier_lines(tiers)
        else:
            lines.append("      hosts:")
        for name in [] if tiers else mirrors:
            lines.append("        %s:" % name)
            if ssh_key and name == MIRROR:
                lines += [
                    "          ansible_connection: ssh",
                    "          ansible_host: 127.0.0.1",
                    "          ansible_port: %d" % PORT_SSH,
                    "          ansible_user: root",
                    "          ansible_ssh_private_key_file: %s" % ssh_key,
                    "          ansible_ssh_common_args: -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no",
                    "          ansible_pipelining: true",
                ]
        lines += [
            "      vars:",
            "        gentoo_mirror_hostname: \"{{ inventory_hostname }}\"",
            "        gentoo_mirror_admin_email: mirror-admin@example.test",
            "        gentoo_mirror_initial_sync: wait",
            "        gentoo_mirror_min_disk_gib: 1",
            "        gentoo_mirror_https: false",
            "        gentoo_mirror_max_connections: 10000",
        ]
        if not tiers:
            lines.append("        gentoo_mirror_upstream: %s" % UPSTREAM_URL)
        path.write_text("\n".join(lines) + "\n")

    def playbook(self, inventory: Path, playbook: str, *extra: str, log_name: str, timeout=3600, env=None):
        """ansible-playbook on the machine: (seconds, recap {host: counters})."""
        argv = ["ansible-playbook", "-i", str(inventory), playbook, *extra]
        env = dict(self.ansible_env(), **(env or {}))
        # Per-task times in the log (build/bench/full/site-*.log), to see where a run spends them.
        env["ANSIBLE_CALLBACKS_ENABLED"] = "ansible.posix.profile_tasks"
        start = time.monotonic()
        proc = run(argv, check=False, env=env, timeout=timeout)
        took = time.monotonic() - start
        (self.out / log_name).write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise CommandFailed("%s failed (exit %d); log: %s\n%s" % (
                " ".join(argv), proc.returncode, self.out / log_name, proc.stdout[-3000:]))
        return took, parse_recap(proc.stdout)

    def setup_ssh(self, host: Host) -> Path:
        """Debian's OpenSSH server in host, root's login by a key made for this run; returns the key."""
        key = self.out / "ssh" / "id_ed25519"
        key.parent.mkdir(parents=True, exist_ok=True)
        if not key.exists():
            run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "mirrorkit-bench", "-f", str(key)])
        host.sh("DEBIAN_FRONTEND=noninteractive apt-get update -q > /dev/null && "
                "DEBIAN_FRONTEND=noninteractive apt-get install -y -q openssh-server > /dev/null && "
                "install -d -m 0700 /root/.ssh && printf '%%s\\n' %s > /root/.ssh/authorized_keys && "
                "chmod 0600 /root/.ssh/authorized_keys && systemctl enable --now ssh > /dev/null"
                % shlex.quote(key.with_suffix(".pub").read_text().strip()), timeout=600)
        return key

    # -- setup -------------------------------------------------------------------------
    def setup_full(self) -> None:
        reuse = self.args.reuse and self.hosts.exists(MIRROR)
        if reuse:
            say("==> re-using the bench hosts left by a --keep run")
            self.hosts.adopt((UPSTREAM, MIRROR, STOCK))
        else:
            say("==> starting the bench hosts on network %s" % NET)
            self.hosts.ensure_network(NET)
            self.hosts.start(UPSTREAM, network=NET)
            self.hosts.start(MIRROR, "-p", "127.0.0.1:%d:80" % PORT_HTTP, "-p", "127.0.0.1:%d:873" % PORT_RSYNC,
                             "-p", "127.0.0.1:%d:22" % PORT_SSH, network=NET)
        if self.needs("stock") and STOCK not in self.hosts.started:
            self.hosts.start(STOCK, network=NET)
        for name in self.hosts.started:
            self.hosts.wait_booted(name)
        self.inv1 = self.out / "inventory-1.yml"
        self.write_inventory(self.inv1, [MIRROR])
        if not reuse:
            say("==> stand-in upstream: Gentoo-shaped tree (2000 distfiles, one 256 MiB stage file)")
            self.playbook(self.inv1, str(TOP / "molecule" / "shared" / "prepare_upstream.yml"),
                          "-e", "upstream_tree_big_mib=256", log_name="prepare-upstream.log")
        self.upstream = Host(UPSTREAM)
        if self.needs("tree100k"):
            say("==> stand-in upstream: a second tree of 100,000 distfiles (1-4 KiB), module tree100k")
            self.upstream.sh(
                "/usr/local/bin/make-gentoo-tree --root /srv/upstream/tree100k --files 100000 "
                "--max-kib 4 --big-mib 1 && grep -q '^\\[tree100k\\]' /etc/rsyncd.conf || "
                "printf '[tree100k]\\n    path = /srv/upstream/tree100k\\n    read only = yes\\n' "
                ">> /etc/rsyncd.conf", timeout=1800)
        if self.needs("upstream_curl"):
            self.upstream.sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl > /dev/null", timeout=600)
        if not reuse:
            say("==> provisioning %s with mirrorkit.gentoo.site (fresh host, first sync included)" % MIRROR)
            took, recap = self.playbook(self.inv1, "mirrorkit.gentoo.site", log_name="site-1-fresh.log")
            self.fresh1 = (took, recap)
            say("    fresh converge: %.1f s" % took)
        self.mirror = Host(MIRROR, sync_user="gentoo-mirror")
        self.mirror_base = "http://127.0.0.1:80"  # the image has no /etc/services: wrk needs the port
        if self.needs("wrk"):
            self.mirror.sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk iperf3 > /dev/null", timeout=600)
        if self.needs("stock"):
            self.setup_stock()
        self.notes["mirror_nginx"] = self.mirror.sh(
            "grep -nE '^\\s*(worker_processes|worker_rlimit_nofile|worker_connections|sendfile|aio|open_file_cache) ' "
            "/etc/nginx/nginx.conf", check=False)
        self.stock_base = "http://127.0.0.1:80"
        self.tree = "/srv/gentoo"
        self.sync_dir = "/srv/bench-sync"
        self.sync_upstream = "rsync://%s/tree100k/" % UPSTREAM
        self.rsync_url = "rsync://127.0.0.1/gentoo/"

    def setup_stock(self) -> None:
        say("==> %s: Debian's stock nginx serving a copy of the same tree" % STOCK)
        self.stock = Host(STOCK)
        self.stock.sh(
            "DEBIAN_FRONTEND=noninteractive apt-get update -q > /dev/null && "
            "DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx rsync wrk iperf3 > /dev/null", timeout=900)
        self.stock.sh(
            "rsync -aH --exclude=/experimental/bench-1gib/ rsync://%s/gentoo/ /srv/gentoo/ && "
            "sed -i -e 's|root /var/www/html;|root /srv/gentoo;\\n\\tautoindex on;|' "
            "/etc/nginx/sites-available/default && nginx -t && systemctl reload nginx" % MIRROR, timeout=900)
        self.notes["stock_diff"] = self.stock.sh(
            "grep -nE '^\\s*(root|autoindex)' /etc/nginx/sites-available/default; "
            "grep -nE '^\\s*(worker_processes|worker_connections|sendfile|tcp_nopush|keepalive_timeout)' "
            "/etc/nginx/nginx.conf", check=False)

    def setup_smoke(self) -> None:
        """Local servers on this machine's loopback, ports 29180-29874; one test host booted and removed."""
        base = self.out / "work"
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        say("==> smoke: one test host boots and is removed (podman path of the harness)")
        self.hosts.start(SMOKE_HOST, network="podman")
        self.hosts.wait_booted(SMOKE_HOST)
        Host(SMOKE_HOST).sh("python3 -c 'print(1)'")
        say("==> smoke: tiny trees and local servers on 127.0.0.1")
        maker = str(TOP / "tests" / "testbed" / "make_tree.py")
        tree = base / "gentoo"
        run([sys.executable, maker, "--root", str(tree), "--files", "300", "--big-mib", "2"])
        run([sys.executable, maker, "--root", str(base / "tree100k"), "--files", "500", "--max-kib", "4",
             "--big-mib", "1"])
        onegib = tree / "experimental" / "bench-1gib"
        onegib.mkdir(parents=True, exist_ok=True)
        for i in range(4):
            (onegib / ("f%02d.bin" % i)).write_bytes(os.urandom(256 * 1024))
        conf = base / "rsyncd.conf"
        conf.write_text("use chroot = no\npid file = %s/rsyncd.pid\nlock file = %s/rsyncd.lock\n"
                        "[gentoo]\n    path = %s\n    read only = yes\n"
                        "[tree100k]\n    path = %s/tree100k\n    read only = yes\n" % (base, base, tree, base))
        for port in (SMOKE_PORTS["mirror"], SMOKE_PORTS["stock"]):
            self.local_procs.append(subprocess.Popen(
                [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tree)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.local_procs.append(subprocess.Popen(
            ["rsync", "--daemon", "--no-detach", "--address", "127.0.0.1", "--port", str(SMOKE_PORTS["rsync"]),
             "--config", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1.5)
        for proc in self.local_procs:
            if proc.poll() is not None:
                raise CommandFailed("a local smoke server did not start: %s" % proc.args)
        self.upstream = self.mirror = self.stock = Host(None)
        self.mirror_base = "http://127.0.0.1:%d" % SMOKE_PORTS["mirror"]
        self.stock_base = "http://127.0.0.1:%d" % SMOKE_PORTS["stock"]
        self.tree = str(tree)
        self.sync_dir = str(base / "bench-sync")
        self.sync_upstream = "rsync://127.0.0.1:%d/tree100k/" % SMOKE_PORTS["rsync"]
        self.rsync_url = "rsync://127.0.0.1:%d/gentoo/" % SMOKE_PORTS["rsync"]
        # No installed launcher here: the program's module runs as a script.
        self.program_module = str(role_program_path("gentoo_mirror_sync"))
        self.program = "python3 -I " + self.program_module
        self.inv1 = self.out / "inventory-1.yml"
        self.write_inventory(self.inv1, [MIRROR])


def tier_lines(tiers) -> list:
    """The children of gentoo_mirrors in write_inventory's YAML: {group: {host: {variable: value}}}."""
    lines = ["      children:"]
    for group, members in tiers.items():
        lines += ["        %s:" % group, "          hosts:"]
        for name, variables in members.items():
            lines.append("            %s:%s" % (name, "" if variables else " {}"))
            lines += ["              %s: %s" % item for item in variables.items()]
    return lines


def parse_recap(text: str) -> dict:
    """PLAY RECAP lines of ansible-playbook: {host: {ok: n, changed: n, ...}} (last recap wins)."""
    recap = {}
    part = text.rsplit("PLAY RECAP", 1)[-1] if "PLAY RECAP" in text else ""
    for line in part.splitlines():
        match = re.match(r"^(\S+)\s*:\s*((?:\w+=\d+\s*)+)$", line.strip())
        if match:
            recap[match.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(2))}
    return recap
