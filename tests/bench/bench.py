#!/usr/bin/env python3
"""`make bench`: measure the mirror this collection builds against its alternatives, side by
side in one run, and write docs/performance.md with one PNG chart per section.

Run through tests/bench/run.sh (which installs matplotlib, sets CONTAINERS_CONF and removes the
test hosts on exit). Sections: http, rsync, sync, provisioning, bandwidth, load.

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
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
BENCH = TOP / "tests" / "bench"
BUILD = TOP / "build" / "bench"
NET = "mirrorkit-bench"
IMAGE = "localhost/mirrorkit-debian:bookworm"
SECTIONS = ("http", "rsync", "sync", "provisioning", "bandwidth", "load", "overload")
# Run order: the short sections first, the provisioning runs before the long serving ones.
RUN_ORDER = ("bandwidth", "load", "overload", "provisioning", "http", "rsync", "sync")
UPSTREAM = "bench-upstream"
MIRROR = "bench-mirror.example.test"
STOCK = "bench-stock"
FLEET = ("bench-p1.example.test", "bench-p2.example.test", "bench-p3.example.test")
FRESH = "bench-fresh.example.test"  # the further fresh one-host converges (the first is MIRROR's)
SMOKE_HOST = "bench-smoke"
# Ports on this machine, all below the kernel's ephemeral range (32768-60999): a client connection
# left in TIME-WAIT on a port in that range can make `podman run -p` fail with "address in use".
PORT_HTTP = 29080      # published 127.0.0.1:29080 -> bench-mirror:80 (for people; not measured)
PORT_RSYNC = 29873     # published 127.0.0.1:29873 -> bench-mirror:873
PORT_SSH = 29022       # published 127.0.0.1:29022 -> bench-mirror:22
SMOKE_PORTS = {"mirror": 29180, "stock": 29181, "rsync": 29874}
SYNC_PROGRAM = "/usr/local/bin/gentoo-mirror-sync"  # the launcher the role installs
SYNC_MODULE = "/usr/local/lib/gentoo-mirror-sync/gentoo_mirror_sync.py"  # ... and the program it runs
# The bandwidth module's time budget (from the first byte): 8 s, so that the whole measurement,
# connection and warm-up included, fits the 10 s target.
BW_SECONDS = 8
# The slow-disk part of the HTTP section: the mirror host's block-device reads limited to an HDD's
# sequential rate, four downloads of large files that are not in the page cache, 256 MiB each.
SLOW_DISK_BPS = 100 * 10**6
COLD_FILES, COLD_MIB = 4, 256
COLD_URL_PATH = "/releases/bench-cold"  # below the mirror root /srv/gentoo
SLOW_SECONDS = 10  # wrk's run on the cached file; the cold downloads start 2 s before and end 2 s after

# Overload section: the mirror is provisioned for OVERLOAD_LIMIT clients and meets crowds of these
# multiples of it (30x 300 = 9,000 connections: wrk's 16,384 descriptors in a test host hold them).
OVERLOAD_LIMIT = 300
OVERLOAD_MULTIPLES = (1, 3, 10, 30)
OVERLOAD_SECONDS = 8
# The kernel's count of connections its listen queue had no room for (the TcpExt line of /proc/net/netstat).
NETSTAT_OVERFLOWS = ("awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } "
                     "else for (i = 1; i <= NF; i++) if (k[i] == \"ListenOverflows\") print $i }' /proc/net/netstat")
# Connections the host's TCP accepted (PassiveOpens of the Tcp line of /proc/net/snmp): with keep-alive
# working, about one per client; when nginx closes its clients' connections, one per request or so.
SNMP_ACCEPTS = ("awk '/^Tcp:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } "
                "else for (i = 1; i <= NF; i++) if (k[i] == \"PassiveOpens\") print $i }' /proc/net/snmp")
# nginx's own word that it ran out of connection slots (error log, level alert).
SLOTS_EXHAUSTED = "worker_connections are not enough"

LOG = None  # file handle of the command log


def say(msg: str) -> None:
    print(msg, flush=True)
    if LOG:
        LOG.write(msg + "\n")
        LOG.flush()


class CommandFailed(RuntimeError):
    pass


def run(argv, *, check=True, timeout=None, env=None, input_text=None) -> subprocess.CompletedProcess:
    """Run argv on the machine, log it and its output, and return the finished process."""
    if LOG:
        LOG.write("$ " + " ".join(shlex.quote(a) for a in argv) + "\n")
        LOG.flush()
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


def block_device_of(path: str) -> str | None:
    """MAJ:MIN of the whole disk that holds path on this machine (None when it is no block device)."""
    source = run(["findmnt", "-n", "-o", "SOURCE", "-T", path], check=False).stdout.strip()
    source = re.sub(r"\[.*\]$", "", source)  # btrfs subvolumes: /dev/sda2[/@]
    if not source.startswith("/dev/"):
        return None
    parent = run(["lsblk", "-ndo", "PKNAME", source], check=False).stdout.strip()
    disk = "/dev/" + parent if parent else source
    dev = run(["lsblk", "-ndo", "MAJ:MIN", disk], check=False).stdout.strip()
    return dev or None


def read_limit_file(pid: int) -> tuple[str, str] | None:
    """(file, cgroup version) that limits block reads of the cgroup of process pid."""
    for line in Path("/proc/%d/cgroup" % pid).read_text().splitlines():
        dummy, controllers, path = line.split(":", 2)
        if "blkio" in controllers.split(","):
            return "/sys/fs/cgroup/blkio%s/blkio.throttle.read_bps_device" % path, "v1"
        if controllers == "" and Path("/sys/fs/cgroup%s/io.max" % path).exists():
            return "/sys/fs/cgroup%s/io.max" % path, "v2"
    return None


def mirrors_changed(recap) -> int:
    """Tasks a playbook run changed on the mirrors (the upstream's own tasks left out)."""
    return sum(v.get("changed", 0) for h, v in recap.items() if h != UPSTREAM)


def summary(values):
    """Median, min, max and count of a list of numbers (None when empty)."""
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values),
            "runs": values}


def ratio(a, b):
    if not a or not b or b["median"] == 0:
        return None
    return a["median"] / b["median"]


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


# ----------------------------------------------------------------------------------------
# the test hosts


class Bench:
    def __init__(self, args):
        self.args = args
        self.smoke = args.smoke
        self.sections = args.only or list(SECTIONS)
        self.out = Path(args.results_dir) if args.results_dir else BUILD / ("smoke" if self.smoke else "full")
        self.out.mkdir(parents=True, exist_ok=True)
        self.started: list[str] = []
        self.local_procs: list[subprocess.Popen] = []
        self.results: dict = {}
        self.notes: dict = {}
        if self.smoke:
            self.runs, self.wrk_seconds, self.conns = 1, 1, [10]
            self.http_runs = 1
            self.rsync_clients, self.nochange_runs, self.full_runs = 3, 2, 1
            self.rsync_batches = 1
            self.fresh_runs = 1
            self.rates, self.load_seconds, self.load_conns = [], 3, 20
            self.load_runs = 1
            self.overload_limit, self.overload_seconds, self.overload_runs = 4, 1, 1
        else:
            self.runs, self.wrk_seconds, self.conns = 3, 5, [30, 1000, 10000]
            self.http_runs = 5  # the HTTP points vary most from run to run
            self.rsync_clients, self.nochange_runs, self.full_runs = 30, 9, 2
            self.rsync_batches = 3
            self.fresh_runs = 3
            self.rates, self.load_seconds, self.load_conns = [2, 20, 80], 30, 1000
            self.load_runs = 3
            self.overload_limit, self.overload_seconds, self.overload_runs = OVERLOAD_LIMIT, OVERLOAD_SECONDS, 3

    # -- hosts -------------------------------------------------------------------------
    def start_host(self, name: str, *extra: str, network: str = NET) -> None:
        run(["podman", "rm", "-f", "-t", "5", name], check=False)
        run(["podman", "run", "-d", "--name", name, "--hostname", name, "--network", network,
             "--systemd=always", *extra, IMAGE, "/sbin/init"])
        self.started.append(name)

    def wait_booted(self, name: str) -> None:
        for dummy in range(90):
            state = run(["podman", "exec", name, "systemctl", "is-system-running"], check=False).stdout.strip()
            if state in ("running", "degraded"):
                return
            time.sleep(1)
        raise CommandFailed("%s did not finish booting" % name)

    def fresh_converge(self, names, log_name: str, remove: bool = True):
        """site.yml on hosts started fresh for this run (removed afterwards unless remove is false):
        (its wall time, the inventory of those hosts)."""
        for name in names:
            self.start_host(name)
        for name in names:
            self.wait_booted(name)
        inv = self.out / ("inventory-fresh-%d.yml" % len(names))
        self.write_inventory(inv, names)
        try:
            took, dummy = self.playbook(inv, "mirrorkit.gentoo.site", log_name=log_name)
        finally:
            if remove:
                self.remove_hosts(names)
        return took, inv

    def remove_hosts(self, names) -> None:
        run(["podman", "rm", "-f", "-t", "5", *names], check=False, timeout=300)
        self.started = [n for n in self.started if n not in names]

    def cleanup(self) -> None:
        for proc in self.local_procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.started and not self.args.keep:
            say("==> removing the bench hosts: %s" % " ".join(self.started))
            self.remove_hosts(list(self.started))
            if not self.smoke:
                run(["podman", "network", "rm", NET], check=False)

    def ansible_env(self) -> dict:
        env = dict(os.environ)
        env.setdefault("ANSIBLE_COLLECTIONS_PATH", str(TOP / "build" / "collections"))
        env["ANSIBLE_FORCE_COLOR"] = "0"
        env["ANSIBLE_NOCOLOR"] = "1"
        env["ANSIBLE_HOST_KEY_CHECKING"] = "False"
        return env

    def write_inventory(self, path: Path, mirrors, ssh_key: Path | None = None) -> None:
        """An inventory of the upstream and the mirrors; with ssh_key, MIRROR is reached over SSH
        (127.0.0.1:PORT_SSH, pipelining on) instead of podman exec."""
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
            "      hosts:",
        ]
        for name in mirrors:
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
            "        gentoo_mirror_upstream: rsync://%s/gentoo/" % UPSTREAM,
            "        gentoo_mirror_initial_sync: wait",
            "        gentoo_mirror_min_disk_gib: 1",
            "        gentoo_mirror_https: false",
            "        gentoo_mirror_max_connections: 10000",
        ]
        path.write_text("\n".join(lines) + "\n")

    def playbook(self, inventory: Path, playbook: str, *extra: str, log_name: str, timeout=3600, env=None):
        """ansible-playbook on the machine: (seconds, recap {host: counters}, exit)."""
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
        reuse = self.args.reuse and run(["podman", "container", "exists", MIRROR], check=False).returncode == 0
        need_mirror = not reuse
        if reuse:
            say("==> re-using the bench hosts left by a --keep run")
            self.started = [n for n in (UPSTREAM, MIRROR, STOCK)
                            if run(["podman", "container", "exists", n], check=False).returncode == 0]
        else:
            say("==> starting the bench hosts on network %s" % NET)
            if run(["podman", "network", "exists", NET], check=False).returncode != 0:
                run(["podman", "network", "create", NET])
            self.start_host(UPSTREAM)
            self.start_host(MIRROR, "-p", "127.0.0.1:%d:80" % PORT_HTTP, "-p", "127.0.0.1:%d:873" % PORT_RSYNC,
                            "-p", "127.0.0.1:%d:22" % PORT_SSH)
        if ("http" in self.sections or "overload" in self.sections) and STOCK not in self.started:
            self.start_host(STOCK)
        for name in self.started:
            self.wait_booted(name)
        self.inv1 = self.out / "inventory-1.yml"
        self.write_inventory(self.inv1, [MIRROR])
        if not reuse:
            say("==> stand-in upstream: Gentoo-shaped tree (2000 distfiles, one 256 MiB stage file)")
            self.playbook(self.inv1, str(TOP / "molecule" / "shared" / "prepare_upstream.yml"),
                          "-e", "upstream_tree_big_mib=256", log_name="prepare-upstream.log")
        self.upstream = Host(UPSTREAM)
        if "sync" in self.sections or "load" in self.sections:
            say("==> stand-in upstream: a second tree of 100,000 distfiles (1-4 KiB), module tree100k")
            self.upstream.sh(
                "/usr/local/bin/make-gentoo-tree --root /srv/upstream/tree100k --files 100000 "
                "--max-kib 4 --big-mib 1 && grep -q '^\\[tree100k\\]' /etc/rsyncd.conf || "
                "printf '[tree100k]\\n    path = /srv/upstream/tree100k\\n    read only = yes\\n' "
                ">> /etc/rsyncd.conf", timeout=1800)
        if "bandwidth" in self.sections:
            self.upstream.sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl > /dev/null", timeout=600)
        if need_mirror:
            say("==> provisioning %s with mirrorkit.gentoo.site (fresh host, first sync included)" % MIRROR)
            took, recap = self.playbook(self.inv1, "mirrorkit.gentoo.site", log_name="site-1-fresh.log")
            self.fresh1 = (took, recap)
            say("    fresh converge: %.1f s" % took)
        self.mirror = Host(MIRROR, sync_user="gentoo-mirror")
        self.mirror_base = "http://127.0.0.1:80"  # the image has no /etc/services: wrk needs the port
        tools = []
        if "http" in self.sections or "load" in self.sections or "overload" in self.sections:
            tools += ["wrk", "iperf3"]
        if tools:
            self.mirror.sh("DEBIAN_FRONTEND=noninteractive apt-get install -y -q %s > /dev/null" % " ".join(tools),
                           timeout=600)
        if "http" in self.sections or "overload" in self.sections:
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
        self.notes["mirror_nginx"] = self.mirror.sh(
            "grep -nE '^\\s*(worker_processes|worker_rlimit_nofile|worker_connections|sendfile|aio|open_file_cache) ' "
            "/etc/nginx/nginx.conf", check=False)
        self.stock_base = "http://127.0.0.1:80"
        self.tree = "/srv/gentoo"
        self.sync_dir = "/srv/bench-sync"
        self.sync_upstream = "rsync://%s/tree100k/" % UPSTREAM
        self.rsync_url = "rsync://127.0.0.1/gentoo/"

    def setup_smoke(self) -> None:
        """Local servers on this machine's loopback, ports 29180-29874; one test host booted and removed."""
        base = self.out / "work"
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        say("==> smoke: one test host boots and is removed (podman path of the harness)")
        self.start_host(SMOKE_HOST, network="podman")
        self.wait_booted(SMOKE_HOST)
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
        self.program_module = str(TOP / "roles" / "gentoo_mirror_sync" / "files" / "gentoo_mirror_sync.py")
        self.program = "python3 -I " + self.program_module
        self.inv1 = self.out / "inventory-1.yml"
        self.write_inventory(self.inv1, [MIRROR])

    # -- section 1: HTTP ---------------------------------------------------------------
    def wrk(self, host: Host, url: str, conns: int, seconds: int, threads: int = 2) -> dict:
        threads = max(1, min(threads, conns))
        timeout = "10s"
        out = host.sh("ulimit -n 16384 2>/dev/null || ulimit -n $(ulimit -Hn); "
                      "wrk -t%d -c%d -d%ds --timeout %s --latency -s /tmp/bench-report.lua %s"
                      % (threads, conns, seconds, timeout, shlex.quote(url)), timeout=seconds + 120)
        return parse_wrk(out)

    def put_lua(self, host: Host) -> None:
        text = (BENCH / "report.lua").read_text()
        if host.name:
            run(["podman", "exec", "-i", host.name, "bash", "-c", "cat > /tmp/bench-report.lua"], input_text=text)
        else:
            Path("/tmp/bench-report.lua").write_text(text)

    def section_http(self) -> None:
        say("==> section http: wrk against the provisioned nginx and against stock nginx")
        if self.smoke:
            targets = [("mirrorkit", self.mirror, self.mirror_base), ("stock", self.stock, self.stock_base)]
        else:
            targets = [("mirrorkit", self.mirror, "http://127.0.0.1:80"), ("stock", self.stock, "http://127.0.0.1:80")]
        for dummy, host, dummy in targets:
            self.put_lua(host)
        small = self.mirror.sh("find %s/distfiles -type f -size 65536c -name '*.tar.*' | sort | head -1" % self.tree).strip()
        big = self.mirror.sh("find %s/releases -type f -name 'stage3-*.tar.xz' -printf '%%s %%p\\n' | sort -n | tail -1"
                             % self.tree).strip()
        if not small or not big:
            raise CommandFailed("could not find the 64 KiB and the large file in %s" % self.tree)
        big_size, big_path = big.split(" ", 1)
        resources = [
            ("listing /distfiles/", "/distfiles/"),
            ("64 KiB file", small[len(self.tree):]),
            ("%d MiB file" % (int(big_size) // 2**20), big_path[len(self.tree):]),
        ]
        for dummy, host, base in targets:   # same bytes on both sides, or the comparison is void
            for dummy, path in resources:
                host.sh("curl -sSf -o /dev/null %s%s 2>/dev/null || python3 -c \"import urllib.request,sys; "
                        "urllib.request.urlopen(sys.argv[1]).read()\" %s%s" % (base, path, base, path))
        rows = []
        for conns in self.conns:
            for res_label, path in resources:
                samples = {label: [] for label, dummy, dummy in targets}
                for i in range(self.http_runs):
                    order = targets if i % 2 == 0 else list(reversed(targets))
                    for label, host, base in order:
                        samples[label].append(self.wrk(host, base + path, conns, self.wrk_seconds))
                row = {"resource": res_label, "path": path, "connections": conns}
                for label in samples:
                    runs = samples[label]
                    row[label] = {k: summary([r[k] for r in runs]) for k in ("rps", "mbps", "p50_ms", "p99_ms", "errors")}
                    row[label]["errors_total"] = sum(r["errors"] for r in runs)
                    row[label]["errors_detail"] = [r["errors_detail"] for r in runs]
                say("    %-22s c=%-5d mirrorkit %8.0f req/s %8.1f MB/s err %d | stock %8.0f req/s %8.1f MB/s err %d" % (
                    res_label, conns, row["mirrorkit"]["rps"]["median"], row["mirrorkit"]["mbps"]["median"],
                    row["mirrorkit"]["errors_total"], row["stock"]["rps"]["median"], row["stock"]["mbps"]["median"],
                    row["stock"]["errors_total"]))
                rows.append(row)
        ceiling = []
        for i in range(self.runs):
            host = self.mirror
            port = 29201 if self.smoke else 5201
            out = host.sh("iperf3 -s -1 -D -p %d -B 127.0.0.1 && sleep 0.5 && iperf3 -c 127.0.0.1 -p %d -t %d -J"
                          % (port, port, self.wrk_seconds), timeout=120)
            data = json.loads(out)
            ceiling.append(data["end"]["sum_received"]["bits_per_second"] / 8 / 1e6)
        say("    loopback ceiling (iperf3, one stream): %.0f MB/s" % summary(ceiling)["median"])
        self.results["http"] = {"rows": rows, "ceiling_mbps": summary(ceiling), "runs": self.http_runs,
                                "seconds": self.wrk_seconds, "where": self.mirror.label,
                                "stock_where": self.stock.label,
                                "slow_disk": self.slow_disk(targets, resources[1][1])}

    @staticmethod
    def read_limit_of(host: Host) -> tuple[str, str] | None:
        """read_limit_file() of a test host's init process."""
        return read_limit_file(int(run(["podman", "inspect", "-f", "{{.State.Pid}}", host.name]).stdout.strip()))

    def read_limit(self, host: Host, dev: str, bps: int | None) -> None:
        """Limit a test host's reads from block device dev (MAJ:MIN) to bps bytes/s (None lifts it)."""
        where, version = self.read_limit_of(host)
        if version == "v1":
            line = "%s %d" % (dev, bps or 0)
        else:
            line = "%s rbps=%s" % (dev, bps or "max")
        if LOG:
            LOG.write("$ echo %s > %s\n" % (line, where))
        Path(where).write_text(line + "\n")

    def slow_disk_run(self, host: Host, base: str, small: str, cold_dir: str) -> dict:
        """Hot requests for the 64 KiB file while COLD_FILES downloads read the cold files in cold_dir."""
        script = (
            "ulimit -n 16384; "
            # Drop the cold files from the page cache every second, so that each byte of them is read
            # from the disk (the hot file stays cached).
            "( while :; do for f in %(dir)s/*.bin; do dd if=$f iflag=nocache count=0 status=none; done; "
            "sleep 1; done ) & ev=$!; pids=; "
            "for i in $(seq 1 %(n)d); do wrk -t1 -c1 -d%(cold_s)ds --timeout 30s -s /tmp/bench-report.lua "
            "%(base)s%(cold)s/cold$i.bin > /tmp/bench-cold$i.out 2>&1 & pids=\"$pids $!\"; done; "
            "sleep 2; wrk -t2 -c30 -d%(s)ds --timeout 10s --latency -s /tmp/bench-report.lua %(base)s%(small)s; "
            "wait $pids; kill $ev; "
            "for i in $(seq 1 %(n)d); do sed -n 's/^BENCH_JSON /BENCH_COLD /p' /tmp/bench-cold$i.out; done"
            % {"dir": cold_dir, "n": COLD_FILES, "cold_s": SLOW_SECONDS + 4, "s": SLOW_SECONDS,
               "base": base, "cold": COLD_URL_PATH, "small": small})
        out = host.sh(script, timeout=SLOW_SECONDS + 120)
        hot = parse_wrk(out)
        cold = [parse_wrk(line, "BENCH_COLD") for line in out.splitlines() if line.startswith("BENCH_COLD ")]
        if len(cold) != COLD_FILES:
            raise CommandFailed("%d of %d cold downloads reported: %s" % (len(cold), COLD_FILES, out[-1000:]))
        hot["cold_mbps"] = sum(c["mbps"] for c in cold)
        hot["cold_errors"] = sum(c["errors"] for c in cold)
        return hot

    def slow_disk(self, targets, small: str) -> dict:
        """The same hot file while large downloads read from a slow disk: role defaults, the role with
        gentoo_mirror_nginx_aio_threads, and stock nginx."""
        if self.smoke:
            return {"skipped": "the smoke run's servers run on this machine, whose disk the bench does not slow"}
        dev = block_device_of(run(["podman", "info", "-f", "{{.Store.GraphRoot}}"]).stdout.strip())
        if dev is None or any(self.read_limit_of(h) is None for dummy, h, dummy in targets):
            return {"skipped": "podman's storage is on no block device whose reads a cgroup can limit here"}
        cold_dir = self.tree + COLD_URL_PATH
        say("==> slow disk: reads limited to %d MB/s, %d cold %d MiB downloads beside the 64 KiB file"
            % (SLOW_DISK_BPS // 10**6, COLD_FILES, COLD_MIB))
        for dummy, host, dummy in targets:
            host.sh("mkdir -p %s && for i in $(seq 1 %d); do head -c %dM /dev/urandom > %s/cold$i.bin; done && "
                    "chmod -R a+rX %s" % (cold_dir, COLD_FILES, COLD_MIB, cold_dir, cold_dir), timeout=600)
        samples = {"mirrorkit": [], "mirrorkit_threads": [], "stock": []}
        try:
            for dummy, host, dummy in targets:
                self.read_limit(host, dev, SLOW_DISK_BPS)
            for i in range(self.runs):
                order = targets if i % 2 == 0 else list(reversed(targets))
                for label, host, base in order:
                    samples[label].append(self.slow_disk_run(host, base, small, cold_dir))
            # The role itself switches threads on (and back to its defaults afterwards).
            self.playbook(self.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", "-e",
                          '{"gentoo_mirror_nginx_aio_threads": true}', log_name="site-aio-threads.log")
            if "aio threads;" not in self.mirror.sh("nginx -T 2>/dev/null"):
                raise CommandFailed("gentoo_mirror_nginx_aio_threads=true left nginx without aio threads")
            for i in range(self.runs):
                samples["mirrorkit_threads"].append(self.slow_disk_run(*targets[0][1:], small, cold_dir))
        finally:
            for dummy, host, dummy in targets:
                self.read_limit(host, dev, None)
                host.sh("rm -rf %s" % cold_dir, check=False)
            self.playbook(self.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", log_name="site-aio-default.log")
        result = {"bps": SLOW_DISK_BPS, "files": COLD_FILES, "mib": COLD_MIB, "seconds": SLOW_SECONDS,
                  "runs": self.runs}
        for label, runs in samples.items():
            result[label] = {k: summary([r[k] for r in runs]) for k in ("rps", "p50_ms", "p99_ms", "cold_mbps")}
            result[label]["errors_total"] = sum(r["errors"] + r["cold_errors"] for r in runs)
            say("    %-18s hot %8.0f req/s p99 %7.1f ms | cold %6.1f MB/s" % (
                label, result[label]["rps"]["median"], result[label]["p99_ms"]["median"] or 0,
                result[label]["cold_mbps"]["median"]))
        return result

    # -- section 2: rsync --------------------------------------------------------------
    def section_rsync(self) -> None:
        say("==> section rsync: %d concurrent pulls of a directory against one pull alone" % self.rsync_clients)
        host = self.mirror
        src = "%s/experimental/bench-1gib" % self.tree
        if host.name:
            host.sh("mkdir -p %s && cd %s && for i in $(seq -w 1 16); do [ -s f$i.bin ] || "
                    "head -c 64M /dev/urandom > f$i.bin; done && chown -R gentoo-mirror: %s && chmod -R a+rX %s"
                    % (src, src, src, src), timeout=600)
        size = int(host.sh("find %s -type f -printf '%%s\\n' | awk '{s += $1} END {print s + 0}'" % src).split()[0])
        url = self.rsync_url + "experimental/bench-1gib/"

        def pull(n: int) -> dict:
            script = (
                "base=/tmp/bench-rsync; rm -rf $base; mkdir -p $base; start=$(date +%%s%%N); "
                "for i in $(seq 1 %d); do ( mkdir -p $base/$i && ln -s /dev/null $base/$i/batch && "
                "s=$(date +%%s%%N); timeout 1500 rsync -a --stats --only-write-batch=$base/$i/batch %s $base/$i/dst/ "
                "> $base/$i/log 2>&1; rc=$?; e=$(date +%%s%%N); "
                "echo \"CLIENT $i $rc $(( (e - s) / 1000 )) $(sed -n 's/^Total bytes received: //p' $base/$i/log | tr -d ',.')\" ) & "
                "done; wait; end=$(date +%%s%%N); cat $base/*/log | grep -i error | head -5; "
                "for i in $(seq 1 %d); do :; done; echo \"TOTAL $(( (end - start) / 1000 ))\"" % (n, shlex.quote(url), n))
            # The per-client lines are printed by the subshells; collect them from stdout.
            out = host.sh(script, timeout=1800)
            clients = [l.split() for l in out.splitlines() if l.startswith("CLIENT ")]
            total_us = int(re.search(r"TOTAL (\d+)", out).group(1))
            failed = sum(1 for c in clients if c[2] != "0")
            received = sum(int(c[4]) for c in clients if len(c) > 4 and c[4].isdigit())
            times = [int(c[3]) / 1e6 for c in clients]
            if len(clients) != n:
                raise CommandFailed("expected %d rsync clients, got %d: %s" % (n, len(clients), out[-800:]))
            return {"wall": total_us / 1e6, "slowest": max(times), "fastest": min(times), "failed": failed,
                    "aggregate_mbps": received / (total_us / 1e6) / 1e6, "received": received}

        # A batch of 30 pulls of 1 GiB moves 30 GiB through rsync: one batch, several lone pulls.
        alone, many = [], []
        for i in range(self.runs):
            alone.append(pull(1))
            if i < self.rsync_batches:
                many.append(pull(self.rsync_clients))
        self.results["rsync"] = {
            "size": size, "clients": self.rsync_clients, "runs": self.runs, "batches": len(many),
            "where": host.label,
            "alone": {k: summary([r[k] for r in alone]) for k in ("wall", "aggregate_mbps")},
            "many": {k: summary([r[k] for r in many]) for k in ("wall", "slowest", "fastest", "aggregate_mbps")},
            "failed": sum(r["failed"] for r in many) + sum(r["failed"] for r in alone),
            "complete": all(r["received"] >= size * n for r, n in
                            [(a, 1) for a in alone] + [(m, self.rsync_clients) for m in many]),
        }
        r = self.results["rsync"]
        say("    one client %.1f MB/s in %.1f s; %d clients %.1f MB/s together, slowest %.1f s; failures %d" % (
            r["alone"]["aggregate_mbps"]["median"], r["alone"]["wall"]["median"], self.rsync_clients,
            r["many"]["aggregate_mbps"]["median"], r["many"]["slowest"]["median"], r["failed"]))

    # -- section 3: sync ---------------------------------------------------------------
    def sync_setup(self, host: Host, name: str) -> tuple[str, str]:
        """A configuration of the sync program for target directory <sync_dir>/<name>; returns
        (program command, bare rsync command with the very flags the program uses)."""
        program = getattr(self, "program", SYNC_PROGRAM)
        module = getattr(self, "program_module", SYNC_MODULE)
        root = "%s/%s" % (self.sync_dir, name)
        state = "%s/state-%s" % (self.sync_dir, name)
        cfg = {"upstream": self.sync_upstream, "root": root, "state_dir": state, "retries": 0}
        conf = "%s/%s.conf" % (self.sync_dir, name)
        owner = ("chown -R %s: %s && " % (host.sync_user, self.sync_dir)) if host.sync_user else ""
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

    def section_sync(self) -> None:
        say("==> section sync: the sync program against bare rsync with the same flags")
        host = self.mirror
        host.sh("rm -rf %s" % self.sync_dir, timeout=900)
        prog_cmd, dummy = self.sync_setup(host, "program")
        dummy, bare_cmd = self.sync_setup(host, "bare")
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
                status = json.loads(host.sh("cat %s/state-program/status.json" % self.sync_dir))
                if status.get("result") != "success":
                    raise CommandFailed("the sync program did not succeed: %s" % status)
                if phase == "nochange" and status.get("changes_applied"):
                    raise CommandFailed("a no-change run applied changes: %s" % status)

        for i in range(self.full_runs):
            if i:
                host.sh("find %s/program %s/bare -mindepth 1 -delete" % (self.sync_dir, self.sync_dir), timeout=900)
            for kind in (("bare", "program") if i % 2 == 0 else ("program", "bare")):
                one(kind, "full")
        for i in range(self.nochange_runs):
            for kind in (("bare", "program") if i % 2 == 0 else ("program", "bare")):
                one(kind, "nochange")
        tree_files = int(host.sh("find %s/bare -type f | wc -l" % self.sync_dir).strip())
        self.results["sync"] = {
            "where": host.label, "upstream": self.sync_upstream, "files": tree_files,
            "transferred_files": stats.get("files"), "bytes": stats.get("bytes"),
            "bare_command": bare_cmd, "program_command": prog_cmd,
            "runs": {k: {p: summary(v) for p, v in d.items()} for k, d in samples.items()},
        }
        r = self.results["sync"]["runs"]
        say("    full: program %.1f s, bare %.1f s; no change: program %.2f s, bare %.2f s" % (
            r["program"]["full"]["median"], r["bare"]["full"]["median"],
            r["program"]["nochange"]["median"], r["bare"]["nochange"]["median"]))

    # -- section 4: provisioning -------------------------------------------------------
    def section_provisioning(self) -> None:
        say("==> section provisioning: site.yml fresh and again, 1 host and 3 hosts")
        if self.smoke:
            # No test host can be provisioned in seconds; the harness still drives the
            # installed playbook and reads the recap on a syntax check and a task listing.
            took, dummy = self.playbook(self.inv1, "mirrorkit.gentoo.site", "--list-tasks", log_name="site-list.log")
            tiny = self.out / "recap-playbook.yml"
            tiny.write_text("- name: One task, to read its recap\n  hosts: localhost\n  gather_facts: false\n"
                            "  tasks:\n    - name: Say hello\n      ansible.builtin.debug:\n        msg: hello\n")
            took2, recap = self.playbook(self.inv1, str(tiny), "-c", "local", log_name="recap.log")
            if sum(v.get("ok", 0) for v in recap.values()) < 1:
                raise CommandFailed("could not read the PLAY RECAP of a playbook run")
            self.results["provisioning"] = {"smoke": True, "list_seconds": took, "recap_seconds": took2,
                                            "one": {"fresh": summary([took]), "again": summary([took2]), "changed": [0]}}
            return
        result = {}
        again = []
        changed = []
        for dummy in range(self.runs):
            took, recap = self.playbook(self.inv1, "mirrorkit.gentoo.site", log_name="site-1-again.log")
            again.append(took)
            changed.append(mirrors_changed(recap))
        if not hasattr(self, "fresh1"):
            raise CommandFailed("no fresh provisioning figure in a --reuse run; run without --reuse")
        # Further fresh converges, each on a host of its own (the first one was MIRROR's).
        fresh1 = [self.fresh1[0]]
        for i in range(1, self.fresh_runs):
            fresh1.append(self.fresh_converge([FRESH], "site-1-fresh-%d.log" % (i + 1))[0])
        result["one"] = {"fresh": summary(fresh1), "again": summary(again), "changed": changed}
        say("    1 host: fresh %.1f s, no-change %.1f s, changed %s" % (
            summary(fresh1)["median"], summary(again)["median"], changed))
        # The same no-change run the way an admin runs it: over SSH, with pipelining (one
        # connection per task instead of podman's three execs). Every run starts a new SSH
        # master connection (a control path directory of its own), as a first run of the day would.
        inv_ssh = self.out / "inventory-1-ssh.yml"
        self.write_inventory(inv_ssh, [MIRROR], ssh_key=self.setup_ssh(self.mirror))
        again_ssh, changed_ssh = [], []
        for i in range(self.runs):
            control = self.out / "ssh" / ("cp-%d" % i)
            control.mkdir(parents=True, exist_ok=True)
            took, recap = self.playbook(inv_ssh, "mirrorkit.gentoo.site", log_name="site-1-again-ssh.log",
                                        env={"ANSIBLE_SSH_CONTROL_PATH_DIR": str(control)})
            again_ssh.append(took)
            changed_ssh.append(mirrors_changed(recap))
        result["one"].update(again_ssh=summary(again_ssh), changed_ssh=changed_ssh)
        result["ssh_port"] = PORT_SSH
        say("    1 host over SSH: no-change %.1f s, changed %s" % (summary(again_ssh)["median"], changed_ssh))
        took, inv3 = self.fresh_converge(FLEET, "site-3-fresh.log", remove=False)
        fresh3 = [took]
        again3, changed3 = [], []
        for dummy in range(max(2, self.runs - 1)):
            took, recap = self.playbook(inv3, "mirrorkit.gentoo.site", log_name="site-3-again.log")
            again3.append(took)
            changed3.append(mirrors_changed(recap))
        self.remove_hosts(FLEET)
        for i in range(1, self.fresh_runs):
            fresh3.append(self.fresh_converge(FLEET, "site-3-fresh-%d.log" % (i + 1))[0])
        result["three"] = {"fresh": summary(fresh3), "again": summary(again3), "changed": changed3}
        say("    3 hosts: fresh %.1f s, no-change %.1f s, changed %s" % (
            summary(fresh3)["median"], summary(again3)["median"], changed3))
        self.results["provisioning"] = result

    # -- section 5: bandwidth module ---------------------------------------------------
    def bandwidth_once(self, url: str, max_seconds: int) -> dict:
        env = self.ansible_env()
        env["ANSIBLE_LOAD_CALLBACK_PLUGINS"] = "1"
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.json"
        params = json.dumps({"url": url, "max_seconds": max_seconds, "min_mbit": 0.1, "recommended_mbit": 0.2})
        if self.smoke:
            argv = ["ansible", "localhost", "-c", "local", "-e", "ansible_python_interpreter=%s" % sys.executable,
                    "-m", "mirrorkit.gentoo.bandwidth", "-a", params]
        else:
            argv = ["ansible", UPSTREAM, "-i", str(self.inv1), "-m", "mirrorkit.gentoo.bandwidth", "-a", params]
        start = time.monotonic()
        proc = run(argv, check=False, env=env, timeout=120)
        wall = time.monotonic() - start
        data = json.loads(proc.stdout[proc.stdout.index("{"):])
        res = list(data["plays"][0]["tasks"][0]["hosts"].values())[0]
        if "measured_mbit" not in res:
            raise CommandFailed("bandwidth module gave no figure: %s" % json.dumps(res)[:1500])
        return {"mbit": res["measured_mbit"], "elapsed": res.get("elapsed_seconds"), "wall": wall,
                "window": res.get("window_seconds")}

    def curl_once(self, host: Host, url: str, max_seconds: int) -> dict:
        out = host.sh("curl -s -o /dev/null --max-time %d -w '%%{speed_download} %%{time_total}' %s; true"
                      % (max_seconds, shlex.quote(url)), timeout=max_seconds + 30)
        speed, total = out.split()[:2]
        return {"mbit": float(speed) * 8 / 1e6, "wall": float(total)}

    def section_bandwidth(self) -> None:
        say("==> section bandwidth: mirrorkit.gentoo.bandwidth over tc-shaped links")
        # The largest stage file (256 MiB): a download that outlasts max_seconds at every rate.
        big = self.mirror.sh("find %s/releases -type f -name 'stage3-*.tar.xz' -printf '%%s %%p\\n' | sort -n | tail -1"
                             % self.tree).strip().split(" ", 1)[1]
        if self.smoke:
            url = self.mirror_base + big[len(self.tree):]
            m = self.bandwidth_once(url, 2)
            c = self.curl_once(Host(None), url, 2)
            self.results["bandwidth"] = {"smoke": True, "rows": [{"rate": None, "module": {
                "mbit": summary([m["mbit"]]), "elapsed": summary([m["elapsed"]]), "wall": summary([m["wall"]])},
                "curl": {"mbit": summary([c["mbit"]])}}]}
            return
        url = "http://%s%s" % (MIRROR, big[len(self.tree):])
        pid = run(["podman", "inspect", "-f", "{{.State.Pid}}", MIRROR]).stdout.strip()
        rows = []
        try:
            for rate in self.rates:
                burst = max(rate * 2, 16)
                run(["nsenter", "-t", pid, "-n", "tc", "qdisc", "replace", "dev", "eth0", "root", "tbf",
                     "rate", "%dmbit" % rate, "burst", "%dkb" % burst, "latency", "400ms"])
                mod, curl = [], []
                for dummy in range(self.runs):
                    mod.append(self.bandwidth_once(url, BW_SECONDS))
                    curl.append(self.curl_once(self.upstream, url, BW_SECONDS))
                row = {"rate": rate, "burst_kb": burst,
                       "module": {k: summary([m[k] for m in mod]) for k in ("mbit", "elapsed", "wall", "window")},
                       "curl": {k: summary([c[k] for c in curl]) for k in ("mbit", "wall")}}
                rows.append(row)
                say("    %3d Mbit/s: module %.2f Mbit/s (ratio %.3f) in %.1f s; curl %.2f Mbit/s" % (
                    rate, row["module"]["mbit"]["median"], row["module"]["mbit"]["median"] / rate,
                    row["module"]["elapsed"]["median"], row["curl"]["mbit"]["median"]))
        finally:
            run(["nsenter", "-t", pid, "-n", "tc", "qdisc", "del", "dev", "eth0", "root"], check=False)
        self.results["bandwidth"] = {"rows": rows, "url": url, "runs": self.runs, "client": UPSTREAM,
                                     "max_seconds": BW_SECONDS}

    # -- load during a sync ------------------------------------------------------------
    def section_load(self) -> None:
        say("==> section load: %d HTTP clients for %d s, without and with a sync running"
            % (self.load_conns, self.load_seconds))
        host = self.mirror
        self.put_lua(host)
        small = host.sh("find %s/distfiles -type f -size 65536c -name '*.tar.*' | sort | head -1" % self.tree).strip()
        url = self.mirror_base + small[len(self.tree):]
        host.sh("rm -rf %s/load-* %s/state-load-*" % (self.sync_dir, self.sync_dir), timeout=900)
        commands = [host.as_sync_user(self.sync_setup(host, "load-%d" % i)[0]) for i in (0, 1)]
        # Full syncs back to back for as long as wrk runs, so that a sync is running during the
        # whole window: each into an empty directory, alternating between two, the other one
        # emptied in the background meanwhile (as the sync user: its files).
        stop = "/tmp/bench-load-stop"
        loop = ("rm -f %(stop)s; i=0; while [ ! -e %(stop)s ]; do t=$((i %% 2)); o=$((1 - t)); wait; "
                "%(clean)s & s=$(date +%%s%%N); if [ $t = 0 ]; then %(c0)s; else %(c1)s; fi "
                "> /tmp/bench-load-sync.log 2>&1; rc=$?; e=$(date +%%s%%N); echo \"SYNC $rc $s $e\"; "
                "i=$((i + 1)); done; wait"
                % {"stop": stop, "c0": commands[0], "c1": commands[1],
                   "clean": host.as_sync_user("find %s/load-$o -mindepth 1 -delete" % self.sync_dir)})
        alone, loaded, syncs, overlaps = [], [], [], []
        for dummy in range(self.load_runs):
            alone.append(self.wrk(host, url, self.load_conns, self.load_seconds))
            proc = host.popen(loop)
            time.sleep(1)
            w_start = float(host.sh("date +%s.%N"))
            loaded.append(self.wrk(host, url, self.load_conns, self.load_seconds))
            w_end = float(host.sh("date +%s.%N"))
            host.sh("touch %s" % stop)
            out, dummy = proc.communicate(timeout=3600)
            runs = [(int(rc), int(s) / 1e9, int(e) / 1e9) for rc, s, e in re.findall(r"SYNC (\d+) (\d+) (\d+)", out)]
            if not runs:
                raise CommandFailed("the syncs under load gave no result: %s" % out[-800:])
            syncs += runs
            overlaps.append({"overlap": sum(max(0.0, min(e, w_end) - max(s, w_start)) for dummy, s, e in runs),
                             "window": w_end - w_start})

        def combined(samples):
            keys = ("rps", "mbps", "p50_ms", "p99_ms")
            out = {k: statistics.median([x[k] for x in samples if x[k] is not None] or [0]) for k in keys}
            out.update(errors=sum(x["errors"] for x in samples), runs=[{k: x[k] for k in keys + ("errors",)} for x in samples])
            return out

        self.results["load"] = {
            "connections": self.load_conns, "seconds": self.load_seconds, "url": url, "where": host.label,
            "runs": self.load_runs, "without": combined(alone), "with": combined(loaded),
            "syncs": len(syncs), "sync_exits": sorted({rc for rc, dummy, dummy2 in syncs}),
            "sync_seconds": statistics.median([e - s for dummy, s, e in syncs]),
            "overlap_seconds": min(o["overlap"] for o in overlaps),
            "wrk_seconds": max(o["window"] for o in overlaps),
        }
        r = self.results["load"]
        figures = (r["without"]["rps"], r["without"]["errors"], r["with"]["rps"], r["with"]["errors"],
                   r["syncs"], r["sync_exits"], r["overlap_seconds"], r["wrk_seconds"])
        say("    without sync %.0f req/s, errors %d; with syncs %.0f req/s, errors %d; %d syncs (exits %s), "
            "least overlap %.0f s of %.0f s" % figures)
        if any(rc != 0 for rc, dummy, dummy2 in syncs):
            raise CommandFailed("a sync under load failed (exits %s)" % r["sync_exits"])

    # -- section 7: overload -----------------------------------------------------------
    def overload_run(self, host: Host, url: str, conns: int) -> dict:
        """wrk with conns clients for the section's time, with what the kernel and nginx said meanwhile:
        listen-queue overflows and nginx's 'worker_connections are not enough' alerts."""
        logs = "/var/log/nginx/error.log /var/log/nginx/gentoo-mirror.error.log" if host.name else "/dev/null"
        script = ("o=$(%(netstat)s); p=$(%(snmp)s); a=$(cat %(logs)s 2>/dev/null | grep -c %(alert)s); "
                  "ulimit -n 16384 2>/dev/null || ulimit -n $(ulimit -Hn); "
                  "wrk -t2 -c%(c)d -d%(s)ds --timeout 10s --latency -s /tmp/bench-report.lua %(url)s; "
                  "echo BENCH_KERNEL $(( $(%(netstat)s) - o )) $(( $(cat %(logs)s 2>/dev/null | grep -c %(alert)s) - a ))"
                  " $(( $(%(snmp)s) - p ))"
                  % {"netstat": NETSTAT_OVERFLOWS, "snmp": SNMP_ACCEPTS, "logs": logs, "alert": shlex.quote(SLOTS_EXHAUSTED),
                     "c": conns, "s": self.overload_seconds, "url": shlex.quote(url)})
        out = host.sh(script, timeout=self.overload_seconds + 180)
        result = parse_wrk(out)
        match = re.search(r"BENCH_KERNEL (-?\d+) (-?\d+) (-?\d+)", out)
        if not match:
            raise CommandFailed("no kernel counters after wrk: %s" % out[-500:])
        secs = result["requests"] / result["rps"] if result["rps"] else self.overload_seconds
        detail = result["errors_detail"]
        # wrk counts a response outside 2xx/3xx as a status error: here only nginx's 503 (limit_conn).
        result.update(served_rps=(result["requests"] - detail["status"]) / secs, refusals=detail["status"],
                      other_errors=detail["connect"] + detail["read"] + detail["write"] + detail["timeout"],
                      listen_overflows=int(match.group(1)), slots_exhausted=int(match.group(2)),
                      accepts_per_request=int(match.group(3)) / max(result["requests"], 1))
        return result

    def section_overload(self) -> None:
        limit = self.overload_limit
        multiples = OVERLOAD_MULTIPLES if not self.smoke else (1, 3)
        say("==> section overload: crowds of %s x %d clients on a 64 KiB distfile, the provisioned nginx "
            "(gentoo_mirror_max_connections: %d) against stock nginx"
            % ("/".join(str(m) for m in multiples), limit, limit))
        targets = [("mirrorkit", self.mirror, self.mirror_base), ("stock", self.stock, self.stock_base)]
        for dummy, host, dummy in targets:
            self.put_lua(host)
        small = self.mirror.sh("find %s/distfiles -type f -size 65536c -name '*.tar.*' | sort | head -1"
                               % self.tree).strip()
        path = small[len(self.tree):]
        settings = {}
        if not self.smoke:
            # The crowd comes from one address (127.0.0.1): the per-client limit would refuse it as
            # one client, so it is off here (the serving scenario tests it).
            overrides = {"gentoo_mirror_max_connections": limit, "gentoo_mirror_nginx_per_client_connections": 0}
            # The sizing before gentoo_mirror_nginx_crowd_factor: as many slots as clients served.
            self.playbook(self.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", "-e",
                          json.dumps(dict(overrides, gentoo_mirror_nginx_crowd_factor=1)),
                          log_name="site-overload-slots1.log")
            before = self.mirror.sh("nginx -T 2>/dev/null | grep -E '^\\s*worker_connections '")
            targets.append(("mirrorkit_slots1", self.mirror, self.mirror_base))
            settings["slots1"] = before.split()[-1].rstrip(";")
            settings["stock"] = self.stock.sh("nginx -T 2>/dev/null | grep -E '^\\s*worker_connections '").split()[-1].rstrip(";")
        samples = {label: {m: [] for m in multiples} for label, dummy, dummy in targets}
        try:
            # Slots of the pre-change sizing first, then the role's defaults for everything else.
            if not self.smoke:
                for m in multiples:
                    for dummy in range(self.overload_runs):
                        samples["mirrorkit_slots1"][m].append(
                            self.overload_run(self.mirror, self.mirror_base + path, limit * m))
                self.playbook(self.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", "-e", json.dumps(overrides),
                              log_name="site-overload.log")
                conf = self.mirror.sh("nginx -T 2>/dev/null")
                if "limit_conn gentoo_mirror_capacity %d;" % limit not in conf:
                    raise CommandFailed("the role did not limit nginx to %d clients" % limit)
                settings["mirrorkit"] = re.search(r"worker_connections (\d+);", conf).group(1)
            for m in multiples:
                for i in range(self.overload_runs):
                    order = targets[:2] if i % 2 == 0 else list(reversed(targets[:2]))
                    for label, host, base in order:
                        samples[label][m].append(self.overload_run(host, base + path, limit * m))
        finally:
            if not self.smoke:
                self.playbook(self.inv1, "mirrorkit.gentoo.site", "--tags", "nginx", log_name="site-overload-default.log")
        rows = []
        for m in multiples:
            row = {"multiple": m, "connections": limit * m}
            for label in samples:
                runs = samples[label][m]
                row[label] = {k: summary([r[k] for r in runs])
                              for k in ("rps", "served_rps", "p99_ms", "accepts_per_request")}
                for k in ("refusals", "other_errors", "listen_overflows", "slots_exhausted"):
                    row[label][k] = sum(r[k] for r in runs)
            rows.append(row)
            say("    %2dx (%5d clients): %s" % (m, limit * m, " | ".join(
                "%s %6.0f served/s p99 %6.0f ms refused %d errors %d overflows %d" % (
                    label, row[label]["served_rps"]["median"], row[label]["p99_ms"]["median"] or 0,
                    row[label]["refusals"], row[label]["other_errors"], row[label]["listen_overflows"])
                for label in samples)))
        self.results["overload"] = {"limit": limit, "seconds": self.overload_seconds, "runs": self.overload_runs,
                                    "path": path, "where": self.mirror.label, "rows": rows,
                                    "worker_connections": settings}


def parse_recap(text: str) -> dict:
    """PLAY RECAP lines of ansible-playbook: {host: {ok: n, changed: n, ...}} (last recap wins)."""
    recap = {}
    part = text.rsplit("PLAY RECAP", 1)[-1] if "PLAY RECAP" in text else ""
    for line in part.splitlines():
        match = re.match(r"^(\S+)\s*:\s*((?:\w+=\d+\s*)+)$", line.strip())
        if match:
            recap[match.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", match.group(2))}
    return recap


def main(argv=None) -> int:
    global LOG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny version of every section, seconds, no docs/ change")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable)")
    parser.add_argument("--keep", action="store_true", help="leave the test hosts running")
    parser.add_argument("--reuse", action="store_true",
                        help="use the bench hosts a --keep run left (no fresh provisioning figure)")
    parser.add_argument("--page-only", action="store_true", help="rewrite the page from the saved results")
    parser.add_argument("--results-dir", help="where results.json and the logs go (default build/bench/full)")
    args = parser.parse_args(argv)
    import report  # noqa: E402  (tests/bench/report.py, next to this file)

    bench = Bench(args)
    results_file = bench.out / "results.json"
    if args.page_only:
        report.write_page(json.loads(results_file.read_text()), smoke=args.smoke)
        return 0
    LOG = open(bench.out / "commands.log", "w", encoding="utf-8")
    meta = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_start": loadavg(), "kernel": platform.release(), "cpus": os.cpu_count(),
            "smoke": args.smoke, "sections": bench.sections}
    kind = "smoke" if args.smoke else "full"
    say("==> bench %s, sections: %s; load average %s" % (kind, " ".join(bench.sections), meta["load_start"]))
    stopping = {"flag": False}

    def on_signal(signum, _frame):
        stopping["flag"] = True
        raise KeyboardInterrupt("signal %d" % signum)

    signal.signal(signal.SIGTERM, on_signal)
    previous = {}
    if results_file.exists() and not args.smoke:
        try:
            previous = json.loads(results_file.read_text())
        except ValueError:
            previous = {}
    failures = []
    try:
        if args.smoke:
            bench.setup_smoke()
        else:
            bench.setup_full()
        for section in RUN_ORDER:
            if section not in bench.sections:
                continue
            start = time.monotonic()
            try:
                getattr(bench, "section_" + section)()
            except Exception as exc:  # noqa: BLE001  (one broken section must not lose the others)
                failures.append(section)
                say("!!! section %s failed: %s" % (section, exc))
                bench.results[section] = {"error": str(exc)[:2000]}
            else:
                bench.results[section]["took"] = time.monotonic() - start
                bench.results[section]["date"] = meta["date"]
                bench.results[section]["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M UTC")
                bench.results[section]["load"] = loadavg()
    finally:
        meta["load_end"] = loadavg()
        bench.cleanup()
    merged = previous if isinstance(previous, dict) else {}
    merged.setdefault("sections", {})
    merged["sections"].update(bench.results)
    merged["meta"] = meta
    merged["notes"] = {**merged.get("notes", {}), **bench.notes}
    results_file.write_text(json.dumps(merged, indent=1, sort_keys=True))
    page = report.write_page(merged, smoke=args.smoke)
    say("==> wrote %s (results: %s)" % (page, results_file))
    if failures:
        say("!!! failed sections: %s (log: %s)" % (" ".join(failures), bench.out / "commands.log"))
        return 1
    if args.smoke:
        missing = report.check_page(page, bench.sections)
        if missing:
            say("!!! smoke: the page lacks figures for: %s" % " ".join(missing))
            return 1
        say("==> smoke: every section measured and reported")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    sys.exit(main())
