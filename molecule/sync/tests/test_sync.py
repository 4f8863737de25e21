# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sync engine on real hosts: sync-mirror synced from sync-upstream (rsyncd, module gentoo).

Tests run in file order: first what converge (initial sync `wait`) produced, then further
syncs, the sandbox, the lock, the guards and finally exclude_historical (which changes the
mirror's configuration).
"""

import datetime
import json
import os
import re
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared"))
from hostexec import SECRET, checksums, last_sync_journal, sh  # noqa: E402 pylint: disable=wrong-import-position

# The hosts are reached with podman exec (much faster than one Ansible module per check).
testinfra_hosts = ["sync-mirror"]

MIRROR = "sync-mirror"
UPSTREAM = "sync-upstream"
UP_ROOT = "/srv/upstream/gentoo"
ROOT = "/srv/gentoo"
STATE = "/var/lib/gentoo-mirror"
LOCK = STATE + "/sync.lock"
USER = "gentoo-mirror"
IST = datetime.timezone(datetime.timedelta(hours=5, minutes=30))


def mirror(script, **kw):
    return sh(MIRROR, script, **kw)


def upstream(script, **kw):
    return sh(UPSTREAM, script, **kw)


def hardlink_groups(container, root):
    out = sh(container, "cd %s && find . -type f -links +1 -printf '%%i %%p\\n'" % root).stdout
    groups = {}
    for line in out.splitlines():
        inode, path = line.split(" ", 1)
        groups.setdefault(inode, set()).add(path)
    return sorted(sorted(g) for g in groups.values())


def status():
    return json.loads(mirror("cat %s/status.json" % STATE).stdout)


def start_sync(check=False):
    """systemctl start the real service (waits for the oneshot); returns the process."""
    return mirror("systemctl start gentoo-mirror-sync.service", check=check, timeout=600)


def last_journal():
    return last_sync_journal(MIRROR)


# ---------------------------------------------------------------------------------------
# after converge (first sync with gentoo_mirror_initial_sync: wait)


def test_mirror_runs_in_a_time_zone_other_than_utc():
    assert mirror("date +%z").stdout.strip() == "+0530"


def test_sync_user_owns_the_tree():
    entry = mirror("getent passwd %s" % USER).stdout.strip().split(":")
    assert int(entry[2]) < 1000 and entry[6] == "/usr/sbin/nologin"
    dirs = [ROOT + d for d in ("", "/distfiles", "/experimental", "/releases", "/snapshots")] + [STATE]
    out = mirror("stat -c '%%F %%U %%G %%a' %s" % " ".join(dirs)).stdout.splitlines()
    assert out == ["directory %s %s 755" % (USER, USER)] * len(dirs)


def test_no_password_file_for_anonymous_upstream():
    assert mirror("test -e /etc/gentoo-mirror/rsync.password", check=False).returncode == 1


def test_tree_equals_upstream_byte_for_byte_minus_excluded():
    up = checksums(UPSTREAM, UP_ROOT)
    down = checksums(MIRROR, ROOT)
    assert len([line for line in up if not line.startswith(("link ", "dir "))]) > 1000
    assert down == up


def test_excluded_file_is_upstream_but_not_on_the_mirror():
    assert upstream("find %s -name %s | wc -l" % (UP_ROOT, SECRET)).stdout.strip() != "0"
    assert mirror("find %s -name %s | wc -l" % (ROOT, SECRET)).stdout.strip() == "0"


def test_hard_links_are_hard_links():
    up = hardlink_groups(UPSTREAM, UP_ROOT)
    assert up, "the stand-in upstream has hard links"
    assert hardlink_groups(MIRROR, ROOT) == up


@pytest.mark.parametrize("name", ["layout.conf", "timestamp.mirmon", "timestamp.chk"])
def test_monitoring_files_arrive_unchanged(name):
    script = "cd %s/distfiles && sha256sum %s && stat -c %%Y %s"
    assert mirror(script % (ROOT, name, name)).stdout == upstream(script % (UP_ROOT, name, name)).stdout


def test_first_sync_status():
    st = status()
    assert st["result"] == "success" and st["exit_code"] == 0
    assert st["upstream"] == "rsync://sync-upstream/gentoo/"
    assert st["files_transferred"] > 1000
    assert st["bytes_transferred"] > 64 * 1024 * 1024
    assert st["last_success"] == st["end"]


def test_no_partial_directories_left():
    assert mirror("find %s -name '.~tmp~' | wc -l" % ROOT).stdout.strip() == "0"


# ---------------------------------------------------------------------------------------
# further syncs


def test_second_sync_transfers_nothing():
    before = status()
    proc = start_sync()
    assert proc.returncode == 0, last_journal()
    st = status()
    assert st["start_timestamp"] > before["end_timestamp"]
    assert st["result"] == "success"
    assert st["files_transferred"] == 0 and st["bytes_transferred"] == 0 and st["files_deleted"] == 0
    assert st["changes_applied"] is False
    assert "gentoo-mirror-sync: success: tree already up to date, 0 files transferred" in last_journal()


# An upstream (or anyone on the plaintext rsync:// path) sends a motd whose lines start with
# syslog level prefixes and carry terminal escapes.
FORGED_MOTD = r"Stand-in upstream\n<0>forged emergency\n<2>forged critical \033[31mred\033[0m bell\007\n"


def journal_of_last_run(*options):
    return mirror("journalctl --sync; journalctl -q --no-pager %s _SYSTEMD_INVOCATION_ID=$(systemctl show -p "
                  "InvocationID --value gentoo-mirror-sync.service)" % " ".join(options)).stdout


def test_upstream_text_cannot_forge_journal_priorities_or_control_characters():
    upstream("printf '%s' > /etc/rsyncd.motd && sed -i '1a motd file = /etc/rsyncd.motd' /etc/rsyncd.conf"
             % FORGED_MOTD)
    try:
        proc = start_sync()
    finally:
        upstream("sed -i '/^motd file = /d' /etc/rsyncd.conf && rm -f /etc/rsyncd.motd")
    assert proc.returncode == 0, last_journal()
    assert "forged emergency" in last_journal()  # waits until the run's summary is in the journal
    # nothing of this run reached emergency, alert or critical priority
    assert journal_of_last_run("-p", "0..2", "-o", "cat") == ""
    entries = [json.loads(line) for line in journal_of_last_run("-o", "json").splitlines()]
    forged = [e for e in entries if "forged" in str(e["MESSAGE"])]
    assert len(forged) == 2, forged
    for entry in forged:
        # a string (journalctl shows a message with control characters as a list of bytes)
        assert isinstance(entry["MESSAGE"], str), entry
        assert not re.search(r"[\x00-\x08\x0a-\x1f\x7f]", entry["MESSAGE"]), entry
        assert entry["PRIORITY"] == "6", entry
    assert [e["MESSAGE"].split(" ")[0] for e in forged] == ["\\x3c0>forged", "\\x3c2>forged"], forged
    # the escape and the bell are still readable, as escapes
    assert re.search(r"\\(#033|x1b)\[31mred", forged[1]["MESSAGE"]), forged[1]
    assert re.search(r"bell\\(#007|x07)", forged[1]["MESSAGE"]), forged[1]


def test_metrics_reach_the_textfile_collector_directory():
    text = mirror("cat /var/lib/prometheus/node-exporter/gentoo_mirror_sync.prom").stdout
    st = status()
    assert re.search(r"^gentoo_mirror_sync_last_run_success\{[^}]*\} 1$", text, re.M)
    match = re.search(r"^gentoo_mirror_sync_last_success_timestamp_seconds\{[^}]*\} (\S+)$", text, re.M)
    assert abs(float(match.group(1)) - st["last_success_timestamp"]) < 0.01


def test_timer_next_elapse_is_the_next_four_hour_mark_from_local_midnight():
    assert mirror("systemctl is-enabled gentoo-mirror-sync.timer").stdout.strip() == "enabled"
    assert mirror("systemctl is-active gentoo-mirror-sync.timer").stdout.strip() == "active"
    assert mirror("systemctl show -p Persistent --value gentoo-mirror-sync.timer").stdout.strip() == "yes"
    # the raw D-Bus value: microseconds since the epoch
    out = mirror("date +%s; busctl get-property org.freedesktop.systemd1 "
                 "/org/freedesktop/systemd1/unit/gentoo_2dmirror_2dsync_2etimer "
                 "org.freedesktop.systemd1.Timer NextElapseUSecRealtime").stdout.split()
    now = int(out[0])
    assert out[1] == "t"
    nxt = int(out[2]) // 1000000
    local_now = datetime.datetime.fromtimestamp(now, IST)
    mark = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    while mark.timestamp() <= now:
        mark += datetime.timedelta(hours=4)
    assert nxt == int(mark.timestamp()), (datetime.datetime.fromtimestamp(nxt, IST), mark)
    # in UTC these are not multiples of four hours: the time zone is really used
    assert datetime.datetime.fromtimestamp(nxt, datetime.timezone.utc).minute == 30


def converge(*extra, serving=False):
    """Run the scenario's converge playbook again with extra -e settings; nginx and the status page
    only with `serving` (the sync role's tests need neither, and each costs a converge's time)."""
    env = dict(os.environ)
    cmd = ["ansible-playbook", "-i", env["MOLECULE_INVENTORY_FILE"],
           os.path.join(env["MOLECULE_SCENARIO_DIRECTORY"], "converge.yml")]
    if not serving:
        cmd += ["-e", json.dumps({"mirrorkit_test_serving": False})]
    for item in extra:
        cmd += ["-e", item]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, check=False)


def sync_unit_and_config_checksums():
    """The sync units, their drop-ins (the status page's) and the sync configuration."""
    return mirror("find /etc/systemd/system/gentoo-mirror-sync.* /etc/gentoo-mirror/sync.conf -type f "
                  "-exec sha256sum {} + | sort").stdout


def test_schedule_with_fewer_than_six_runs_a_day_is_refused_before_anything_changes():
    before = sync_unit_and_config_checksums()
    proc = converge(json.dumps({"gentoo_mirror_sync_schedule": "*-*-* 00/8:00:00"}))
    assert proc.returncode != 0
    assert re.search(r'gentoo_mirror_sync_schedule=\\?"\*-\*-\* 00/8:00:00\\?" is not allowed',
                     proc.stdout + proc.stderr), proc.stdout[-3000:]
    assert "6 runs a day at 00, 04, 08, 12, 16 and 20" in proc.stdout + proc.stderr
    assert "changed=0" in proc.stdout
    assert sync_unit_and_config_checksums() == before


def test_service_hardening_exposure():
    out = mirror("systemd-analyze security gentoo-mirror-sync.service --no-pager").stdout
    level = float(re.search(r"Overall exposure level for gentoo-mirror-sync.service: ([0-9.]+)", out).group(1))
    assert level <= 2.5, out
    props = mirror("systemctl show -p User -p Type -p NoNewPrivileges -p ProtectSystem -p ProtectHome "
                   "-p PrivateTmp -p Nice -p IOSchedulingClass -p RequiresMountsFor gentoo-mirror-sync.service").stdout
    props = dict(line.split("=", 1) for line in props.splitlines())
    assert props["User"] == USER and props["Type"] == "oneshot"
    assert props["NoNewPrivileges"] == "yes" and props["ProtectSystem"] == "strict"
    assert props["ProtectHome"] == "yes" and props["PrivateTmp"] == "yes"
    assert props["Nice"] == "19" and props["IOSchedulingClass"] in ("idle", "3")
    assert ROOT in props["RequiresMountsFor"].split()


PROBE = """#!/bin/sh
out=%(state)s/probe.out
id -un > $out
for p in /etc /usr/local/bin /var/lib /opt/probe-owned /home/probe-owned /root /tmp %(root)s/distfiles %(state)s; do
  if touch "$p/.sandbox-probe" 2>/dev/null; then echo "$p writable"; rm -f "$p/.sandbox-probe"; else echo "$p denied"; fi
done >> $out
"""


def test_service_runs_as_sync_user_and_cannot_write_outside_its_paths():
    """Run the real unit (its sandbox) with a probe as ExecStart, through a runtime drop-in."""
    mirror("mkdir -p /opt/probe-owned /home/probe-owned && chown %s /opt/probe-owned /home/probe-owned" % USER)
    # outside the sandbox the user may write these two: only the unit's sandbox stops it
    mirror("runuser -u %s -- touch /opt/probe-owned/x /home/probe-owned/x" % USER)
    mirror("cat > /usr/local/sbin/sandbox-probe <<'EOF'\n%sEOF\nchmod 755 /usr/local/sbin/sandbox-probe" % (
        PROBE % {"state": STATE, "root": ROOT}))
    mirror("mkdir -p /run/systemd/system/gentoo-mirror-sync.service.d && printf '[Service]\\nExecStart=\\n"
           "ExecStart=/usr/local/sbin/sandbox-probe\\n' > /run/systemd/system/gentoo-mirror-sync.service.d/probe.conf"
           " && systemctl daemon-reload")
    try:
        start_sync(check=True)
        result = mirror("cat %s/probe.out" % STATE).stdout.splitlines()
    finally:
        mirror("rm -rf /run/systemd/system/gentoo-mirror-sync.service.d /usr/local/sbin/sandbox-probe "
               "%s/probe.out /opt/probe-owned /home/probe-owned && systemctl daemon-reload" % STATE)
    assert result[0] == USER
    got = dict(line.rsplit(" ", 1) for line in result[1:])
    assert got == {
        "/etc": "denied", "/usr/local/bin": "denied", "/var/lib": "denied",
        "/opt/probe-owned": "denied", "/home/probe-owned": "denied", "/root": "denied",
        "/tmp": "writable", ROOT + "/distfiles": "writable", STATE: "writable",
    }


# ---------------------------------------------------------------------------------------
# the lock


SLOW_UNIT = "gentoo-mirror-sync-slow"


# exit 0 when the slow run's real (not dry) rsync is running (no procps in the test image)
FIND_SLOW_RSYNC = """python3 -c '
import glob, sys
for path in glob.glob("/proc/[0-9]*/cmdline"):
    try:
        args = open(path, "rb").read().split(b"\\0")
    except OSError:
        continue
    if b"--bwlimit=2000" in args and b"--stats" in args and b"--dry-run" not in args:
        sys.exit(0)
sys.exit(1)
'"""


def start_slow_run(unit):
    """A real run as transient unit `unit`, slowed down by --bwlimit, with a new 24 MiB file to fetch."""
    upstream("head -c 25165824 /dev/urandom > %s/experimental/lock-test.bin" % UP_ROOT)
    mirror("grep -v '^#' /etc/gentoo-mirror/sync.conf | python3 -c 'import json,sys; c=json.load(sys.stdin); "
           "c[\"extra_options\"]=[\"--bwlimit=2000\"]; print(json.dumps(c))' > /etc/gentoo-mirror/slow.conf")
    mirror("systemd-run --unit=%s -p User=%s /usr/local/bin/gentoo-mirror-sync "
           "--config /etc/gentoo-mirror/slow.conf" % (unit, USER))
    # wait until the real transfer is under way
    for dummy in range(60):
        if mirror(FIND_SLOW_RSYNC, check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("the slow run did not start: " + mirror("journalctl -o cat -u %s" % unit).stdout)


def kill_unit(unit):
    """SIGKILL every process of the unit (python and rsync) and wait until it is gone."""
    mirror("systemctl kill -s KILL %s" % unit, check=False)
    for dummy in range(40):
        if mirror("systemctl is-active %s" % unit, check=False).stdout.strip() not in ("active", "deactivating"):
            break
        time.sleep(0.5)
    mirror("systemctl reset-failed %s" % unit, check=False)


def test_second_run_while_one_is_going_says_already_running_and_exits_0():
    unit = SLOW_UNIT + "-1"
    start_slow_run(unit)
    try:
        proc = start_sync()
        assert proc.returncode == 0, last_journal()
        assert "already running" in last_journal()
        assert mirror("systemctl is-active %s" % unit, check=False).stdout.strip() == "active"
    finally:
        kill_unit(unit)


def test_killed_run_does_not_block_and_its_leftovers_are_cleaned():
    unit = SLOW_UNIT + "-2"
    start_slow_run(unit)
    time.sleep(2)
    kill_unit(unit)
    assert mirror("test -e %s/sync.running" % STATE, check=False).returncode == 0
    proc = start_sync()
    assert proc.returncode == 0, last_journal()
    journal = last_journal()
    assert "already running" not in journal
    assert "previous run did not finish cleanly" in journal
    assert mirror("find %s -name '.~tmp~' | wc -l" % ROOT).stdout.strip() == "0"
    assert status()["result"] == "success"
    assert checksums(MIRROR, ROOT) == checksums(UPSTREAM, UP_ROOT)


def test_other_users_cannot_open_or_hold_the_sync_lock():
    assert mirror("stat -c '%%a %%U' %s" % LOCK).stdout.strip() == "600 " + USER
    for user in ("nobody", "www-data"):
        proc = mirror("runuser -u %s -- flock -n %s true" % (user, LOCK), check=False)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, (user, proc.stdout, proc.stderr)
        # nor put a lock file of its own in place of it
        proc = mirror("runuser -u %s -- sh -c 'echo > %s/sync.lock.new'" % (user, STATE), check=False)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, (user, proc.stdout, proc.stderr)


# Run as `nobody`: opens the lock file while it is readable by everyone and keeps the descriptor;
# locks it only once told to (/tmp/squat.go), then holds it.
SQUATTER = """/usr/bin/python3 -c '
import fcntl, os, time
fd = os.open("%s", os.O_RDONLY)
open("/tmp/squat.opened", "w").close()
for dummy in range(1200):
    if os.path.exists("/tmp/squat.go"):
        break
    time.sleep(0.1)
fcntl.flock(fd, fcntl.LOCK_EX)
open("/tmp/squat.held", "w").close()
time.sleep(120)
'""" % LOCK


def wait_for_file(path, what):
    for dummy in range(100):
        if mirror("test -e %s" % path, check=False).returncode == 0:
            return
        time.sleep(0.2)
    raise AssertionError("%s did not happen" % what)


def start_squatter(unit, locked):
    mirror("rm -f /tmp/squat.*" + (" && touch /tmp/squat.go" if locked else ""))
    mirror("systemd-run --unit=%s -p User=nobody %s" % (unit, SQUATTER))
    wait_for_file("/tmp/squat.held" if locked else "/tmp/squat.opened", "the squatter's open")


def test_lock_left_readable_by_an_older_version_is_replaced_and_an_old_descriptor_holds_nothing():
    inode = mirror("stat -c %i " + LOCK).stdout.strip()
    mirror("chmod 0644 " + LOCK)  # as versions before this one left it
    # a user of the web server opened it then and holds the lock: said at once, not "already running"
    start_squatter("lock-squatter-1", locked=True)
    try:
        proc = start_sync()
        assert proc.returncode != 0, last_journal()
        st = status()
        assert st["result"] == "lock_stuck" and st["exit_code"] == 4, st
        assert "readable by other users (mode 0644" in st["message"] and "remove the file" in st["message"]
        assert "lock_stuck: the lock %s is readable by other users" % LOCK in last_journal()
    finally:
        kill_unit("lock-squatter-1")

    # one that only opened it: the next sync takes the lock and puts a new, private file in place
    start_squatter("lock-squatter-2", locked=False)
    try:
        assert start_sync().returncode == 0, last_journal()
        assert mirror("stat -c '%%a %%U' %s" % LOCK).stdout.strip() == "600 " + USER
        assert mirror("stat -c %i " + LOCK).stdout.strip() != inode
        # the squatter's descriptor now locks a file nobody looks at
        mirror("touch /tmp/squat.go")
        wait_for_file("/tmp/squat.held", "the squatter's lock")
        before = status()
        assert start_sync().returncode == 0, last_journal()
        assert "already running" not in last_journal()
        st = status()
        assert st["result"] == "success" and st["start_timestamp"] > before["end_timestamp"]
    finally:
        kill_unit("lock-squatter-2")
        mirror("rm -f /tmp/squat.*")


# Run as the sync user: takes the lock and records itself as a sync that started two days ago
# (one hung since then), then holds it.
STUCK_HOLDER = """/usr/bin/python3 -c '
import fcntl, json, os, time
fd = os.open("%s", os.O_RDWR)
fcntl.flock(fd, fcntl.LOCK_EX)
ticks = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[19])
os.ftruncate(fd, 0)
os.write(fd, json.dumps({"pid": os.getpid(), "start": time.time() - 2 * 86400, "proc_start": ticks}).encode())
open("/tmp/stuck.held", "w").close()
time.sleep(120)
'""" % LOCK


def test_lock_held_longer_than_a_sync_can_take_fails_the_sync_loudly():
    unit = "gentoo-mirror-stuck-holder"
    mirror("rm -f /tmp/stuck.held")
    mirror("systemd-run --unit=%s -p User=%s %s" % (unit, USER, STUCK_HOLDER))
    try:
        wait_for_file("/tmp/stuck.held", "the stuck holder's lock")
        pid = int(mirror("systemctl show -p MainPID --value %s" % unit).stdout)
        before = status()
        proc = start_sync()
        assert proc.returncode != 0, last_journal()
        assert mirror("systemctl show -p ExecMainStatus --value gentoo-mirror-sync.service").stdout.strip() == "4"
        st = status()
        assert st["result"] == "lock_stuck" and st["exit_code"] == 4, st
        assert st["lock_holder_pid"] == pid and 2 * 86400 <= st["lock_held_seconds"] < 2 * 86400 + 60
        assert "held for 2 d 0 h" in st["message"] and "by pid %d, still running" % pid in st["message"]
        assert "gentoo_mirror_sync_lock_stuck_after" in st["message"]
        assert st["last_success_timestamp"] == before["last_success_timestamp"]
        assert st["consecutive_failures"] == before["consecutive_failures"] + 1
        metrics = mirror("cat /var/lib/prometheus/node-exporter/gentoo_mirror_sync.prom").stdout
        assert re.search(r'^gentoo_mirror_sync_last_run_result\{[^}]*result="lock_stuck"\} 1$', metrics, re.M)
        held = re.search(r"^gentoo_mirror_sync_lock_held_seconds\{[^}]*\} (\S+)$", metrics, re.M)
        assert held and float(held.group(1)) >= 2 * 86400, metrics
        # an error-priority line in the journal (last_journal waits until the run's summary is in)
        summary = "gentoo-mirror-sync: lock_stuck: the lock %s has been held for 2 d" % LOCK
        assert summary in last_journal()
        assert summary in journal_of_last_run("-p", "3", "-o", "cat")
        # reported, not broken: the holder still has it
        assert mirror("systemctl is-active %s" % unit, check=False).stdout.strip() == "active"
    finally:
        kill_unit(unit)
        mirror("rm -f /tmp/stuck.held")
    assert start_sync().returncode == 0, last_journal()
    assert status()["result"] == "success"


# ---------------------------------------------------------------------------------------
# guards


def test_upstream_without_layout_conf_is_refused_and_tree_unchanged():
    before = checksums(MIRROR, ROOT)
    upstream("mv %s/distfiles/layout.conf /root/layout.conf.saved" % UP_ROOT)
    try:
        proc = start_sync()
    finally:
        upstream("mv /root/layout.conf.saved %s/distfiles/layout.conf" % UP_ROOT)
    assert proc.returncode != 0
    st = status()
    assert st["result"] == "refused" and st["exit_code"] == 3
    assert "distfiles/layout.conf is missing" in st["message"]
    assert "--force" in st["message"]
    assert "refused: upstream looks broken (distfiles/layout.conf is missing)" in last_journal()
    assert checksums(MIRROR, ROOT) == before


def test_mass_deletion_is_refused_and_tree_unchanged():
    before = checksums(MIRROR, ROOT)
    # hide a quarter of the hashed distfiles directories upstream
    upstream("mkdir -p /root/hidden && cd %s/distfiles && mv [0-3]? /root/hidden/" % UP_ROOT)
    try:
        proc = start_sync()
    finally:
        upstream("mv /root/hidden/* %s/distfiles/ && rmdir /root/hidden" % UP_ROOT)
    assert proc.returncode != 0
    st = status()
    assert st["result"] == "refused" and st["files_deleted"] == 0
    assert re.search(r"upstream would delete \d+ of the \d+ entries", st["message"]), st["message"]
    assert "gentoo_mirror_sync_max_delete" in st["message"]
    assert checksums(MIRROR, ROOT) == before
    # and with upstream back to normal the next run goes through
    assert start_sync().returncode == 0, last_journal()
    assert status()["result"] == "success"


# ---------------------------------------------------------------------------------------
# a second converge: upstream login and exclude_historical (keep last: changes the mirror)

PASSWORD = "mk-test-Pw-7319"


def test_login_and_exclude_historical_after_a_second_converge():
    assert mirror("test -d %s/releases/historical" % ROOT, check=False).returncode == 0
    # The same converge switches the status page off (checked by the next test): no extra run.
    proc = converge("gentoo_mirror_exclude_historical=true",
                    "gentoo_mirror_upstream=rsync://sync-upstream/gentoo-auth/",
                    "gentoo_mirror_upstream_user=mirror42",
                    "gentoo_mirror_upstream_password=" + PASSWORD,
                    json.dumps({"gentoo_mirror_status": False}), serving=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert PASSWORD not in proc.stdout + proc.stderr

    # the password file: 0600, the sync user's, the password only
    assert mirror("stat -c '%a %U' /etc/gentoo-mirror/rsync.password").stdout.strip() == "600 " + USER
    assert mirror("cat /etc/gentoo-mirror/rsync.password").stdout == PASSWORD + "\n"
    assert PASSWORD not in mirror("cat /etc/gentoo-mirror/sync.conf").stdout

    # module gentoo-auth only answers with the login: this sync proves it is used
    assert start_sync().returncode == 0, last_journal()
    st = status()
    assert st["result"] == "success" and st["upstream"] == "rsync://sync-upstream/gentoo-auth/"
    assert PASSWORD not in last_journal() + json.dumps(st)

    # exclude_historical: historical is gone, everything else is as upstream has it
    assert mirror("test -e %s/releases/historical" % ROOT, check=False).returncode != 0
    assert checksums(MIRROR, ROOT) == checksums(UPSTREAM, UP_ROOT, exclude=["releases/historical"])
    assert st["files_deleted"] > 0


def http_status(path):
    """The HTTP status nginx on the mirror answers for path (asked on the mirror itself)."""
    return mirror("python3 -c \"import sys, urllib.request, urllib.error\ntry:\n print(urllib.request.urlopen("
                  "'http://127.0.0.1' + sys.argv[1], timeout=10).status)\nexcept urllib.error.HTTPError as e:\n"
                  " print(e.code)\" %s" % path).stdout.strip()


def test_status_page_off_serves_and_keeps_nothing_of_it():
    """gentoo_mirror_status false (the converge above): /status/ answers 404, the page, its units,
    its configuration and the sync service's drop-in are gone, and a sync runs without it."""
    for path in ("/status/", "/status/status.json", "/status/index.html", "/status/traffic/"):
        assert http_status(path) == "404", path
    gone = ["/var/www/gentoo-mirror-status", "/etc/gentoo-mirror/status.conf", "/etc/gentoo-mirror/traffic.conf",
            "/etc/systemd/system/gentoo-mirror-status-page.service", "/etc/systemd/system/gentoo-mirror-traffic.timer",
            "/etc/systemd/system/gentoo-mirror-sync.service.d/gentoo-mirror-status.conf",
            "/usr/local/lib/gentoo-mirror-status"]
    assert mirror("ls -d %s 2>/dev/null; true" % " ".join(gone)).stdout == ""
    assert "gentoo-mirror-status" not in mirror("systemctl show -p OnSuccess,OnFailure gentoo-mirror-sync.service").stdout
    assert "gentoo-mirror-status" not in mirror("cat /etc/nginx/gentoo-mirror/sites.conf").stdout
    assert mirror("systemctl list-timers --all --no-pager").stdout.count("gentoo-mirror-traffic") == 0


def test_wrong_password_fails_at_once_without_retries():
    mirror("printf 'wrong\\n' > /tmp/wrong.password && chown %s /tmp/wrong.password && chmod 600 /tmp/wrong.password"
           " && sed 's#/etc/gentoo-mirror/rsync.password#/tmp/wrong.password#' /etc/gentoo-mirror/sync.conf"
           " > /tmp/wrong.conf" % USER)
    started = time.monotonic()
    proc = mirror("runuser -u %s -- /usr/local/bin/gentoo-mirror-sync --config /tmp/wrong.conf" % USER, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert time.monotonic() - started < 30
    assert "@ERROR: auth failed on module gentoo-auth" in proc.stdout
    assert status()["attempts"] == 1
    mirror("rm -f /tmp/wrong.password /tmp/wrong.conf")
    assert start_sync().returncode == 0, last_journal()


# ---------------------------------------------------------------------------------------
# gentoo_mirror_initial_sync none and start (last: converges the mirror back to its defaults)


def test_initial_sync_none_leaves_it_to_the_timer_and_start_does_not_wait():
    mirror("mv %s/status.json /root/status.json.saved" % STATE)  # no sync has succeeded yet
    try:
        proc = converge("gentoo_mirror_initial_sync=none")
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert "Follow it with" not in proc.stdout
        assert mirror("test -e %s/status.json" % STATE, check=False).returncode != 0
        assert mirror("systemctl is-active gentoo-mirror-sync.service", check=False).stdout.strip() == "inactive"
        assert mirror("systemctl is-active gentoo-mirror-sync.timer").stdout.strip() == "active"

        # start: a first sync that takes a while (a new 24 MiB file at 2 MB/s), not waited for
        upstream("head -c 25165824 /dev/urandom > %s/experimental/first-sync.bin" % UP_ROOT)
        proc = converge("gentoo_mirror_initial_sync=start", json.dumps({"gentoo_mirror_sync_extra_options": ["--bwlimit=2000"]}))
        assert proc.returncode == 0, proc.stdout[-3000:]
        assert mirror("systemctl is-active gentoo-mirror-sync.service", check=False).stdout.strip() in ("activating", "active")
        assert "Follow it with: journalctl -fu gentoo-mirror-sync" in " ".join(proc.stdout.split())
        for dummy in range(120):
            if mirror("systemctl is-active gentoo-mirror-sync.service", check=False).stdout.strip() not in ("activating", "active"):
                break
            time.sleep(1)
        assert status()["result"] == "success"
        assert mirror("test -f %s/experimental/first-sync.bin" % ROOT, check=False).returncode == 0
    finally:
        mirror("test -e %(s)s/status.json || mv /root/status.json.saved %(s)s/status.json; rm -f /root/status.json.saved"
               % {"s": STATE})
        upstream("rm -f %s/experimental/first-sync.bin" % UP_ROOT)
    assert converge().returncode == 0
    assert start_sync().returncode == 0, last_journal()
    assert checksums(MIRROR, ROOT) == checksums(UPSTREAM, UP_ROOT)
