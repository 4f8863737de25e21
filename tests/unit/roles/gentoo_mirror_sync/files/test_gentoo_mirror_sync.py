# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the sync program roles/gentoo_mirror_sync/files/gentoo_mirror_sync.py.

Only subprocess.Popen (rsync) is replaced; locks, files, status and metrics are real files in
a temporary directory.
"""

import fcntl
import io
import json
import os
import re
import shutil

import subprocess as gms_subprocess

import pytest

# the real one: the tests replace subprocess.Popen (rsync) in the program
REAL_POPEN = gms_subprocess.Popen

# ---------------------------------------------------------------------------------------
# rsync stand-in


STATS_NO_CHANGE = """
Number of files: 2,345 (reg: 2,000, dir: 300, link: 45)
Number of created files: 0
Number of deleted files: 0
Number of regular files transferred: 0
Total file size: 123,456,789 bytes
Total transferred file size: 0 bytes
Literal data: 0 bytes
Matched data: 0 bytes
File list size: 0
File list generation time: 0.001 seconds
File list transfer time: 0.000 seconds
Total bytes sent: 1,234
Total bytes received: 56,789

sent 1,234 bytes  received 56,789 bytes  116,046.00 bytes/sec
total size is 123,456,789  speedup is 2,127.80
"""

LISTING_OK = """drwxr-xr-x          4,096 2026/11/25 08:00:00 .
-rw-r--r--            101 2026/11/20 10:00:00 layout.conf
-rw-r--r--             11 2026/11/25 08:00:00 timestamp.mirmon
"""


def stats(files_total=2345, created=0, deleted=0, transferred=0, size=0, received=100):
    return (
        "\nNumber of files: {:,} (reg: 1, dir: 1)\n"
        "Number of created files: {:,}\n"
        "Number of deleted files: {:,}\n"
        "Number of regular files transferred: {:,}\n"
        "Total file size: 9,999 bytes\n"
        "Total transferred file size: {:,} bytes\n"
        "Total bytes sent: 10\n"
        "Total bytes received: {:,}\n"
    ).format(files_total, created, deleted, transferred, size, received)


class FakeRsync:
    """Replaces subprocess.Popen in the program. script(argv) -> (exit code, stdout)."""

    def __init__(self, script):
        self.script = script
        self.calls = []
        self.pass_fds = []

    def kind(self, argv):
        if "--list-only" in argv:
            return "check"
        if "--dry-run" in argv:
            return "dry"
        return "sync"

    def __call__(self, argv, stdout=None, stderr=None, stdin=None, pass_fds=(), env=None):
        self.calls.append(list(argv))
        self.pass_fds.append(tuple(pass_fds))
        assert env["LC_ALL"] == "C"
        assert stderr is gms_subprocess.STDOUT
        code, out = self.script(self.kind(argv), argv)
        fake = self

        class Proc:
            def __init__(self):
                self.stdout = io.BytesIO(out.encode())

            def wait(self):
                return code

            def terminate(self):
                fake.terminated = True

        return Proc()

    def kinds(self):
        return [self.kind(a) for a in self.calls]


def scripted(check=(0, LISTING_OK), dry=(0, STATS_NO_CHANGE), sync=(0, STATS_NO_CHANGE)):
    """Each of check/dry/sync: a (code, out) tuple or a list of them consumed in turn."""
    queues = {"check": check, "dry": dry, "sync": sync}

    def script(kind, _argv):
        item = queues[kind]
        if isinstance(item, list):
            return item.pop(0) if len(item) > 1 else item[0]
        return item

    return script


@pytest.fixture
def run(gms, cfg, tmp_path, monkeypatch):
    """Run main() against cfg written to a file; returns (exit, fake, stdout, sleeps)."""

    def _run(script, extra_args=(), config=None, capsys=None, clock=None, sleep=None, ssh_runner=None):
        conf = dict(cfg)
        conf.update(config or {})
        path = tmp_path / "sync.conf"
        path.write_text(json.dumps(conf))
        fake = FakeRsync(script)
        monkeypatch.setattr(gms.subprocess, "Popen", fake)
        sleeps = []
        times = iter([1000.0, 1012.5] * 10)
        clock = clock or (lambda: next(times))

        def record_sleep(seconds):
            sleeps.append(seconds)
            if sleep:
                sleep(seconds)

        def no_ssh(argv, timeout):
            pytest.fail("ssh ran: %r" % (argv,))

        code = gms.main(["--config", str(path), *extra_args], sleep=record_sleep, clock=clock,
                        ssh_runner=ssh_runner or no_ssh)
        return code, fake, sleeps

    return _run


def status_of(cfg):
    with open(os.path.join(cfg["state_dir"], "status.json"), encoding="utf-8") as handle:
        return json.load(handle)


# ---------------------------------------------------------------------------------------
# configuration


def test_defaults_are_filled_in_and_paths_normalised(gms):
    cfg = gms.validate_config({"upstream": "rsync://h/gentoo", "root": "/srv/gentoo/"})
    assert cfg["upstream"] == "rsync://h/gentoo/"
    assert cfg["root"] == "/srv/gentoo"
    assert cfg["retries"] == 3 and cfg["retry_exit_codes"] == [5, 10, 12, 30, 35]
    assert cfg["max_delete"] == 10000 and cfg["max_delete_percent"] == 10.0


@pytest.mark.parametrize("raw,message", [
    ({"bogus": 1}, "unknown setting(s): bogus"),
    ({"root": "srv/gentoo"}, "root must be an absolute path"),
    ({"upstream_user": "mirror"}, "password_file is empty"),
    ({"upstream": "/srv/up/", "upstream_user": "u", "password_file": "/p"}, "needs an rsync daemon"),
    ({"exclude_historical": "yes"}, "exclude_historical must be true or false"),
    ({"extra_options": ["--bwlimit=1m", "rm -rf"]}, "extra_options"),
    ({"extra_options": "--bwlimit=1m"}, "extra_options"),
    ({"timeout": -1}, "timeout must be"),
    ({"retries": True}, "retries must be"),
    ({"max_delete": -2}, "max_delete must be"),
    ({"max_delete_percent": 101}, "max_delete_percent"),
    ({"retry_exit_codes": [10, 25]}, "must not contain 25"),
    ({"lock_stuck_after": 0}, "lock_stuck_after must be a whole number of seconds >= 1"),
    ({"lock_stuck_after_first_sync": "3w"}, "lock_stuck_after_first_sync must be"),
    ([], "JSON object"),
])
def test_bad_configuration_is_refused(gms, raw, message):
    with pytest.raises(gms.ConfigError, match=re.escape(message)):
        gms.validate_config(raw)


def test_bad_config_file_exits_2_without_running_rsync(gms, tmp_path, monkeypatch, capsys):
    path = tmp_path / "sync.conf"
    path.write_text("{not json")
    monkeypatch.setattr(gms.subprocess, "Popen", lambda *a, **k: pytest.fail("rsync ran"))
    assert gms.main(["--config", str(path)]) == 2
    assert "is not valid JSON" in capsys.readouterr().err
    assert gms.main(["--config", str(tmp_path / "missing.conf")]) == 2


def test_check_config_validates_only(gms, cfg, tmp_path, monkeypatch, capsys):
    path = tmp_path / "sync.conf"
    path.write_text(json.dumps(cfg))
    monkeypatch.setattr(gms.subprocess, "Popen", lambda *a, **k: pytest.fail("rsync ran"))
    assert gms.main(["--config", str(path), "--check-config"]) == 0
    assert "is valid" in capsys.readouterr().out
    assert not os.path.exists(os.path.join(cfg["state_dir"], "status.json"))


# ---------------------------------------------------------------------------------------
# command lines


def test_sync_command_flags_and_order(gms, cfg):
    argv = gms.sync_command(cfg, max_delete=50)
    assert argv[0] == "/usr/bin/rsync"
    for flag in ("-rlptH", "--safe-links", "--delay-updates", "--delete-delay",
                 "--partial-dir=.~tmp~", "--timeout=600", "--contimeout=60", "--stats",
                 "--max-delete=50", "--chmod=D0755,F0644"):
        assert flag in argv
    assert argv[-3:] == ["--", "rsync://upstream.example/gentoo/", cfg["root"] + "/"]
    assert "--dry-run" not in argv
    assert not any(a.startswith("--max-delete") for a in gms.sync_command(cfg))


def test_dry_run_is_the_same_command_plus_itemize_with_sizes(gms, cfg):
    dry = gms.dry_run_command(cfg)
    real = gms.sync_command(cfg)
    # --itemize-changes is --out-format="%i %n%L"; the size (%l) feeds the upstream check
    assert "--dry-run" in dry and "--out-format=%i %l %n%L" in dry
    assert [a for a in dry if a not in ("--dry-run", "--out-format=%i %l %n%L")] == real


@pytest.mark.parametrize("upstream,expect", [
    ("rsync://upstream.example/gentoo/", True),
    ("upstream.example::gentoo/", True),
    ("/srv/upstream/", False),
])
def test_contimeout_only_for_rsync_daemons(gms, cfg, upstream, expect):
    cfg = gms.validate_config(dict(cfg, upstream=upstream, contimeout=20))
    for argv in (gms.sync_command(cfg), gms.dry_run_command(cfg), gms.check_command(cfg)):
        assert ("--contimeout=20" in argv) is expect


def test_excludes_secret_everywhere_and_historical_only_when_asked(gms, cfg):
    argv = gms.sync_command(cfg)
    filters = [a for a in argv if a.startswith(("--filter", "--exclude", "--include"))]
    assert filters == ["--filter=H THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt"]
    cfg = gms.validate_config(dict(cfg, exclude_historical=True))
    filters = [a for a in gms.sync_command(cfg) if a.startswith(("--filter", "--exclude", "--include"))]
    assert filters == ["--filter=H THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt", "--filter=H /releases/historical/"]


def test_extra_options_come_before_the_paths(gms, cfg):
    cfg = gms.validate_config(dict(cfg, extra_options=["--bwlimit=10m", "--ipv4"]))
    argv = gms.sync_command(cfg)
    assert argv.index("--bwlimit=10m") < argv.index("--")
    assert argv.index("--ipv4") < argv.index("--")
    assert "--bwlimit=10m" in gms.dry_run_command(cfg)


@pytest.mark.parametrize("upstream,expect", [
    ("rsync://upstream.example/gentoo/", "rsync://mirror42@upstream.example/gentoo/"),
    ("rsync://other@upstream.example/gentoo/", "rsync://other@upstream.example/gentoo/"),
    ("upstream.example::gentoo/", "mirror42@upstream.example::gentoo/"),
])
def test_login_user_and_password_file(gms, cfg, upstream, expect):
    cfg = gms.validate_config(dict(cfg, upstream=upstream, upstream_user="mirror42",
                                   password_file="/etc/gentoo-mirror/rsync.password"))
    for argv in (gms.sync_command(cfg), gms.dry_run_command(cfg)):
        assert argv[-2] == expect
        assert "--password-file=/etc/gentoo-mirror/rsync.password" in argv
    assert gms.check_command(cfg)[-1] == expect + "distfiles/"
    assert "--password-file=/etc/gentoo-mirror/rsync.password" in gms.check_command(cfg)


def test_anonymous_upstream_has_no_password_file(gms, cfg):
    assert not any(a.startswith("--password-file") for a in gms.sync_command(cfg))


def test_check_command_lists_only_the_two_files(gms, cfg):
    argv = gms.check_command(cfg)
    assert "--list-only" in argv
    assert argv[-1] == "rsync://upstream.example/gentoo/distfiles/"
    assert argv.index("--include=/layout.conf") < argv.index("--exclude=*")
    assert argv.index("--include=/timestamp.mirmon") < argv.index("--exclude=*")


# ---------------------------------------------------------------------------------------
# parsing


def test_parse_stats_with_thousands_separators(gms):
    got = gms.parse_stats(STATS_NO_CHANGE.splitlines())
    assert got == {
        "files_total": 2345, "files_created": 0, "files_deleted": 0, "files_transferred": 0,
        "bytes_total": 123456789, "bytes_transferred": 0, "bytes_sent": 1234, "bytes_received": 56789,
    }


def test_parse_stats_of_a_transfer(gms):
    text = stats(files_total=10, created=3, deleted=2, transferred=3, size=1234567, received=1300000)
    got = gms.parse_stats(text.splitlines())
    assert got["files_transferred"] == 3
    assert got["bytes_transferred"] == 1234567
    assert got["files_deleted"] == 2
    assert got["bytes_received"] == 1300000


def test_parse_dry_run_counts_changes_and_deletions(gms):
    out = [
        "cd+++++++++ 4,096 distfiles/ab/",
        ">f+++++++++ 0 distfiles/ab/foo-1.0.tar.gz",
        "hf+++++++++ 0 distfiles/ab/bar => distfiles/ab/foo-1.0.tar.gz",
        ".d..t...... 4,096 releases/",
        "cL+++++++++ 0 snapshots/current -> x",
        "*deleting   0 distfiles/cd/old-0.1.tar.gz",
        "*deleting   0 distfiles/cd/",
        "*deleting   0 releases/historical/x86/2008.0/stage3.tar.bz2",
        "*deleting   0 releases/historical/",
        "Welcome to the upstream motd",
    ] + stats(files_total=100, created=2, deleted=4).splitlines()
    plan = gms.parse_dry_run(out, exclude_historical=False)
    assert plan.changes == 9
    assert plan.deletions == 4 and plan.expected_deletions == 0
    assert plan.sample[0] == "distfiles/cd/old-0.1.tar.gz"
    assert plan.stats["files_total"] == 100
    assert plan.tree_entries() == 100 - 2 + 4

    plan = gms.parse_dry_run(out, exclude_historical=True)
    assert plan.deletions == 2 and plan.expected_deletions == 2


def test_parse_dry_run_without_changes(gms):
    plan = gms.parse_dry_run(STATS_NO_CHANGE.splitlines())
    assert plan.changes == 0 and plan.deletions == 0


def test_parse_listing(gms):
    found = gms.parse_listing(LISTING_OK.splitlines())
    assert found["layout.conf"] == ("-", 101)
    assert found["timestamp.mirmon"] == ("-", 11)
    assert gms.check_upstream_listing(found) is None


@pytest.mark.parametrize("listing,problem", [
    ("drwxr-xr-x 4,096 2026/11/25 08:00:00 .\n-rw-r--r-- 11 2026/11/25 08:00:00 timestamp.mirmon\n",
     "distfiles/layout.conf is missing"),
    ("-rw-r--r-- 101 2026/11/20 10:00:00 layout.conf\n", "distfiles/timestamp.mirmon is missing"),
    ("-rw-r--r-- 0 2026/11/20 10:00:00 layout.conf\n-rw-r--r-- 11 2026/11/25 08:00:00 timestamp.mirmon\n",
     "distfiles/layout.conf is empty"),
    ("drwxr-xr-x 4,096 2026/11/20 10:00:00 layout.conf\n-rw-r--r-- 11 2026/11/25 08:00:00 timestamp.mirmon\n",
     "distfiles/layout.conf is not a regular file"),
    ("", "distfiles/layout.conf is missing; distfiles/timestamp.mirmon is missing"),
])
def test_upstream_listing_problems(gms, listing, problem):
    assert gms.check_upstream_listing(gms.parse_listing(listing.splitlines())) == problem


# ---------------------------------------------------------------------------------------
# deletion guard


def plan_with(gms, deletions, files_total, expected=0):
    plan = gms.Plan()
    plan.changes = deletions + expected
    plan.deletions = deletions
    plan.expected_deletions = expected
    plan.sample = ["distfiles/aa/f%d" % i for i in range(min(deletions, 5))]
    plan.stats = {"files_total": files_total, "files_created": 0}
    return plan


def test_guard_absolute_limit(gms, cfg):
    cfg = gms.validate_config(dict(cfg, max_delete=100, max_delete_percent=100))
    assert gms.check_deletions(cfg, plan_with(gms, 100, 1000000)) is None
    reason = gms.check_deletions(cfg, plan_with(gms, 101, 1000000))
    assert "would delete 101 of the 1000101 entries" in reason
    assert "at most 100" in reason and "distfiles/aa/f0" in reason


def test_guard_share_limit(gms, cfg):
    cfg = gms.validate_config(dict(cfg, max_delete=-1, max_delete_percent=10))
    # 10 % of the tree as it is now (entries left + entries to delete).
    assert gms.check_deletions(cfg, plan_with(gms, 100, 900)) is None
    assert "10.1%" in gms.check_deletions(cfg, plan_with(gms, 101, 900))


def test_guard_off(gms, cfg):
    cfg = gms.validate_config(dict(cfg, max_delete=-1, max_delete_percent=100))
    assert gms.delete_limit(cfg, plan_with(gms, 5000, 0)) is None
    assert gms.check_deletions(cfg, plan_with(gms, 5000, 0)) is None


def test_guard_ignores_historical_when_it_is_being_excluded(gms, cfg):
    cfg = gms.validate_config(dict(cfg, max_delete=10, exclude_historical=True))
    assert gms.check_deletions(cfg, plan_with(gms, 3, 1000, expected=5000)) is None


# ---------------------------------------------------------------------------------------
# retries


def test_backoff_doubles_and_is_capped(gms, cfg):
    cfg = gms.validate_config(dict(cfg, retry_delay=60, retry_delay_max=200))
    assert [gms.backoff_delay(cfg, n) for n in (1, 2, 3, 4)] == [60, 120, 200, 200]


@pytest.mark.parametrize("code", [5, 10, 12, 30, 35])
def test_transient_failures_are_retried_a_bounded_number_of_times(gms, cfg, code):
    calls, sleeps = [], []

    def runner(argv, echo=None):
        calls.append(argv)
        return code, []

    got, _lines, attempts = gms.run_with_retries(cfg, ["rsync"], runner, sleeps.append, "sync")
    assert got == code
    assert attempts == len(calls) == cfg["retries"] + 1 == 4
    assert sleeps == [60, 120, 240]


@pytest.mark.parametrize("code", [0, 1, 3, 11, 20, 23, 24, 25])
def test_other_exit_codes_are_not_retried(gms, cfg, code):
    sleeps = []
    got, _lines, attempts = gms.run_with_retries(cfg, ["rsync"], lambda a, echo=None: (code, []),
                                                 sleeps.append, "sync")
    assert (got, attempts, sleeps) == (code, 1, [])


def test_retry_stops_at_first_success(gms, cfg):
    codes = iter([10, 30, 0])
    sleeps = []
    got, _lines, attempts = gms.run_with_retries(cfg, ["rsync"], lambda a, echo=None: (next(codes), []),
                                                 sleeps.append, "sync")
    assert (got, attempts, sleeps) == (0, 3, [60, 120])


def test_no_retries_when_configured_off(gms, cfg):
    cfg = gms.validate_config(dict(cfg, retries=0))
    got, _lines, attempts = gms.run_with_retries(cfg, ["rsync"], lambda a, echo=None: (10, []),
                                                 lambda s: pytest.fail("slept"), "sync")
    assert (got, attempts) == (10, 1)


# ---------------------------------------------------------------------------------------
# whole runs


def test_no_change_run_is_one_dry_run_and_reports_zero(gms, cfg, run, capsys):
    code, fake, dummy_out = run(scripted())
    assert code == 0
    assert fake.kinds() == ["dry"]
    status = status_of(cfg)
    assert status["result"] == "success"
    assert status["files_transferred"] == 0 and status["bytes_transferred"] == 0
    assert status["changes_applied"] is False
    assert status["exit_code"] == 0 and status["rsync_exit_code"] == 0
    assert status["start"] == "1970-01-01T00:16:40Z" and status["end"] == "1970-01-01T00:16:52Z"
    assert status["duration_seconds"] == 12.5
    assert status["last_success_timestamp"] == 1012.5
    assert status["upstream"] == "rsync://upstream.example/gentoo/"
    out = capsys.readouterr().out.splitlines()
    summary = [line for line in out if line.startswith("gentoo-mirror-sync: success")]
    assert summary == ["gentoo-mirror-sync: success: tree already up to date, 0 files transferred "
                       "in 12.5 s from rsync://upstream.example/gentoo/"]
    # statistics are parsed, not echoed
    assert not any(line.startswith(("Number of", "sent ", "total size")) for line in out)


def test_changes_are_applied_with_max_delete_backstop(gms, cfg, run, capsys):
    dry = "\n".join([">f+++++++++ 0 distfiles/ab/new.tar.gz", "*deleting   0 distfiles/cd/old.tar.gz"])
    dry += stats(files_total=2000, created=1, deleted=1)
    real = stats(files_total=2000, created=1, deleted=1, transferred=1, size=4096, received=5000)
    code, fake, dummy_out = run(scripted(dry=(0, dry), sync=(0, real)))
    assert code == 0
    assert fake.kinds() == ["dry", "sync"]
    # 10 % of the 2000 entries: 200, below the absolute 10000
    assert "--max-delete=200" in fake.calls[1]
    status = status_of(cfg)
    assert (status["files_transferred"], status["bytes_transferred"], status["files_deleted"]) == (1, 4096, 1)
    assert status["changes_applied"] is True
    assert "success: 1 files (4.0 KiB) transferred, 1 deleted" in capsys.readouterr().out


def test_full_filesystem_fails_clearly_and_gives_the_space_back(gms, cfg, run):
    partial = os.path.join(cfg["root"], "experimental", "big", ".~tmp~")
    os.makedirs(partial)
    open(os.path.join(partial, "huge.bin"), "w").close()
    served = os.path.join(cfg["root"], "experimental", "served.txt")
    open(served, "w").close()
    dry = ">f+++++++++ 0 experimental/big/huge.bin" + stats(files_total=10, created=1)
    real = ('rsync: [receiver] write failed on "/srv/gentoo/experimental/big/.~tmp~/huge.bin": '
            "No space left on device (28)\nrsync error: error in file IO (code 11) at receiver.c(380)\n")
    code, fake, dummy_out = run(scripted(dry=(0, dry), sync=(11, real)))
    assert code == 1
    assert fake.kinds() == ["dry", "sync"]  # a full disk is not retried
    status = status_of(cfg)
    assert status["result"] == "failure" and status["rsync_exit_code"] == 11
    assert "No space left on device" in status["message"]
    assert "the mirror filesystem is full" in status["message"]
    assert "1 .~tmp~ directories of the incomplete transfer were removed" in status["message"]
    assert not os.path.exists(partial)
    assert os.path.exists(served)


def test_lock_descriptor_is_inherited_by_rsync(gms, cfg, run):
    _code, fake, dummy_out = run(scripted())
    assert all(len(fds) == 1 for fds in fake.pass_fds)


def test_vanished_files_count_as_success(gms, cfg, run):
    dry = ">f+++++++++ 0 distfiles/ab/new.tar.gz\n" + stats(transferred=1)
    code, _fake, dummy_out = run(scripted(dry=(0, dry), sync=(24, stats(transferred=1, size=10))))
    assert code == 0
    status = status_of(cfg)
    assert status["result"] == "success" and status["rsync_exit_code"] == 24
    assert "vanished" in status["message"]


def test_missing_layout_conf_is_refused_and_tree_untouched(gms, cfg, run, capsys):
    dry = "*deleting   0 distfiles/layout.conf\n" + stats(files_total=100)
    code, fake, dummy_out = run(scripted(dry=(0, dry)))
    assert code == 3
    # the dry run (which writes nothing) found it out; the real run never started
    assert fake.kinds() == ["dry"]
    status = status_of(cfg)
    assert status["result"] == "refused"
    assert "distfiles/layout.conf is missing" in status["message"]
    assert "the tree is unchanged" in status["message"]
    assert "--force" in status["message"]
    assert "gentoo-mirror-sync: refused: upstream looks broken" in capsys.readouterr().out
    assert os.path.exists(os.path.join(cfg["root"], "distfiles", "layout.conf"))


def test_empty_upstream_is_refused_for_its_missing_files_first(gms, cfg, run):
    dry = "\n".join(["*deleting   0 distfiles/timestamp.mirmon", "*deleting   0 distfiles/layout.conf",
                     "*deleting   0 distfiles/"]) + stats(files_total=1)
    code, fake, dummy_out = run(scripted(dry=(0, dry)))
    assert code == 3 and fake.kinds() == ["dry"]
    message = status_of(cfg)["message"]
    assert message.startswith("upstream looks broken (distfiles/layout.conf is missing; "
                              "distfiles/timestamp.mirmon is missing)"), message


def test_a_required_file_absent_on_both_sides_is_refused(gms, cfg, run):
    # rsync names no entry that upstream lacks and the tree lacks too
    os.unlink(os.path.join(cfg["root"], "distfiles", "timestamp.mirmon"))
    code, fake, dummy_out = run(scripted())
    assert code == 3 and fake.kinds() == ["dry"]
    assert "distfiles/timestamp.mirmon is missing" in status_of(cfg)["message"]


@pytest.mark.parametrize("line,problem", [
    (">f.st...... 0 distfiles/layout.conf", "distfiles/layout.conf is empty"),
    ("cL+++++++++ 9 distfiles/layout.conf -> /etc/passwd", "distfiles/layout.conf is not a regular file"),
    ("cd+++++++++ 4,096 distfiles/timestamp.mirmon/", "distfiles/timestamp.mirmon is not a regular file"),
])
def test_required_files_that_upstream_changed_into_something_wrong_are_refused(gms, cfg, run, line, problem):
    code, dummy_fake, dummy_out = run(scripted(dry=(0, line + "\n" + stats())))
    assert code == 3
    assert problem in status_of(cfg)["message"]


def test_required_files_that_upstream_updated_are_accepted(gms, cfg, run):
    dry = "\n".join([">f.st...... 1,234 distfiles/timestamp.mirmon",
                     "hf+++++++++ 101 distfiles/layout.conf => distfiles/ab/layout.conf"])
    code, fake, dummy_out = run(scripted(dry=(0, dry + stats(transferred=2))))
    assert code == 0 and fake.kinds() == ["dry", "sync"]


def test_upstream_files_from_dry_run_reads_the_tree_for_unnamed_entries(gms, cfg):
    plan = gms.parse_dry_run(["*deleting   0 distfiles/layout.conf"] + stats().splitlines())
    found = gms.upstream_files_from_dry_run(cfg["root"], plan)
    assert found == {"timestamp.mirmon": ("-", 11)}


def test_first_sync_into_an_empty_tree_skips_the_dry_run(gms, cfg, run):
    shutil.rmtree(os.path.join(cfg["root"], "distfiles"))
    os.makedirs(os.path.join(cfg["root"], "releases", ".~tmp~"))
    open(os.path.join(cfg["root"], "releases", ".~tmp~", "half.iso"), "w").close()  # not a served file
    real = stats(files_total=2000, created=2000, transferred=1990, size=10 ** 9, received=10 ** 9)
    code, fake, dummy_out = run(scripted(sync=(0, real)))
    assert code == 0
    # nothing to delete in an empty tree: the file list crosses the wire once
    assert fake.kinds() == ["check", "sync"]
    assert not any(arg.startswith("--max-delete") for arg in fake.calls[1])
    assert status_of(cfg)["files_transferred"] == 1990


def test_first_sync_from_a_broken_upstream_is_refused_before_anything_is_fetched(gms, cfg, run):
    shutil.rmtree(os.path.join(cfg["root"], "distfiles"))
    code, fake, dummy_out = run(scripted(check=(23, "")))
    assert code == 3 and fake.kinds() == ["check"]


def test_no_change_sync_into_a_populated_tree_is_one_rsync_pass(gms, cfg, run):
    """The dry run answers the upstream check too: no separate listing of upstream."""
    code, fake, dummy_out = run(scripted(check=(10, "")))
    assert code == 0 and fake.kinds() == ["dry"]


def test_force_overrides_the_upstream_check(gms, cfg, run):
    dry = "*deleting   0 distfiles/layout.conf\n" + stats(files_total=100, deleted=1)
    code, fake, dummy_out = run(scripted(dry=(0, dry), sync=(0, stats(deleted=1))), extra_args=["--force"])
    assert code == 0 and fake.kinds() == ["dry", "sync"]
    assert status_of(cfg)["forced"] is True


def test_too_many_deletions_are_refused_before_the_real_run(gms, cfg, run):
    dry = "\n".join("*deleting   0 distfiles/%02x/f" % i for i in range(60)) + stats(files_total=100)
    code, fake, dummy_out = run(scripted(dry=(0, dry)))
    assert code == 3
    assert fake.kinds() == ["dry"]
    status = status_of(cfg)
    assert status["result"] == "refused" and status["files_deleted"] == 0
    assert "would delete 60 of the 160 entries" in status["message"]
    assert "max_delete" in status["message"] and "--force" in status["message"]


def test_force_applies_the_deletions_without_a_limit(gms, cfg, run):
    dry = "\n".join("*deleting   0 distfiles/%02x/f" % i for i in range(60)) + stats(files_total=100)
    code, fake, dummy_out = run(scripted(dry=(0, dry), sync=(0, stats(deleted=60))), extra_args=["--force"])
    assert code == 0 and fake.kinds() == ["dry", "sync"]
    assert not any(a.startswith("--max-delete") for a in fake.calls[1])
    assert status_of(cfg)["files_deleted"] == 60


def test_max_delete_hit_during_the_real_run_is_reported(gms, cfg, run):
    dry = "*deleting   0 distfiles/aa/f\n" + stats(files_total=1000)
    code, _fake, dummy_out = run(scripted(dry=(0, dry), sync=(25, stats(deleted=100))))
    assert code == 3
    status = status_of(cfg)
    assert status["result"] == "refused" and "--max-delete" in status["message"]


def test_transient_failure_then_success(gms, cfg, run):
    dry = ">f+++++++++ 0 distfiles/ab/new\n" + stats(transferred=1)
    code, fake, sleeps = run(scripted(dry=(0, dry), sync=[(30, ""), (0, stats(transferred=1, size=5))]))
    assert code == 0
    assert fake.kinds() == ["dry", "sync", "sync"]
    assert sleeps == [60]
    assert status_of(cfg)["attempts"] == 2


def test_failure_keeps_last_success_and_counts_failures(gms, cfg, run, capsys):
    run(scripted())
    first = status_of(cfg)
    for n in (1, 2):
        code, fake, sleeps = run(scripted(dry=(10, "")))
        assert code == 1
        assert fake.kinds() == ["dry"] * 4 and sleeps == [60, 120, 240]
        status = status_of(cfg)
        assert status["result"] == "failure" and status["exit_code"] == 1
        assert status["rsync_exit_code"] == 10
        assert status["last_success_timestamp"] == first["last_success_timestamp"]
        assert status["last_success"] == first["last_success"]
        assert status["consecutive_failures"] == n
    out = capsys.readouterr().out
    assert "gentoo-mirror-sync: failure: dry run failed: rsync exit 10 (error in socket I/O)" in out
    metrics = open(os.path.join(cfg["state_dir"], "gentoo_mirror_sync.prom"), encoding="utf-8").read()
    assert "gentoo_mirror_sync_consecutive_failures" in metrics
    assert re.search(r"^gentoo_mirror_sync_consecutive_failures\{[^}]*\} 2$", metrics, re.M)
    assert re.search(r"^gentoo_mirror_sync_last_run_success\{[^}]*\} 0$", metrics, re.M)
    assert re.search(r"^gentoo_mirror_sync_last_success_timestamp_seconds\{[^}]*\} 1012.5$", metrics, re.M)


def test_failure_is_logged_at_error_priority_in_the_journal(gms, cfg, run, capsys, monkeypatch):
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    run(scripted(dry=(1, "")))
    assert "<3>gentoo-mirror-sync: failure:" in capsys.readouterr().out


def test_second_run_while_locked_says_already_running(gms, cfg, run, capsys):
    fd = os.open(os.path.join(cfg["state_dir"], "sync.lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        code, fake, dummy_out = run(scripted())
    finally:
        os.close(fd)
    assert code == 0
    assert fake.calls == []
    assert "already running" in capsys.readouterr().out
    assert not os.path.exists(os.path.join(cfg["state_dir"], "status.json"))
    # once the holder is gone, the next run goes ahead
    code, fake, dummy_out = run(scripted())
    assert code == 0 and fake.kinds() == ["dry"]


def test_leftovers_cleaned_only_after_an_unclean_run(gms, cfg, run):
    root = cfg["root"]
    leftover = os.path.join(root, "distfiles", "ab", ".~tmp~")
    os.makedirs(leftover)
    open(os.path.join(leftover, "half.tar.gz"), "w").close()
    # previous run finished cleanly (no marker): left alone, costs no tree walk
    run(scripted())
    assert os.path.isdir(leftover)
    # a failing run leaves the marker behind ...
    run(scripted(dry=(1, "")))
    assert os.path.exists(os.path.join(cfg["state_dir"], "sync.running"))
    # ... so the next run removes the leftovers first
    run(scripted())
    assert not os.path.exists(leftover)
    assert os.path.isdir(os.path.join(root, "distfiles", "ab"))
    assert not os.path.exists(os.path.join(cfg["state_dir"], "sync.running"))


def test_clean_option_forces_the_cleanup(gms, cfg, run):
    leftover = os.path.join(cfg["root"], "releases", ".~tmp~")
    os.makedirs(leftover)
    run(scripted(), extra_args=["--clean"])
    assert not os.path.exists(leftover)


def test_password_never_reaches_arguments_output_or_status(gms, cfg, run, tmp_path, capsys):
    secret = tmp_path / "rsync.password"
    secret.write_text("s3cr3t-pw\n")
    conf = {"upstream_user": "mirror42", "password_file": str(secret)}
    run(scripted(), config=conf)
    run(scripted(dry=(5, "")), config=conf)
    _code, fake, dummy_out = run(scripted(), config=conf)
    assert all("s3cr3t-pw" not in " ".join(argv) for argv in fake.calls)
    assert all("--password-file=%s" % secret in argv for argv in fake.calls)
    assert "s3cr3t-pw" not in capsys.readouterr().out
    for name in os.listdir(cfg["state_dir"]):
        with open(os.path.join(cfg["state_dir"], name), encoding="utf-8", errors="replace") as handle:
            assert "s3cr3t-pw" not in handle.read()


def test_sigterm_is_recorded_as_interrupted(gms, cfg, run):
    def script(kind, _argv):
        if kind == "dry":
            raise gms.Terminated()
        return 0, LISTING_OK

    code, _fake, dummy_out = run(script)
    assert code == 143
    assert status_of(cfg)["result"] == "interrupted"
    assert os.path.exists(os.path.join(cfg["state_dir"], "sync.running"))


# ---------------------------------------------------------------------------------------
# status and metrics files


def test_atomic_write_replaces_without_leaving_temporary_files(gms, tmp_path):
    path = tmp_path / "status.json"
    path.write_text("old")
    gms.atomic_write(str(path), "new\n")
    assert path.read_text() == "new\n"
    assert os.listdir(tmp_path) == ["status.json"]
    assert (os.stat(path).st_mode & 0o777) == 0o644


def test_atomic_write_keeps_the_old_file_on_error(gms, tmp_path, monkeypatch):
    path = tmp_path / "status.json"
    path.write_text("old")

    def boom(_src, _dst):
        raise OSError("disk full")

    monkeypatch.setattr(gms.os, "replace", boom)
    with pytest.raises(OSError):
        gms.atomic_write(str(path), "new")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["status.json"]


def test_status_json_has_every_field(gms, cfg, run):
    run(scripted())
    status = status_of(cfg)
    for key in ("start", "end", "duration_seconds", "exit_code", "rsync_exit_code", "files_transferred",
                "bytes_transferred", "files_deleted", "upstream", "last_success", "last_success_timestamp",
                "result", "message", "attempts", "consecutive_failures"):
        assert key in status


def test_metrics_are_valid_textfile_format(gms, cfg, run):
    run(scripted(), config={"upstream": 'rsync://up"stream/gentoo/'})
    text = open(os.path.join(cfg["state_dir"], "gentoo_mirror_sync.prom"), encoding="utf-8").read()
    assert text.endswith("\n")
    typed = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
            continue
        if line.startswith("# HELP "):
            continue
        match = re.match(r'^([a-z_]+)\{((?:[a-z_]+="(?:[^"\\]|\\.)*",?)+)\} (-?[0-9.e+]+)$', line)
        assert match, line
        assert match.group(1) in typed
    assert 'upstream="rsync://up\\"stream/gentoo/"' in text
    for name in ("last_success_timestamp_seconds", "last_run_duration_seconds", "last_run_success",
                 "last_run_result", "last_run_exit_code", "last_run_files_transferred",
                 "last_run_bytes_transferred"):
        assert "gentoo_mirror_sync_" + name in typed
    assert re.search(r'^gentoo_mirror_sync_last_run_result\{[^}]*result="success"\} 1$', text, re.M)
    assert re.search(r'^gentoo_mirror_sync_last_run_result\{[^}]*result="failure"\} 0$', text, re.M)


def test_metrics_before_any_success_report_zero(gms, cfg, run):
    run(scripted(dry=(1, "")))
    text = open(os.path.join(cfg["state_dir"], "gentoo_mirror_sync.prom"), encoding="utf-8").read()
    assert re.search(r"^gentoo_mirror_sync_last_success_timestamp_seconds\{[^}]*\} 0$", text, re.M)
    assert status_of(cfg)["last_success"] is None


def test_human_bytes(gms):
    assert gms.human_bytes(0) == "0 B"
    assert gms.human_bytes(1536) == "1.5 KiB"
    assert gms.human_bytes(64 * 1024 * 1024) == "64.0 MiB"


def test_config_file_may_start_with_comment_lines(gms, cfg, tmp_path):
    path = tmp_path / "sync.conf"
    path.write_text("#\n# Ansible managed\n#\n" + json.dumps(dict(cfg, max_delete=7), indent=2) + "\n")
    assert gms.load_config(str(path))["max_delete"] == 7


@pytest.mark.parametrize("error", ["@ERROR: auth failed on module gentoo",
                                   "@ERROR: Unknown module 'gentoo-typo'"])
def test_daemon_refusals_that_no_retry_changes_fail_at_once(gms, cfg, run, error):
    code, fake, sleeps = run(scripted(dry=(5, error + "\nrsync error: error starting client-server protocol (code 5)\n")))
    assert code == 1
    assert fake.kinds() == ["dry"] and sleeps == []
    assert status_of(cfg)["message"] == (
        "dry run failed: rsync exit 5 (error starting client-server protocol (upstream refused or busy)): " + error)


def test_busy_daemon_is_retried(gms, cfg, run):
    busy = "@ERROR: max connections (50) reached -- try again later\n"
    code, fake, sleeps = run(scripted(dry=[(5, busy), (0, STATS_NO_CHANGE)]))
    assert code == 0
    assert sleeps == [60]


# ---------------------------------------------------------------------------------------
# command line


def test_command_line_options(gms):
    args = gms.parse_args(["--config", "/etc/x.conf", "--force", "--clean"])
    assert (args.config, args.force, args.clean, args.check_config) == ("/etc/x.conf", True, True, False)
    args = gms.parse_args(["--config=/etc/y.conf", "--check-config"])
    assert (args.config, args.check_config, args.force) == ("/etc/y.conf", True, False)
    assert gms.parse_args([]).config == "/etc/gentoo-mirror/sync.conf"


@pytest.mark.parametrize("argv,problem", [
    (["--frce"], "unknown argument '--frce'"),
    (["--config"], "--config needs a file name"),
    (["extra"], "unknown argument 'extra'"),
])
def test_bad_usage_exits_2_and_says_why(gms, capsys, argv, problem):
    with pytest.raises(SystemExit) as exc:
        gms.parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: gentoo-mirror-sync [--config FILE]")
    assert err.rstrip().endswith("gentoo-mirror-sync: error: " + problem)


def test_help_lists_every_option_and_exits_0(gms, capsys):
    with pytest.raises(SystemExit) as exc:
        gms.parse_args(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--config FILE", "--check-config", "--force", "--clean", "--help"):
        assert option in out


# ---------------------------------------------------------------------------------------
# the lock: private to the sync user, stuck holders reported


DAY = 86400


def lock_path(cfg):
    return os.path.join(cfg["state_dir"], "sync.lock")


def hold_lock(cfg, record=None, mode=0o600):
    """Another process's descriptor holding the lock, with its holder record (a dict or text)."""
    fd = os.open(lock_path(cfg), os.O_RDWR | os.O_CREAT, mode)
    os.chmod(lock_path(cfg), mode)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    if record is not None:
        os.ftruncate(fd, 0)
        os.write(fd, (record if isinstance(record, str) else json.dumps(record)).encode())
    return fd


def dead_pid():
    proc = REAL_POPEN(["true"])
    proc.wait()
    return proc.pid


def test_lock_file_is_private_and_records_its_holder(gms, cfg, run):
    code, _fake, dummy_out = run(scripted())
    assert code == 0
    info = os.stat(lock_path(cfg))
    assert oct(info.st_mode & 0o777) == "0o600" and info.st_uid == os.geteuid()
    record = json.loads(open(lock_path(cfg), encoding="utf-8").read())
    assert record["pid"] == os.getpid() and record["start"] == 1000.0
    assert record["proc_start"] == gms.proc_start_ticks()


def test_lock_file_left_readable_is_replaced_and_an_old_descriptor_locks_nothing(gms, cfg, run, capsys):
    with open(lock_path(cfg), "w", encoding="utf-8") as handle:
        handle.write("4242\n")  # an older version's lock: its pid only, mode 0644
    os.chmod(lock_path(cfg), 0o644)
    old_inode = os.stat(lock_path(cfg)).st_ino
    squatter = os.open(lock_path(cfg), os.O_RDONLY)  # another user opened it while it was readable
    try:
        assert run(scripted())[0] == 0
        info = os.stat(lock_path(cfg))
        assert info.st_ino != old_inode and oct(info.st_mode & 0o777) == "0o600"
        assert not [name for name in os.listdir(cfg["state_dir"]) if name.endswith(".tmp")]
        # the squatter's lock is on a file nobody looks at any more
        fcntl.flock(squatter, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, fake, dummy_out = run(scripted())
    finally:
        os.close(squatter)
    assert code == 0 and fake.kinds() == ["dry"]
    assert "already running" not in capsys.readouterr().out


def test_lock_is_not_followed_through_a_symlink(gms, cfg, run, tmp_path, capsys):
    target = tmp_path / "elsewhere"
    target.write_text("keep\n")
    os.symlink(str(target), lock_path(cfg))
    code, fake, dummy_out = run(scripted())
    assert code == 1 and fake.calls == []
    assert "cannot open the lock %s" % lock_path(cfg) in capsys.readouterr().out
    assert target.read_text() == "keep\n"


def test_a_readable_lock_that_cannot_be_replaced_fails_clearly(gms, cfg, run, capsys, monkeypatch):
    with open(lock_path(cfg), "w", encoding="utf-8") as handle:
        handle.write("4242\n")
    os.chmod(lock_path(cfg), 0o644)

    def refused(_src, _dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(gms.os, "replace", refused)  # e.g. a state directory the user cannot write
    code, fake, dummy_out = run(scripted())
    assert code == 1 and fake.calls == []
    assert "cannot use the lock %s: Permission denied" % lock_path(cfg) in capsys.readouterr().out
    assert oct(os.stat(lock_path(cfg)).st_mode & 0o777) == "0o644"
    assert os.listdir(cfg["state_dir"]) == ["sync.lock"]


def test_lock_held_within_the_bound_is_already_running_and_exits_0(gms, cfg, run, capsys):
    run(scripted())
    fd = hold_lock(cfg, {"pid": os.getpid(), "start": 1000.0 - DAY + 60, "proc_start": gms.proc_start_ticks()})
    try:
        code, fake, sleeps = run(scripted())
    finally:
        os.close(fd)
    assert code == 0 and fake.calls == [] and sleeps == []
    assert ("already running (lock %s held by pid %d since 1969-12-31T00:17:40Z); nothing to do"
            % (lock_path(cfg), os.getpid())) in capsys.readouterr().out


def test_lock_held_longer_than_a_sync_can_take_is_reported_loudly(gms, cfg, run, capsys, monkeypatch):
    run(scripted())
    before = status_of(cfg)
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    fd = hold_lock(cfg, {"pid": os.getpid(), "start": 1000.0 - 2 * DAY, "proc_start": gms.proc_start_ticks()})
    try:
        code, fake, sleeps = run(scripted())
    finally:
        os.close(fd)
    assert code == 4 and fake.calls == []
    assert sleeps == [1]  # looked at twice: a run that has just taken the lock records itself a moment later
    st = status_of(cfg)
    assert st["result"] == "lock_stuck" and st["exit_code"] == 4
    assert st["lock_holder_pid"] == os.getpid()
    assert st["lock_held_seconds"] == 2 * DAY + 12.5
    assert st["last_success_timestamp"] == before["last_success_timestamp"]
    assert st["consecutive_failures"] == 1
    assert "has been held for 2 d 0 h" in st["message"] and "by pid %d, still running" % os.getpid() in st["message"]
    assert "lock_stuck_after: 1 d 0 h; role variable gentoo_mirror_sync_lock_stuck_after" in st["message"]
    assert "grep ':%d ' /proc/locks" % os.stat(lock_path(cfg)).st_ino in st["message"]
    out = capsys.readouterr().out
    assert "<3>gentoo-mirror-sync: lock_stuck: the lock %s has been held for 2 d 0 h" % lock_path(cfg) in out
    metrics = open(os.path.join(cfg["state_dir"], "gentoo_mirror_sync.prom"), encoding="utf-8").read()
    assert re.search(r'^gentoo_mirror_sync_last_run_result\{[^}]*result="lock_stuck"\} 1$', metrics, re.M)
    assert re.search(r"^gentoo_mirror_sync_lock_held_seconds\{[^}]*\} 172812.5$", metrics, re.M)
    assert re.search(r"^gentoo_mirror_sync_last_run_success\{[^}]*\} 0$", metrics, re.M)
    # once the holder is gone, the next run syncs and the gauge is back to 0
    assert run(scripted())[0] == 0
    metrics = open(os.path.join(cfg["state_dir"], "gentoo_mirror_sync.prom"), encoding="utf-8").read()
    assert re.search(r"^gentoo_mirror_sync_lock_held_seconds\{[^}]*\} 0$", metrics, re.M)


def test_a_first_sync_may_hold_the_lock_for_weeks(gms, cfg, run, capsys):
    # no sync has succeeded yet (no status file): lock_stuck_after_first_sync applies
    fd = hold_lock(cfg, {"pid": os.getpid(), "start": 1000.0 - 20 * DAY})
    try:
        assert run(scripted())[0] == 0
        assert "already running" in capsys.readouterr().out
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "start": 1000.0 - 22 * DAY}).encode(), 0)
        assert run(scripted())[0] == 4
    finally:
        os.close(fd)
    message = status_of(cfg)["message"]
    assert "longer than a first sync can take (lock_stuck_after_first_sync: 21 d 0 h" in message


def test_stuck_bound_comes_from_the_configuration(gms, cfg, run):
    run(scripted())
    fd = hold_lock(cfg, {"pid": os.getpid(), "start": 1000.0 - 120})
    try:
        assert run(scripted(), config={"lock_stuck_after": 180})[0] == 0
        assert run(scripted(), config={"lock_stuck_after": 60})[0] == 4
    finally:
        os.close(fd)
    assert status_of(cfg)["lock_held_seconds"] == 132.5


def test_a_holder_without_a_record_is_aged_by_the_lock_file(gms, cfg, run):
    run(scripted())
    fd = hold_lock(cfg, "")
    os.utime(lock_path(cfg), (1000.0 - 2 * DAY, 1000.0 - 2 * DAY))
    try:
        assert run(scripted())[0] == 4
    finally:
        os.close(fd)
    assert "by an unrecorded process" in status_of(cfg)["message"]


def test_a_run_that_has_just_taken_the_lock_is_not_called_stuck(gms, cfg, run, capsys):
    """It holds the lock but has not yet replaced the record of the run before it."""
    run(scripted())
    fd = hold_lock(cfg, {"pid": dead_pid(), "start": 1000.0 - 3 * DAY})

    def holder_records_itself(dummy_seconds):
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "start": 1012.0}).encode(), 0)

    try:
        code, _fake, sleeps = run(scripted(), sleep=holder_records_itself)
    finally:
        os.close(fd)
    assert code == 0 and sleeps == [1]
    assert "already running" in capsys.readouterr().out
    assert status_of(cfg)["result"] == "success"


def test_readable_lock_held_after_its_recorded_holder_is_gone_is_reported_at_once(gms, cfg, run):
    run(scripted())
    # an older version's lock file (0644, its pid only); the run that wrote it has ended, yet
    # something holds it: any local user may have opened it
    fd = hold_lock(cfg, "%d\n" % dead_pid(), mode=0o644)
    try:
        assert run(scripted())[0] == 4
    finally:
        os.close(fd)
    message = status_of(cfg)["message"]
    assert "is readable by other users (mode 0644, left by an older version)" in message
    assert "remove the file" in message
    # a readable lock whose recorded holder still runs is an older version's sync at work
    fd = hold_lock(cfg, "%d\n" % os.getpid(), mode=0o644)
    try:
        assert run(scripted())[0] == 0
    finally:
        os.close(fd)


def test_holder_alive_tells_a_reused_pid_from_the_holder(gms, tmp_path):
    def holder(pid, proc_start):
        return gms.Holder(str(tmp_path / "sync.lock"), pid, 0.0, proc_start, 0o600, 1)

    assert holder(os.getpid(), gms.proc_start_ticks()).alive() is True
    assert holder(os.getpid(), gms.proc_start_ticks() + 1).alive() is False
    assert holder(dead_pid(), None).alive() is False
    assert holder(None, None).alive() is None


# ---------------------------------------------------------------------------------------
# log lines: upstream text cannot set a journal priority or send control characters


@pytest.mark.parametrize("text,clean", [
    ("<0>forged emergency", "\\x3c0>forged emergency"),
    ("<013>forged", "\\x3c013>forged"),
    ("<html> and a <0> inside", "<html> and a <0> inside"),
    ("red \x1b[31malert\x1b[0m", "red \\x1b[31malert\\x1b[0m"),
    ("nul\x00<0>second line", "nul\\x00<0>second line"),
    ("carriage\rreturn and bell\x07", "carriage\\x0dreturn and bell\\x07"),
    ("C1 csi \x9b31m and del \x7f", "C1 csi \\x9b31m and del \\x7f"),
    ("separator\u2028<0>x", "separator\\u2028<0>x"),
    ("tab\tstays, as do ümlauts and \\#033", "tab\tstays, as do ümlauts and \\#033"),
    ("", ""),
])
def test_clean_text(gms, text, clean):
    assert gms.clean_text(text) == clean


def test_clean_text_cuts_long_lines(gms):
    # journald splits a line at LineMax (48K) and reads a level prefix in the rest again
    got = gms.clean_text("a" * 50000 + "<0>forged")
    assert got == "a" * 4000 + " [46009 more characters cut]"


def test_upstream_motd_and_errors_are_printed_neutralised(gms, cfg, run, capsys, monkeypatch):
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    motd = "Welcome\n<0>forged emergency\n<1>alert \x1b]0;title\x07 \x00<2>after a NUL\n"
    run(scripted(dry=(0, motd + STATS_NO_CHANGE)))
    out = capsys.readouterr().out
    assert "\\x3c0>forged emergency\n" in out
    assert "\\x3c1>alert \\x1b]0;title\\x07 \\x00<2>after a NUL\n" in out
    assert not re.search(r"^<\d", out, re.M)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", out)
    # a failing run: only the program's own summary carries a priority; upstream's error text in
    # it and in the status file is cleaned too
    run(scripted(dry=(5, "<0>x\n@ERROR: \x1b[2Jcleared <0>screen\n")))
    out = capsys.readouterr().out
    assert re.findall(r"^<\d>.*$", out, re.M) == [
        "<3>gentoo-mirror-sync: failure: dry run failed: rsync exit 5 (error starting client-server protocol "
        "(upstream refused or busy)): @ERROR: \\x1b[2Jcleared <0>screen in 12.5 s from rsync://upstream.example/gentoo/ "
        "(4 attempts)"]
    assert "\x1b" not in status_of(cfg)["message"]


# ---------------------------------------------------------------------------------------
# what the status page and the alert rules read: history, free space, the policy's age


def history_of(cfg):
    return json.load(open(os.path.join(cfg["state_dir"], "history.json"), encoding="utf-8"))


def test_history_keeps_the_last_30_runs_oldest_first(gms, cfg, run):
    for dummy in range(31):
        run(scripted())
    run(scripted(dry=(1, "")))
    history = history_of(cfg)
    assert len(history) == 30
    assert [entry["result"] for entry in history[-2:]] == ["success", "failure"]
    assert set(history[0]) == {"end_timestamp", "duration_seconds", "bytes_transferred", "result"}
    assert history[-1]["duration_seconds"] == 12.5
    assert [e["end_timestamp"] for e in history] == sorted(e["end_timestamp"] for e in history)


def test_history_survives_a_damaged_file(gms, cfg, run):
    with open(os.path.join(cfg["state_dir"], "history.json"), "w", encoding="utf-8") as handle:
        handle.write("{not json")
    run(scripted())
    assert [entry["result"] for entry in history_of(cfg)] == ["success"]


def test_metrics_say_free_space_and_the_policy_age(gms, cfg, run, monkeypatch):
    class Space:
        f_blocks, f_bavail, f_frsize = 1000, 50, 4096
    monkeypatch.setattr(gms.os, "statvfs", lambda path: Space())
    run(scripted(), config={"max_age_seconds": 14400})
    text = open(os.path.join(cfg["state_dir"], "gentoo_mirror_sync.prom"), encoding="utf-8").read()
    assert re.search(r"^gentoo_mirror_sync_filesystem_size_bytes\{[^}]*\} 4096000$", text, re.M)
    assert re.search(r"^gentoo_mirror_sync_filesystem_avail_bytes\{[^}]*\} 204800$", text, re.M)
    assert re.search(r"^gentoo_mirror_sync_max_age_seconds\{[^}]*\} 14400$", text, re.M)
    assert status_of(cfg)["filesystem_avail_bytes"] == 204800


def test_metrics_leave_out_free_space_when_the_filesystem_cannot_be_read(gms, cfg, run, monkeypatch):
    def fail(path):
        raise OSError("gone")
    monkeypatch.setattr(gms.os, "statvfs", fail)
    run(scripted())
    text = open(os.path.join(cfg["state_dir"], "gentoo_mirror_sync.prom"), encoding="utf-8").read()
    assert "filesystem_avail_bytes" not in text
    assert re.search(r"^gentoo_mirror_sync_max_age_seconds\{[^}]*\} 0$", text, re.M)


@pytest.mark.parametrize("value", [-1, "4h", True, 1.5])
def test_max_age_must_be_whole_seconds(gms, cfg, value):
    with pytest.raises(gms.ConfigError, match="max_age_seconds must be a whole number >= 0"):
        gms.validate_config(dict(cfg, max_age_seconds=value))


# ---------------------------------------------------------------------------------------
# tiers: the upstream's trigger (request file), triggering the downstream mirrors (push),
# an unreachable upstream

CHANGED_DRY = ">f+++++++++ 0 distfiles/ab/new.tar.gz\n" + stats(files_total=2000, created=1)
CHANGED_SYNC = stats(files_total=2000, created=1, transferred=1, size=4096)
CHANGED = {"dry": (0, CHANGED_DRY), "sync": (0, CHANGED_SYNC)}


def downstream(name, **change):
    entry = {"name": name, "host": name + ".example.test", "user": "gentoo-mirror-trigger",
             "key_file": "/var/lib/gentoo-mirror/.ssh/push-" + name,
             "known_hosts": "/var/lib/gentoo-mirror/.ssh/known_hosts-" + name}
    entry.update(change)
    return entry


TIER1 = {"upstream_label": "tier-1 fleet-mirror1.example.test",
         "push": [downstream("mirror2"), downstream("mirror3", port=2222)]}


class FakeSsh:
    """Stands in for run_ssh: answers[name] -> (code or None for a timeout, stderr)."""

    def __init__(self, answers=None):
        self.answers = answers or {}
        self.calls = []

    def __call__(self, argv, timeout):
        self.calls.append((list(argv), timeout))
        host = argv[-2]
        return self.answers.get(host.split(".", 1)[0], (0, ""))


def metrics_of(cfg):
    with open(os.path.join(cfg["state_dir"], "gentoo_mirror_sync.prom"), encoding="utf-8") as handle:
        return handle.read()


def metric_value(text, name, labels=""):
    match = re.search(r"^gentoo_mirror_sync_%s\{[^}]*%s[^}]*\} (\S+)$" % (name, re.escape(labels)), text, re.M)
    return match and match.group(1)


def test_a_sync_that_changed_the_tree_triggers_every_downstream(gms, cfg, run, capsys):
    ssh = FakeSsh()
    code = run(scripted(**CHANGED), config=TIER1, ssh_runner=ssh)[0]
    assert code == 0
    assert sorted(ssh.calls) == [
        (["/usr/bin/ssh", "-F", "/dev/null", "-i", "/var/lib/gentoo-mirror/.ssh/push-mirror2",
          "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
          "-o", "UserKnownHostsFile=/var/lib/gentoo-mirror/.ssh/known_hosts-mirror2",
          "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
          "-p", "22", "-l", "gentoo-mirror-trigger", "-T", "mirror2.example.test", "sync"], 30),
        (["/usr/bin/ssh", "-F", "/dev/null", "-i", "/var/lib/gentoo-mirror/.ssh/push-mirror3",
          "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
          "-o", "UserKnownHostsFile=/var/lib/gentoo-mirror/.ssh/known_hosts-mirror3",
          "-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
          "-p", "2222", "-l", "gentoo-mirror-trigger", "-T", "mirror3.example.test", "sync"], 30)]
    st = status_of(cfg)
    assert st["pushed"] is True and st["push_timestamp"] == 1012.5
    assert st["push"] == [{"name": "mirror2", "delivered": True, "message": ""},
                          {"name": "mirror3", "delivered": True, "message": ""}]
    metrics = metrics_of(cfg)
    assert metric_value(metrics, "push_targets") == "2" and metric_value(metrics, "push_failures") == "0"
    assert ('gentoo_mirror_sync_push_delivered{upstream="rsync://upstream.example/gentoo/",downstream="mirror2"} 1'
            in metrics.splitlines())
    assert metric_value(metrics, "push_delivered", 'downstream="mirror3"') == "1"
    out = capsys.readouterr().out
    assert "success: 1 files (4.0 KiB) transferred, 0 deleted; triggered 2 of 2 downstream mirrors in 12.5 s" in out


def test_downstream_mirrors_are_triggered_at_once(gms, cfg, run):
    """Each trigger waits for the other at a barrier: one after the other, the first would time out."""
    import threading
    barrier = threading.Barrier(2, timeout=5)

    def ssh(argv, timeout):
        barrier.wait()
        return 0, ""

    assert run(scripted(**CHANGED), config=TIER1, ssh_runner=ssh)[0] == 0
    assert [entry["delivered"] for entry in status_of(cfg)["push"]] == [True, True]


@pytest.mark.parametrize("script,code", [
    (scripted(), 0),                                                            # success, nothing changed
    (scripted(dry=(1, "rsync error: syntax or usage error (code 1)\n")), 1),    # failed
    (scripted(dry=(0, "*deleting   0 distfiles/layout.conf\n" + stats())), 3),  # refused by a guard
    (scripted(dry=(0, CHANGED_DRY), sync=(25, CHANGED_SYNC)), 3),               # --max-delete hit
    (scripted(dry=(0, CHANGED_DRY), sync=(23, CHANGED_SYNC)), 1),               # partial transfer
], ids=["no-change", "failure", "refused", "max-delete", "partial"])
def test_no_push_after_a_run_that_did_not_change_the_tree_cleanly(gms, cfg, run, capsys, script, code):
    ssh = FakeSsh()
    assert run(script, config=TIER1, ssh_runner=ssh)[0] == code
    assert ssh.calls == []
    st = status_of(cfg)
    assert st["pushed"] is False and st["push"] == []
    assert metric_value(metrics_of(cfg), "push_targets") == "0"
    assert "downstream" not in capsys.readouterr().out


def test_no_push_after_an_interrupted_run(gms, cfg, run):
    def script(kind, argv):
        raise gms.Terminated()
    ssh = FakeSsh()
    assert run(script, config=TIER1, ssh_runner=ssh)[0] == 143
    assert ssh.calls == [] and status_of(cfg)["pushed"] is False


def test_an_undelivered_trigger_is_reported_and_the_sync_still_succeeds(gms, cfg, run, capsys, monkeypatch):
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    refused = "ssh: connect to host mirror3.example.test port 2222: Connection refused\r\nsecond line\n"
    ssh = FakeSsh({"mirror3": (255, refused)})
    code = run(scripted(**CHANGED), config=TIER1, ssh_runner=ssh)[0]
    assert code == 0
    st = status_of(cfg)
    assert st["result"] == "success" and st["exit_code"] == 0 and st["consecutive_failures"] == 0
    assert st["push"] == [
        {"name": "mirror2", "delivered": True, "message": ""},
        {"name": "mirror3", "delivered": False,
         "message": "ssh: connect to host mirror3.example.test port 2222: Connection refused"}]
    metrics = metrics_of(cfg)
    assert metric_value(metrics, "push_targets") == "2" and metric_value(metrics, "push_failures") == "1"
    assert metric_value(metrics, "push_delivered", 'downstream="mirror3"') == "0"
    assert metric_value(metrics, "push_delivered", 'downstream="mirror2"') == "1"
    assert metric_value(metrics, "last_run_success") == "1"
    out = capsys.readouterr().out.splitlines()
    assert ("<3>gentoo-mirror-sync: could not trigger downstream mirror3: ssh: connect to host "
            "mirror3.example.test port 2222: Connection refused; it syncs on its own timer") in out
    summary = [line for line in out if line.startswith("gentoo-mirror-sync: success")]
    assert len(summary) == 1 and "triggered 1 of 2 downstream mirrors" in summary[0]


@pytest.mark.parametrize("answer,message", [
    ((None, ""), "timed out after 7 s"),
    ((1, ""), "exit 1"),
    ((255, "\x1b[31mHost key verification failed.\n"), "\\x1b[31mHost key verification failed."),
])
def test_undelivered_trigger_messages(gms, cfg, run, answer, message):
    ssh = FakeSsh({"mirror2": answer})
    config = dict(TIER1, push=[downstream("mirror2")], push_timeout=7)
    assert run(scripted(**CHANGED), config=config, ssh_runner=ssh)[0] == 0
    assert ssh.calls[0][1] == 7
    assert status_of(cfg)["push"] == [{"name": "mirror2", "delivered": False, "message": message}]


def test_a_trigger_that_raises_does_not_stop_the_others(gms, cfg, run):
    def ssh(argv, timeout):
        if "mirror2.example.test" in argv:
            raise OSError("boom")
        return 0, ""
    assert run(scripted(**CHANGED), config=TIER1, ssh_runner=ssh)[0] == 0
    assert [(e["delivered"], e["message"]) for e in status_of(cfg)["push"]] == [(False, "boom"), (True, "")]


def test_the_last_push_stays_across_runs_that_do_not_push(gms, cfg, run):
    run(scripted(**CHANGED), config=TIER1, ssh_runner=FakeSsh({"mirror3": (255, "refused\n")}))
    pushed = status_of(cfg)
    run(scripted(), config=TIER1)  # no change: no ssh (the fixture fails on a call)
    st = status_of(cfg)
    assert st["pushed"] is False
    assert st["push"] == pushed["push"] and st["push_timestamp"] == pushed["push_timestamp"]
    assert metric_value(metrics_of(cfg), "push_failures") == "1"
    # a downstream taken out of the configuration leaves the record and its metric
    run(scripted(), config=dict(TIER1, push=[downstream("mirror2")]))
    assert [entry["name"] for entry in status_of(cfg)["push"]] == ["mirror2"]
    metrics = metrics_of(cfg)
    assert metric_value(metrics, "push_failures") == "0" and 'downstream="mirror3"' not in metrics
    run(scripted(), config=dict(TIER1, push=[]))
    assert status_of(cfg)["push"] == [] and status_of(cfg)["push_timestamp"] is None


def test_run_ssh_kills_a_call_that_outlives_the_timeout(gms, tmp_path):
    """The real run_ssh on a stand-in ssh (a shell script): stderr, exit code, timeout."""
    fake = tmp_path / "ssh"
    fake.write_text("#!/bin/sh\necho \"stderr of $*\" >&2\necho stdout\n[ \"$1\" = slow ] && exec sleep 30\nexit 3\n")
    fake.chmod(0o755)
    assert gms.run_ssh([str(fake), "fast"], 5) == (3, "stderr of fast\n")
    start = gms.time.monotonic()
    code, err = gms.run_ssh([str(fake), "slow"], 1)
    assert code is None and err == "stderr of slow\n"
    assert gms.time.monotonic() - start < 10
    assert gms.run_ssh([str(tmp_path / "missing")], 1)[0] == 127


def test_the_request_file_is_consumed_when_the_run_starts(gms, cfg, run, tmp_path, capsys):
    request = tmp_path / "sync.request"
    request.write_text("")
    seen = []

    def script(kind, argv):
        seen.append(request.exists())
        return 0, STATS_NO_CHANGE

    assert run(script, config={"request_file": str(request)})[0] == 0
    assert seen == [False] and not request.exists()
    st = status_of(cfg)
    assert st["triggered"] is True
    assert metric_value(metrics_of(cfg), "last_run_triggered") == "1"
    assert "gentoo-mirror-sync: success (triggered by upstream): tree already up to date" in capsys.readouterr().out
    # a run the timer started
    assert run(script, config={"request_file": str(request)})[0] == 0
    assert status_of(cfg)["triggered"] is False
    assert metric_value(metrics_of(cfg), "last_run_triggered") == "0"


def test_a_trigger_during_a_run_asks_for_one_more(gms, cfg, run, tmp_path):
    request = tmp_path / "sync.request"
    request.write_text("")

    def script(kind, argv):
        request.write_text("")  # the upstream's trigger arrives while rsync runs
        return 0, STATS_NO_CHANGE

    run(script, config={"request_file": str(request)})
    assert request.exists()


def test_a_run_that_finds_the_lock_busy_leaves_the_request(gms, cfg, run, tmp_path):
    request = tmp_path / "sync.request"
    request.write_text("")
    fd = os.open(os.path.join(cfg["state_dir"], "sync.lock"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        assert run(scripted(), config={"request_file": str(request)})[0] == 0
    finally:
        os.close(fd)
    assert request.exists()


def test_a_request_that_cannot_be_removed_is_an_error_line(gms, cfg, run, tmp_path, capsys, monkeypatch):
    request = tmp_path / "sync.request"
    request.write_text("")
    real_unlink = os.unlink

    def unlink(path, *a, **k):
        if str(path) == str(request):
            raise PermissionError(13, "Permission denied")
        return real_unlink(path, *a, **k)
    monkeypatch.setattr(gms.os, "unlink", unlink)
    assert run(scripted(), config={"request_file": str(request)})[0] == 0
    assert ("cannot remove the request file %s: Permission denied" % request) in capsys.readouterr().out
    assert status_of(cfg)["triggered"] is True


CONNECT_REFUSED = ("rsync: [Receiver] failed to connect to fleet-mirror1.example.test (10.89.0.2): "
                   "Connection refused (111)\nrsync error: error in socket I/O (code 10) at clientserver.c(139) "
                   "[Receiver=3.2.7]\n")


@pytest.mark.parametrize("code,output", [
    (10, CONNECT_REFUSED),
    (10, "rsync: getaddrinfo: fleet-mirror1.example.test 873: Name or service not known\n"),
    (10, "rsync: getaddrinfo: fleet-mirror1.example.test 873: Temporary failure in name resolution\n"),
    (10, "rsync: [Receiver] failed to connect to 10.89.0.2 (10.89.0.2): No route to host (113)\n"),
    (10, "rsync: [Receiver] failed to connect to 10.89.0.2 (10.89.0.2): Connection timed out (110)\n"),
    (35, "rsync error: timeout waiting for daemon connection (code 35) at socket.c(278) [Receiver=3.2.7]\n"),
])
def test_an_upstream_out_of_reach_is_called_unreachable(gms, cfg, run, code, output):
    config = {"upstream_label": "tier-1 fleet-mirror1.example.test", "retries": 0}
    assert run(scripted(dry=(code, output)), config=config)[0] == 1
    st = status_of(cfg)
    assert st["upstream_unreachable"] is True
    assert st["message"].startswith("upstream tier-1 fleet-mirror1.example.test unreachable: dry run failed: "
                                    "rsync exit %d (" % code)
    assert st["upstream_label"] == "tier-1 fleet-mirror1.example.test"
    assert metric_value(metrics_of(cfg), "upstream_reachable") == "0"


def test_unreachable_names_the_upstream_url_without_a_label(gms, cfg, run):
    run(scripted(dry=(10, CONNECT_REFUSED)), config={"retries": 0})
    assert status_of(cfg)["message"] == (
        "upstream rsync://upstream.example/gentoo/ unreachable: dry run failed: rsync exit 10 (error in "
        "socket I/O): rsync: [Receiver] failed to connect to fleet-mirror1.example.test (10.89.0.2): "
        "Connection refused (111)")


def test_the_first_sync_and_the_real_run_also_tell_unreachable(gms, cfg, run):
    shutil.rmtree(os.path.join(cfg["root"], "distfiles"))
    run(scripted(check=(10, CONNECT_REFUSED)), config={"retries": 0})
    assert status_of(cfg)["message"].startswith("upstream rsync://upstream.example/gentoo/ unreachable: upstream check failed")
    os.makedirs(os.path.join(cfg["root"], "distfiles"))
    for name in ("layout.conf", "timestamp.mirmon"):
        with open(os.path.join(cfg["root"], "distfiles", name), "w", encoding="utf-8") as handle:
            handle.write("x\n")
    run(scripted(dry=(0, CHANGED_DRY), sync=(10, CONNECT_REFUSED)), config={"retries": 0})
    assert status_of(cfg)["upstream_unreachable"] is True
    assert "unreachable: sync failed: rsync exit 10" in status_of(cfg)["message"]


@pytest.mark.parametrize("code,output", [
    (5, "@ERROR: max connections (50) reached -- try again later\n"),            # busy: it answered
    (10, "rsync: connection unexpectedly closed (0 bytes received so far) [Receiver]\n"),
    (12, "rsync: [Receiver] read error: Connection reset by peer (104)\n"),
    (1, "rsync error: syntax or usage error (code 1)\n"),
])
def test_other_failures_are_not_unreachable(gms, cfg, run, code, output):
    run(scripted(dry=(code, output)), config={"upstream_label": "tier-1 x", "retries": 0})
    st = status_of(cfg)
    assert st["result"] == "failure" and st["upstream_unreachable"] is False
    assert st["message"].startswith("dry run failed")
    assert metric_value(metrics_of(cfg), "upstream_reachable") == "1"


def test_a_reachable_upstream_after_an_unreachable_one(gms, cfg, run):
    run(scripted(dry=(10, CONNECT_REFUSED)), config={"retries": 0})
    run(scripted())
    assert status_of(cfg)["upstream_unreachable"] is False
    assert metric_value(metrics_of(cfg), "upstream_reachable") == "1"


def test_tier_defaults(gms):
    cfg = gms.validate_config({"push": [downstream("m2")]})
    assert cfg["upstream_label"] == "" and cfg["request_file"] == ""
    assert cfg["push_timeout"] == 30 and cfg["ssh"] == "/usr/bin/ssh"
    assert cfg["push"][0]["port"] == 22
    assert gms.validate_config({})["push"] == []


@pytest.mark.parametrize("raw,message", [
    ({"upstream_label": 1}, "upstream_label must be a string, got 1"),
    ({"request_file": "run/sync.request"}, "request_file must be an absolute path, got 'run/sync.request'"),
    ({"request_file": None}, "request_file must be a string, got None"),
    ({"ssh": ""}, "ssh must be a non-empty string, got ''"),
    ({"push_timeout": 0}, "push_timeout must be a whole number of seconds >= 1, got 0"),
    ({"push_timeout": True}, "push_timeout must be a whole number of seconds >= 1, got True"),
    ({"push": {"name": "m2"}}, "push must be a list of downstream mirrors, got {'name': 'm2'}"),
    ({"push": ["m2"]}, "push[0] must be an object with the keys name, host, port, user, key_file, known_hosts, got 'm2'"),
    ({"push": [downstream("m2", command="rm")]}, "push[0]: unknown key(s) command (allowed: name, host"),
    ({"push": [downstream("m2", port=0)]}, "push[0].port must be a whole number from 1 to 65535, got 0"),
    ({"push": [downstream("m2", port="22")]}, "push[0].port must be a whole number from 1 to 65535, got '22'"),
    ({"push": [downstream("m2"), downstream("m3", port=65536)]}, "push[1].port must be a whole number from 1 to 65535, got 65536"),
    ({"push": [downstream("m2", host="-oProxyCommand=sh")]},
     "push[0].host must be a non-empty string without blanks that does not start with '-', got '-oProxyCommand=sh'"),
    ({"push": [downstream("m2", user="a b")]}, "push[0].user must be a non-empty string without blanks"),
    ({"push": [downstream("")]}, "push[0].name must be a non-empty string"),
    ({"push": [downstream("m2", key_file="id_m2")]}, "push[0].key_file must be an absolute path, got 'id_m2'"),
    ({"push": [downstream("m2", known_hosts=None)]}, "push[0].known_hosts must be a non-empty string, got None"),
    ({"push": [downstream("m2"), downstream("m2", host="other")]}, "push[1].name 'm2' is used twice"),
])
def test_bad_tier_settings_are_refused_naming_key_and_value(gms, raw, message):
    with pytest.raises(gms.ConfigError, match=re.escape(message)):
        gms.validate_config(raw)


@pytest.mark.skipif(not os.path.exists("/usr/bin/rsync"), reason="needs the real rsync client")
def test_the_real_rsync_on_a_closed_port_is_unreachable(gms, cfg, tmp_path, monkeypatch):
    """No stand-in: rsync itself connects to a port nothing listens on (127.0.0.1:1)."""
    monkeypatch.setattr(gms.subprocess, "Popen", REAL_POPEN)
    path = tmp_path / "sync.conf"
    path.write_text(json.dumps(dict(cfg, upstream="rsync://127.0.0.1:1/gentoo/", retries=0, contimeout=5,
                                    upstream_label="tier-1 localhost")))
    assert gms.main(["--config", str(path)]) == 1
    st = status_of(cfg)
    assert st["upstream_unreachable"] is True and st["rsync_exit_code"] == 10
    assert st["message"].startswith("upstream tier-1 localhost unreachable: dry run failed: rsync exit 10")
    assert "Connection refused" in st["message"]


def test_a_stuck_lock_takes_the_request_away(gms, cfg, run, tmp_path):
    """No run can start while the lock is stuck: a request left in place would make its path
    unit start one failing run after another."""
    run(scripted())
    request = tmp_path / "sync.request"
    request.write_text("")
    fd = hold_lock(cfg, {"pid": os.getpid(), "start": 1000.0 - 2 * DAY, "proc_start": gms.proc_start_ticks()})
    try:
        assert run(scripted(), config={"request_file": str(request)})[0] == 4
    finally:
        os.close(fd)
    assert not request.exists()
    assert status_of(cfg)["triggered"] is True
