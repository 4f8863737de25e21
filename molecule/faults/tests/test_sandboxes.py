# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mount sandboxes of nginx and rsyncd, proven on the running daemons, and their private logs.

The mirror of this scenario is a privileged test host, so systemd builds the mount sandbox
(ProtectSystem=, ReadWritePaths=, ...) as on a real server. Each write below is attempted the
way the daemon itself could: inside its mount namespace, as its user and groups, with no
capability beyond the ones its main process holds (read from /proc/PID/status).
"""

import shlex

import pytest

from conftest import MIRROR, ROOT, RSYNC_URL, STATE, http_get, main_pid, mirror, rsync_client, wait_until

testinfra_hosts = [MIRROR]

# capabilities(7), by number
CAPABILITY_NAMES = [
    "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid", "setpcap",
    "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
    "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
    "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write", "audit_control", "setfcap",
    "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read", "perfmon", "bpf",
    "checkpoint_restore",
]
NGINX_ACCESS_LOG = "/var/log/nginx/gentoo-mirror.access.log"
NGINX_ERROR_LOG = "/var/log/nginx/gentoo-mirror.error.log"
RSYNCD_LOG = "/var/log/rsyncd.log"
RSYNCD_LOCK = "/run/rsyncd-gentoo-mirror.lock"
RSYNCD_PID = "/run/rsyncd.pid"
PROBE = ".mirrorkit-sandbox-probe"


def as_daemon(unit):
    """A command prefix that runs what follows as the unit's main process could: in its mount
    namespace, with its user, group, supplementary groups and effective capabilities."""
    pid = main_pid(unit)
    assert pid not in ("", "0"), unit
    fields = dict(line.split(":", 1) for line in mirror("cat /proc/%s/status" % pid).stdout.splitlines())
    uid, gid = fields["Uid"].split()[1], fields["Gid"].split()[1]
    effective = int(fields["CapEff"].strip(), 16)
    caps = ",".join("+" + name for number, name in enumerate(CAPABILITY_NAMES) if effective >> number & 1)
    groups = fields["Groups"].split()
    return ("nsenter -t %s -m -S %s -G %s -- setpriv %s --bounding-set=-all%s -- "
            % (pid, uid, gid, "--groups=" + ",".join(groups) if groups else "--clear-groups",
               "," + caps if caps else ""))


def write_attempt(unit, path):
    """Try, as the unit's daemon could, to create a file in directory `path`, or to open the
    existing file `path` for appending (which changes nothing). Returns (written, error)."""
    if path.endswith("/"):
        script = 'echo probe > "$1/%s" && rm -f "$1/%s"' % (PROBE, PROBE)
    else:
        script = 'test -f "$1" && : >> "$1"'
    proc = mirror(as_daemon(unit) + "sh -c %s sh %s" % (shlex.quote(script), shlex.quote(path.rstrip("/"))),
                  check=False)
    return proc.returncode == 0, proc.stderr.strip()


# A trailing "/": a directory, where a new file is tried; otherwise an existing file, opened for appending.
NGINX_FORBIDDEN = [ROOT + "/", ROOT + "/distfiles/", ROOT + "/distfiles/layout.conf", "/etc/", "/etc/nginx/",
                   STATE + "/", STATE + "/status.json"]
NGINX_ALLOWED = ["/var/log/nginx/", NGINX_ACCESS_LOG, "/var/lib/nginx/", "/var/cache/nginx/", "/run/"]


@pytest.mark.parametrize("path", NGINX_FORBIDDEN)
def test_nginx_master_cannot_write_the_tree_etc_or_the_state(path):
    """nginx's master keeps CAP_DAC_OVERRIDE (it opens logs that belong to www-data); the
    read-only mounts of its sandbox hold against it."""
    written, error = write_attempt("nginx.service", path)
    assert not written, "nginx's master could write %s" % path
    assert "Read-only file system" in error, error


def test_nginx_master_writes_what_it_needs():
    """The same attempts succeed where nginx writes: the probe itself is sound."""
    results = {path: write_attempt("nginx.service", path) for path in NGINX_ALLOWED}
    assert all(written for written, dummy in results.values()), results


# Existing files here are root's own, so that only the sandbox, not their mode, stands in the way
# (rsyncd holds no CAP_DAC_OVERRIDE; the tree and the state belong to the sync user).
RSYNCD_FORBIDDEN = ["/run/", "/run/lock/", "/run/nginx.pid", "/var/log/", "/var/log/dpkg.log", "/var/log/nginx/",
                    "/etc/", ROOT + "/", STATE + "/"]
RSYNCD_OWN = [RSYNCD_PID, RSYNCD_LOCK, RSYNCD_LOG]


@pytest.mark.parametrize("path", RSYNCD_FORBIDDEN)
def test_rsyncd_cannot_write_but_its_own_files(path):
    written, error = write_attempt("rsync.service", path)
    assert not written, "rsyncd could write %s" % path
    assert "Read-only file system" in error, error


def test_rsyncd_writes_its_pid_lock_and_log_files():
    results = {path: write_attempt("rsync.service", path) for path in RSYNCD_OWN}
    assert all(written for written, dummy in results.values()), results
    # ... and still serves, logs and counts its clients through them
    assert rsync_client("--list-only", RSYNC_URL + "distfiles/layout.conf", timeout=30).returncode == 0
    assert mirror("cat %s" % RSYNCD_PID).stdout.strip() == main_pid("rsync.service")


def log_modes(*patterns):
    """{path: (octal mode, group)} of the files matching the glob patterns."""
    out = mirror("for f in %s; do [ ! -f \"$f\" ] || stat -c '%%n %%a %%G' \"$f\"; done" % " ".join(patterns)).stdout
    return {name: (mode, group) for name, mode, group in (line.split() for line in out.splitlines())}


def assert_private(modes):
    assert modes, "no log file found"
    for name, (mode, group) in modes.items():
        assert int(mode, 8) & 0o007 == 0, "%s is mode %s: readable by every user" % (name, mode)
        assert int(mode, 8) & 0o020 == 0 and group == "adm", (name, mode, group)


def test_client_logs_are_private_also_after_rotation():
    """The access logs hold client addresses: 0640 and group adm, as Debian keeps its own logs,
    when the mirror is provisioned and after logrotate made new ones."""
    logs = [NGINX_ACCESS_LOG, NGINX_ERROR_LOG, RSYNCD_LOG]
    assert log_modes(*logs) == {log: ("640", "adm") for log in logs}

    # a line in the current access log first, so that logrotate (notifempty) rotates it
    assert http_get("/distfiles/layout.conf?before-rotation")[0] == 200
    wait_until("nginx to flush its access log (buffer flush=5s)",
               lambda: "before-rotation" in mirror("cat %s" % NGINX_ACCESS_LOG).stdout, seconds=15)
    mirror("logrotate -f /etc/logrotate.d/nginx /etc/logrotate.d/gentoo-mirror-rsyncd")
    marker = "/distfiles/layout.conf?after-rotation"
    assert http_get(marker)[0] == 200
    assert rsync_client("--list-only", RSYNC_URL + "distfiles/layout.conf", timeout=30).returncode == 0
    # both daemons write into the new files (nginx flushes its access log buffer within 5 s)
    wait_until("nginx to log into its new access log",
               lambda: marker in mirror("cat %s" % NGINX_ACCESS_LOG).stdout, seconds=15)
    assert "layout.conf" in mirror("cat %s" % RSYNCD_LOG).stdout
    assert "before-rotation" in mirror("cat %s.1" % NGINX_ACCESS_LOG).stdout
    assert mirror("test -s %s.1" % RSYNCD_LOG, check=False).returncode == 0
    assert_private(log_modes(*(log + "*" for log in logs)))


CERTBOT_PROBE = "/run/mirrorkit-certbot-probe.sh"
CERTBOT_RUNTIME_DROPIN = "/run/systemd/system/certbot.service.d/zz-mirrorkit-probe.conf"
CERTBOT_ALLOWED = ["/etc/letsencrypt/", "/var/lib/letsencrypt/", "/var/log/letsencrypt/",
                   "/var/www/gentoo-mirror-acme/.well-known/acme-challenge/"]
CERTBOT_FORBIDDEN = ["/etc/", "/etc/nginx/", "/etc/systemd/system/", "/usr/local/sbin/", ROOT + "/", STATE + "/",
                     "/run/", "/var/log/", "/var/log/nginx/", "/var/lib/nginx/"]


def test_certbot_service_writes_only_its_own_directories():
    """certbot.service, started as certbot.timer starts it, but with a probe in place of its
    `certbot -q renew` (a runtime drop-in): in its sandbox it can create files where a renewal
    writes, and nowhere else."""
    lines = ['for dir in "$@"; do',
             '  if err=$({ echo probe > "$dir/%s"; } 2>&1); then rm -f "$dir/%s"; echo "WRITABLE $dir";' % (PROBE, PROBE),
             '  else echo "REFUSED $dir $err"; fi',
             'done']
    args = " ".join(path.rstrip("/") for path in CERTBOT_ALLOWED + CERTBOT_FORBIDDEN)
    mirror("mkdir -p %s && printf '%%s\\n' %s > %s && printf '[Service]\\nExecStart=\\nExecStart=/bin/sh %s %s\\n' > %s "
           "&& systemctl daemon-reload" % (shlex.quote(CERTBOT_RUNTIME_DROPIN.rsplit("/", 1)[0]),
                                           " ".join(shlex.quote(line) for line in lines), CERTBOT_PROBE,
                                           CERTBOT_PROBE, args, CERTBOT_RUNTIME_DROPIN))
    try:
        mirror("systemctl start certbot.service", timeout=60)
        out = mirror("journalctl --sync; journalctl --no-pager -o cat -u certbot.service _SYSTEMD_INVOCATION_ID="
                     "$(systemctl show -p InvocationID --value certbot.service)").stdout
    finally:
        mirror("rm -f %s %s; systemctl daemon-reload" % (CERTBOT_RUNTIME_DROPIN, CERTBOT_PROBE))
    results = {line.split(" ")[1]: line for line in out.splitlines() if line.startswith(("WRITABLE ", "REFUSED "))}
    for path in CERTBOT_ALLOWED:
        assert results[path.rstrip("/")].startswith("WRITABLE"), results
    for path in CERTBOT_FORBIDDEN:
        result = results[path.rstrip("/")]
        assert result.startswith("REFUSED") and "Read-only file system" in result, results
