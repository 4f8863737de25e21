# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""gentoo-mirror-sync: keep a Gentoo source mirror tree in step with its upstream.

Installed by the mirrorkit.gentoo.gentoo_mirror_sync role as
/usr/local/lib/gentoo-mirror-sync/gentoo_mirror_sync.py, byte-compiled, and started through the
launcher /usr/local/bin/gentoo-mirror-sync by gentoo-mirror-sync.service (timer: every 4 hours
from local midnight). Python 3 standard library only, and only the modules a run needs at once:
start-up time is part of every no-change sync. One run:

1. takes a non-blocking flock() on <state_dir>/sync.lock, mode 0600: flock() needs only an open
   descriptor, so no other user may open the file (one left readable by an older version is
   replaced). The holder writes its pid and start time into it. A second run exits 0 and says
   "already running"; one that finds the lock held for longer than a sync can take
   (lock_stuck_after, or lock_stuck_after_first_sync while no sync has succeeded yet) records
   "lock_stuck" in the status and metrics, logs an error and exits 4. The kernel drops the lock
   when the holder dies, and rsync inherits the descriptor so an orphaned rsync still holds it;
2. removes the request file (request_file) an upstream's trigger created, so that a trigger
   arriving during the run asks for one more run after it; if the previous run did not finish
   cleanly, removes leftover ".~tmp~" directories;
3. into a populated tree, runs rsync with --dry-run and an itemized output: counts what
   would be transferred and deleted. The same answer says whether upstream serves
   distfiles/layout.conf and distfiles/timestamp.mirmon (an entry the dry run does not name
   is the same upstream as in the tree). Nothing to do ends the run here: a no-change sync
   costs one rsync pass. A broken upstream or too many deletions refuse the run and leave
   the tree untouched;
4. into an empty tree (the first sync), where nothing can be deleted, the dry run is left
   out and a listing of those two files (rsync --list-only) checks upstream instead;
5. runs rsync for real (with --max-delete as a second guard), retrying transient failures; a
   failure to reach the upstream at all says "upstream <label> unreachable". After a real run
   that succeeded, triggers every downstream mirror (push) at once over SSH with its own key:
   a trigger that cannot be delivered is reported, not a failure of this run;
6. writes <state_dir>/status.json, <state_dir>/gentoo_mirror_sync.prom (with the free space of
   the mirror's filesystem) and <state_dir>/history.json (the last 30 runs) atomically and
   prints one summary line.

Text from upstream (its motd, rsync's messages) is printed with control characters escaped and
without a leading "<N>": under systemd such a prefix sets the journal priority of the line, and
only the program's own error lines carry one ("<3>").

Exit status: 0 success (or already running), 1 sync failed, 2 bad usage or configuration,
3 refused by a guard (tree unchanged), 4 the lock is stuck (held longer than a sync can take),
143 stopped by SIGTERM.
"""

import errno
import fcntl
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time

PROG = "gentoo-mirror-sync"
DEFAULT_CONFIG = "/etc/gentoo-mirror/sync.conf"
PARTIAL_DIR = ".~tmp~"
SECRET_FILE = "THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt"
HISTORICAL = "releases/historical"
REQUIRED_UPSTREAM_FILES = ("layout.conf", "timestamp.mirmon")
STATUS_FILE = "status.json"
HISTORY_FILE = "history.json"
HISTORY_LENGTH = 30
METRICS_FILE = "gentoo_mirror_sync.prom"
LOCK_FILE = "sync.lock"
NO_SPACE = "No space left on device"
RUNNING_MARKER = "sync.running"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_REFUSED = 3
EXIT_LOCK_STUCK = 4
EXIT_TERMINATED = 143

RSYNC_EXIT_MEANINGS = {
    0: "success",
    1: "syntax or usage error",
    2: "protocol incompatibility",
    3: "errors selecting input/output files or directories",
    4: "requested action not supported",
    5: "error starting client-server protocol (upstream refused or busy)",
    6: "daemon unable to append to log file",
    10: "error in socket I/O",
    11: "error in file I/O",
    12: "error in rsync protocol data stream",
    13: "errors with program diagnostics",
    14: "error in IPC code",
    20: "received SIGUSR1 or SIGINT",
    21: "some error returned by waitpid()",
    22: "error allocating core memory buffers",
    23: "partial transfer due to error",
    24: "partial transfer due to vanished source files",
    25: "the --max-delete limit stopped deletions",
    30: "timeout in data send/receive",
    35: "timeout waiting for daemon connection",
    127: "rsync not found",
}

# rsync exit 24 (a file vanished upstream while it was being sent) is normal on a live
# upstream: the tree is complete apart from files that no longer exist there.
RSYNC_OK_CODES = (0, 24)

DEFAULTS = {
    "upstream": "rsync://masterdistfiles.gentoo.org/gentoo/",
    "root": "/srv/gentoo",
    "state_dir": "/var/lib/gentoo-mirror",
    "user": "gentoo-mirror",
    "upstream_user": "",
    "password_file": "",
    "exclude_historical": False,
    "extra_options": [],
    "rsync": "/usr/bin/rsync",
    "timeout": 600,
    "contimeout": 60,
    # Refuse a run that would delete more than max_delete entries, or more than
    # max_delete_percent of the entries in the tree (-1 / 100 switch a limit off).
    "max_delete": 10000,
    "max_delete_percent": 10.0,
    # Transient rsync failures: 5 (daemon busy: "max connections reached"), 10 (socket I/O),
    # 12 (data stream broken), 30 (I/O timeout), 35 (connect timeout).
    "retries": 3,
    "retry_delay": 60,
    "retry_delay_max": 900,
    "retry_exit_codes": [5, 10, 12, 30, 35],
    # A lock held longer than this (seconds since its holder started) is reported as stuck: one
    # day after a sync has succeeded (a regular sync takes minutes), three weeks before (a first
    # sync of 800 GiB at the policy's minimum of 5 Mbit/s takes about 16 days).
    "lock_stuck_after": 86400,
    "lock_stuck_after_first_sync": 1814400,
    # The oldest the tree may be (seconds since the last successful sync) by the mirror policy,
    # published as a metric for the alert rules; 0: not published.
    "max_age_seconds": 0,
    # Tiers. How messages and the status page name the upstream ("" : by its URL).
    "upstream_label": "",
    # A file the upstream's trigger creates (a systemd .path unit starts the sync when it exists);
    # every run that holds the lock removes it first, so a trigger during a run starts one more.
    "request_file": "",
    # Downstream mirrors to trigger over SSH after a sync that changed the tree: a list of
    # {"name", "host", "port" (22), "user", "key_file", "known_hosts"}; each call ends after
    # push_timeout seconds.
    "push": [],
    "push_timeout": 30,
    "ssh": "/usr/bin/ssh",
}

PUSH_KEYS = ("name", "host", "port", "user", "key_file", "known_hosts")
# What ssh runs on the downstream: its key's forced command ignores it, but says what is asked.
PUSH_COMMAND = "sync"


class ConfigError(Exception):
    """The configuration file is missing or wrong."""


class Terminated(Exception):
    """SIGTERM arrived (systemctl stop)."""


# ---------------------------------------------------------------------------------------
# configuration


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate_config(raw):
    """Merge raw (a dict from the JSON file) over DEFAULTS and check every value."""
    if not isinstance(raw, dict):
        raise ConfigError("the configuration must be a JSON object")
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        raise ConfigError("unknown setting(s): %s" % ", ".join(unknown))
    cfg = dict(DEFAULTS)
    cfg.update(raw)
    for key in ("upstream", "root", "state_dir", "rsync"):
        if not isinstance(cfg[key], str) or not cfg[key]:
            raise ConfigError("%s must be a non-empty string" % key)
    for key in ("root", "state_dir", "rsync"):
        if not cfg[key].startswith("/"):
            raise ConfigError("%s must be an absolute path, got %r" % (key, cfg[key]))
    for key in ("user", "upstream_user", "password_file"):
        if not isinstance(cfg[key], str):
            raise ConfigError("%s must be a string" % key)
    if cfg["upstream_user"] and not cfg["password_file"]:
        raise ConfigError("upstream_user is set but password_file is empty")
    if cfg["upstream_user"] and not is_daemon_url(cfg["upstream"]):
        raise ConfigError("upstream_user needs an rsync daemon upstream (rsync://host/module/)")
    if not isinstance(cfg["exclude_historical"], bool):
        raise ConfigError("exclude_historical must be true or false")
    if not isinstance(cfg["extra_options"], list) or not all(
            isinstance(o, str) and o.startswith("-") for o in cfg["extra_options"]):
        raise ConfigError("extra_options must be a list of rsync options, each starting with '-'")
    for key in ("timeout", "contimeout", "retries", "retry_delay", "retry_delay_max", "max_age_seconds"):
        if not _is_int(cfg[key]) or cfg[key] < 0:
            raise ConfigError("%s must be a whole number >= 0" % key)
    for key in ("lock_stuck_after", "lock_stuck_after_first_sync"):
        if not _is_int(cfg[key]) or cfg[key] < 1:
            raise ConfigError("%s must be a whole number of seconds >= 1" % key)
    if not _is_int(cfg["max_delete"]) or cfg["max_delete"] < -1:
        raise ConfigError("max_delete must be a whole number >= 0, or -1 for no limit")
    pct = cfg["max_delete_percent"]
    if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 100:
        raise ConfigError("max_delete_percent must be a number from 0 to 100")
    codes = cfg["retry_exit_codes"]
    if not isinstance(codes, list) or not all(_is_int(c) and c > 0 for c in codes):
        raise ConfigError("retry_exit_codes must be a list of rsync exit codes")
    if 25 in codes:
        raise ConfigError("retry_exit_codes must not contain 25 (the deletion guard)")
    validate_tier_settings(cfg)
    cfg["upstream"] = cfg["upstream"].rstrip("/") + "/"
    cfg["root"] = cfg["root"].rstrip("/") or "/"
    return cfg


def _path_setting(key, value, may_be_empty=False):
    if not isinstance(value, str) or not (value or may_be_empty):
        raise ConfigError("%s must be a %sstring, got %r" % (key, "" if may_be_empty else "non-empty ", value))
    if value and not value.startswith("/"):
        raise ConfigError("%s must be an absolute path, got %r" % (key, value))


# Host and user names go into ssh's argument list: nothing that ssh could read as an option
# ("-oProxyCommand=..."), no blank, no control character.
_SSH_WORD = re.compile(r"^[^-\s\x00-\x1f\x7f][^\s\x00-\x1f\x7f]*$")


def validate_tier_settings(cfg):
    """upstream_label, request_file, push, push_timeout and ssh; push entries get their port."""
    if not isinstance(cfg["upstream_label"], str):
        raise ConfigError("upstream_label must be a string, got %r" % (cfg["upstream_label"],))
    _path_setting("request_file", cfg["request_file"], may_be_empty=True)
    _path_setting("ssh", cfg["ssh"])
    if not _is_int(cfg["push_timeout"]) or cfg["push_timeout"] < 1:
        raise ConfigError("push_timeout must be a whole number of seconds >= 1, got %r" % (cfg["push_timeout"],))
    if not isinstance(cfg["push"], list):
        raise ConfigError("push must be a list of downstream mirrors, got %r" % (cfg["push"],))
    entries, names = [], set()
    for i, entry in enumerate(cfg["push"]):
        entries.append(validate_push_entry("push[%d]" % i, entry))
        if entries[-1]["name"] in names:
            raise ConfigError("push[%d].name %r is used twice: each downstream needs a name of its own"
                              % (i, entries[-1]["name"]))
        names.add(entries[-1]["name"])
    cfg["push"] = entries


def validate_push_entry(where, entry):
    if not isinstance(entry, dict):
        raise ConfigError("%s must be an object with the keys %s, got %r" % (where, ", ".join(PUSH_KEYS), entry))
    unknown = sorted(set(entry) - set(PUSH_KEYS))
    if unknown:
        raise ConfigError("%s: unknown key(s) %s (allowed: %s)" % (where, ", ".join(unknown), ", ".join(PUSH_KEYS)))
    entry = dict({"port": 22}, **entry)
    for key in ("name", "host", "user"):
        value = entry.get(key)
        if not isinstance(value, str) or not _SSH_WORD.match(value):
            raise ConfigError("%s.%s must be a non-empty string without blanks that does not start "
                              "with '-', got %r" % (where, key, value))
    for key in ("key_file", "known_hosts"):
        _path_setting("%s.%s" % (where, key), entry.get(key))
    if not _is_int(entry["port"]) or not 1 <= entry["port"] <= 65535:
        raise ConfigError("%s.port must be a whole number from 1 to 65535, got %r" % (where, entry["port"]))
    return entry


def load_config(path):
    """JSON; whole lines starting with '#' (the "managed by Ansible" header) are skipped."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = "".join(line if not line.lstrip().startswith("#") else "\n" for line in handle)
        raw = json.loads(text)
    except OSError as exc:
        raise ConfigError("cannot read %s: %s" % (path, exc.strerror))
    except ValueError as exc:
        raise ConfigError("%s is not valid JSON: %s" % (path, exc))
    return validate_config(raw)


# ---------------------------------------------------------------------------------------
# log output

# C0 controls but TAB (NUL and CR too: journald ends a line at NUL), DEL, C1 controls, and the
# Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
# "<N>" at the start of a line sets its priority in the journal (SyslogLevelPrefix=yes).
_LEVEL_PREFIX = re.compile(r"^<(?=[0-9])")
# journald splits a longer line (LineMax=48K) and reads a level prefix again in the rest.
MAX_LINE = 4000


def _escape(match):
    code = ord(match.group())
    return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code


def clean_text(text):
    """text (from upstream, say) as one harmless line: control characters escaped as \x1b,
    a leading "<N>" as \x3cN>, and cut at MAX_LINE characters."""
    text = _LEVEL_PREFIX.sub(lambda match: "\\x3c", _CONTROL.sub(_escape, text))
    if len(text) > MAX_LINE:
        text = "%s [%d more characters cut]" % (text[:MAX_LINE], len(text) - MAX_LINE)
    return text


def say(text, error=False, stream=None):
    """Print one line of log output. Every line is cleaned, so only the program itself sets a
    journal priority: "<3>" (error) on its own error lines."""
    line = clean_text(text)
    if error and os.environ.get("JOURNAL_STREAM"):
        line = "<3>" + line
    print(line, file=stream or sys.stdout, flush=True)


# ---------------------------------------------------------------------------------------
# rsync command lines


def is_daemon_url(url):
    """True for rsync daemon sources: rsync://host/module/ or host::module/."""
    return url.startswith("rsync://") or ("::" in url and not url.startswith("/"))


def upstream_with_user(cfg):
    """The upstream URL with the login user inserted (the password never is)."""
    url, user = cfg["upstream"], cfg["upstream_user"]
    if not user:
        return url
    if url.startswith("rsync://"):
        rest = url[len("rsync://"):]
        host = rest.split("/", 1)[0]
        if "@" in host:
            return url
        return "rsync://%s@%s" % (user, rest)
    if "::" in url and "@" not in url.split("::", 1)[0]:
        return "%s@%s" % (user, url)
    return url


def filter_rules(cfg):
    """Sender-side ("hide") rules: excluded files are never fetched and, since the receiver
    does not protect them, a copy already in the tree is deleted. That is what makes turning
    exclude_historical on remove releases/historical."""
    rules = ["--filter=H %s" % SECRET_FILE]
    if cfg["exclude_historical"]:
        rules.append("--filter=H /%s/" % HISTORICAL)
    return rules


def rsync_args(cfg):
    """The options shared by the dry run and the real run.

    -rlptH: recursive, symlinks as symlinks, permissions, times, hard links (the hashed
    distfiles layout relies on them). No -o/-g/-D: the job is unprivileged.
    --safe-links: ignore symlinks that point out of the tree.
    --delay-updates with --partial-dir=.~tmp~: new files wait in .~tmp~ directories and are
    renamed into place together at the end; dot directories are hidden by the web and rsync
    servers, and rsync protects them from --delete. --delete-delay: deletions happen after
    the transfer, so a file is only removed once its replacement is in place.
    --chmod=D0755,F0644: the served tree is world readable whatever upstream's modes are.
    """
    args = [
        cfg["rsync"],
        "-rlptH",
        "--safe-links",
        "--delay-updates",
        "--delete-delay",
        "--partial-dir=%s" % PARTIAL_DIR,
        "--chmod=D0755,F0644",
        "--timeout=%d" % cfg["timeout"],
    ]
    if is_daemon_url(cfg["upstream"]):
        args.append("--contimeout=%d" % cfg["contimeout"])
        if cfg["upstream_user"]:
            args.append("--password-file=%s" % cfg["password_file"])
    args.extend(filter_rules(cfg))
    args.extend(cfg["extra_options"])
    return args


# --itemize-changes (%i %n%L) with the size of each entry, which the upstream check reads.
DRY_RUN_FORMAT = "--out-format=%i %l %n%L"


def dry_run_command(cfg):
    return rsync_args(cfg) + ["--dry-run", DRY_RUN_FORMAT, "--stats", "--",
                              upstream_with_user(cfg), cfg["root"] + "/"]


def sync_command(cfg, max_delete=None):
    args = rsync_args(cfg) + ["--stats"]
    if max_delete is not None:
        args.append("--max-delete=%d" % max_delete)
    return args + ["--", upstream_with_user(cfg), cfg["root"] + "/"]


def check_command(cfg):
    """List only distfiles/layout.conf and distfiles/timestamp.mirmon on upstream."""
    args = [cfg["rsync"], "--list-only", "--timeout=%d" % cfg["timeout"]]
    if is_daemon_url(cfg["upstream"]):
        args.append("--contimeout=%d" % cfg["contimeout"])
        if cfg["upstream_user"]:
            args.append("--password-file=%s" % cfg["password_file"])
    args += ["--include=/%s" % name for name in REQUIRED_UPSTREAM_FILES]
    args += ["--exclude=*", "--", upstream_with_user(cfg) + "distfiles/"]
    return args


# ---------------------------------------------------------------------------------------
# parsing rsync output

_ITEMIZE = re.compile(r"^(?P<item>\*deleting|[<>ch.][fdLDS])\S*\s+(?P<size>[\d,.]+) (?P<name>.*)$")
_STATS = re.compile(r"^(?P<key>[A-Za-z][A-Za-z /]+?):\s+(?P<num>\d[\d,.]*)")
_LISTING = re.compile(r"^(?P<mode>[-dlcbps][-rwxsStT]{9})\s+(?P<size>[\d,.]+)\s+\S+\s+\S+\s+(?P<name>.+)$")

STATS_KEYS = {
    "Number of files": "files_total",
    "Number of created files": "files_created",
    "Number of deleted files": "files_deleted",
    "Number of regular files transferred": "files_transferred",
    "Total file size": "bytes_total",
    "Total transferred file size": "bytes_transferred",
    "Total bytes sent": "bytes_sent",
    "Total bytes received": "bytes_received",
}


def parse_number(text):
    """rsync prints 1,234,567 (or 1.234.567 in some locales); whole numbers only here."""
    digits = re.sub(r"[,.]", "", text)
    return int(digits) if digits.isdigit() else None


def parse_stats(lines):
    """Values of rsync --stats that the status file reports, keyed as in STATS_KEYS."""
    stats = {}
    for line in lines:
        match = _STATS.match(line.strip())
        if not match:
            continue
        key = STATS_KEYS.get(match.group("key"))
        if key is None:
            continue
        value = parse_number(match.group("num"))
        if value is not None:
            stats[key] = value
    return stats


class Plan:
    """What a dry run says the real run would do."""

    def __init__(self):
        self.changes = 0
        self.deletions = 0
        self.expected_deletions = 0
        self.sample = []
        self.stats = {}
        # Itemized lines about distfiles/<required file>: name -> (item, size).
        self.required = {}

    def tree_entries(self):
        """Entries now in the local tree, from the dry run's view of both sides."""
        total = self.stats.get("files_total", 0)
        created = self.stats.get("files_created", 0)
        return max(total - created, 0) + self.deletions + self.expected_deletions


def parse_dry_run(lines, exclude_historical=False):
    plan = Plan()
    stats_lines = []
    for line in lines:
        match = _ITEMIZE.match(line)
        if match:
            plan.changes += 1
            name = match.group("name")
            entry = re.split(" [-=]> ", name, maxsplit=1)[0].rstrip("/")
            if entry in _REQUIRED_PATHS:
                plan.required[_REQUIRED_PATHS[entry]] = (match.group("item"), parse_number(match.group("size")))
            if match.group("item") == "*deleting":
                if exclude_historical and (name + "/").startswith(HISTORICAL + "/"):
                    plan.expected_deletions += 1
                else:
                    plan.deletions += 1
                    if len(plan.sample) < 5:
                        plan.sample.append(name)
        else:
            stats_lines.append(line)
    plan.stats = parse_stats(stats_lines)
    return plan


_REQUIRED_PATHS = {"distfiles/" + name: name for name in REQUIRED_UPSTREAM_FILES}
# The second character of an itemized entry, as the first one of an ls-style mode.
_ITEM_TYPES = {"f": "-", "d": "d", "L": "l", "D": "c", "S": "s"}


def upstream_files_from_dry_run(root, plan):
    """What upstream serves at distfiles/<required file>, in parse_listing's form, from a dry
    run into root: an entry the dry run does not name is on both sides alike (rsync would
    otherwise create, update or delete it), so the tree itself tells its type and size."""
    found = {}
    for name in REQUIRED_UPSTREAM_FILES:
        item = plan.required.get(name)
        if item is None:
            try:
                info = os.lstat(os.path.join(root, "distfiles", name))
            except FileNotFoundError:
                continue
            kind = "-" if stat.S_ISREG(info.st_mode) else "d" if stat.S_ISDIR(info.st_mode) else "l"
            found[name] = (kind, info.st_size)
        elif item[0] != "*deleting":
            found[name] = (_ITEM_TYPES[item[0][1]], item[1])
    return found


def parse_listing(lines):
    """Names, types and sizes in an rsync --list-only answer."""
    found = {}
    for line in lines:
        match = _LISTING.match(line.strip())
        if match:
            found[match.group("name")] = (match.group("mode")[0], parse_number(match.group("size")))
    return found


# ---------------------------------------------------------------------------------------
# guards


def delete_limit(cfg, plan):
    """The most deletions this run may make, or None when no limit applies."""
    limits = []
    if cfg["max_delete"] >= 0:
        limits.append(cfg["max_delete"])
    if cfg["max_delete_percent"] < 100:
        limits.append(int(plan.tree_entries() * cfg["max_delete_percent"] / 100))
    return min(limits) if limits else None


def check_deletions(cfg, plan):
    """None when the plan is acceptable, else the reason it is refused."""
    limit = delete_limit(cfg, plan)
    if limit is None or plan.deletions <= limit:
        return None
    entries = plan.tree_entries()
    share = 100.0 * plan.deletions / entries if entries else 100.0
    return ("upstream would delete %d of the %d entries in the tree (%.1f%%; allowed: at most "
            "%s and at most %s%%), for example %s"
            % (plan.deletions, entries, share,
               cfg["max_delete"] if cfg["max_delete"] >= 0 else "any number",
               _fmt_pct(cfg["max_delete_percent"]), ", ".join(plan.sample)))


def _fmt_pct(value):
    return ("%.2f" % value).rstrip("0").rstrip(".")


def check_upstream_listing(found):
    """None when both files GLEP 75 clients and the mirror monitors need are there."""
    problems = []
    for name in REQUIRED_UPSTREAM_FILES:
        if name not in found:
            problems.append("distfiles/%s is missing" % name)
        elif found[name][0] != "-":
            problems.append("distfiles/%s is not a regular file" % name)
        elif not found[name][1]:
            problems.append("distfiles/%s is empty" % name)
    return "; ".join(problems) or None


def override_hint(cfg):
    return ("if upstream is right, run once: runuser -u %s -- %s --force (or raise max_delete / "
            "max_delete_percent in the configuration: role variables "
            "gentoo_mirror_sync_max_delete, gentoo_mirror_sync_max_delete_percent)"
            % (cfg["user"] or "<sync user>", PROG))


# ---------------------------------------------------------------------------------------
# running rsync


def describe_exit(code):
    if code < 0:
        return "killed by signal %d" % -code
    return RSYNC_EXIT_MEANINGS.get(code, "unknown error")


def run_rsync(argv, keep_fds=(), echo=None):
    """Run rsync; return (exit code, output lines: stdout and stderr in one stream).

    echo(line) decides per line whether it is also printed. The lock descriptor is passed on
    so that an rsync left behind by a killed run still holds the lock.
    """
    env = dict(os.environ, LC_ALL="C")
    env.pop("RSYNC_PASSWORD", None)
    lines = []
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, pass_fds=tuple(keep_fds), env=env)
    except OSError as exc:
        say("%s: cannot run %s: %s" % (PROG, argv[0], exc.strerror), error=True, stream=sys.stderr)
        return 127, lines
    try:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            lines.append(line)
            if echo is not None and echo(line):
                say(line)
    except BaseException:
        proc.terminate()
        proc.wait()
        raise
    finally:
        proc.stdout.close()
    return proc.wait(), lines


def backoff_delay(cfg, attempt):
    """Seconds to wait after failed attempt number `attempt` (1-based): doubles, capped."""
    return min(cfg["retry_delay"] * (2 ** (attempt - 1)), cfg["retry_delay_max"])


# The daemon's answers behind exit 5 that no retry will change.
_PERMANENT_DAEMON_ERRORS = re.compile(r"^@ERROR: (auth failed|Unknown module|access denied)")


def first_error(lines):
    """The first error rsync or the upstream daemon printed, for the status message."""
    for line in lines:
        if line.startswith(("@ERROR", "rsync error", "rsync:")):
            return clean_text(line.strip())
    return ""


def is_transient(cfg, code, lines):
    if code in RSYNC_OK_CODES or code not in cfg["retry_exit_codes"]:
        return False
    return not any(_PERMANENT_DAEMON_ERRORS.match(line) for line in lines)


def run_with_retries(cfg, argv, runner, sleep, what, echo=None):
    """Run argv, retrying transient failures. Returns (code, lines, attempts)."""
    attempts = 0
    while True:
        attempts += 1
        code, lines = runner(argv, echo=echo)
        if not is_transient(cfg, code, lines) or attempts > cfg["retries"]:
            return code, lines, attempts
        delay = backoff_delay(cfg, attempts)
        say("%s: %s: rsync exit %d (%s), attempt %d of %d, retrying in %d s"
            % (PROG, what, code, describe_exit(code), attempts, cfg["retries"] + 1, delay))
        sleep(delay)


_TRAILER = re.compile(r"^(sent [\d,.]+ bytes|total size is )")


def _echo_unless_stats(line):
    """Print rsync's messages (the upstream's motd, warnings), not its statistics."""
    text = line.strip()
    return bool(text) and not _STATS.match(text) and not _TRAILER.match(text)


def _echo_unless_itemized(line):
    return not _ITEMIZE.match(line) and _echo_unless_stats(line)


# ---------------------------------------------------------------------------------------
# the tree


def clean_partial_dirs(root):
    """Remove .~tmp~ directories an interrupted run left anywhere in the tree."""
    import shutil  # pylint: disable=import-outside-toplevel  # only after an unclean run
    removed = 0
    for dirpath, dirnames, _files in os.walk(root):
        if PARTIAL_DIR in dirnames:
            shutil.rmtree(os.path.join(dirpath, PARTIAL_DIR), ignore_errors=True)
            dirnames.remove(PARTIAL_DIR)
            removed += 1
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
    return removed


class LockError(Exception):
    """The lock file cannot be used."""


class Holder:
    """What a run that did not get the lock knows of the process holding it."""

    def __init__(self, path, pid, start, proc_start, mode, inode):
        self.path = path
        self.pid = pid                  # None: not recorded
        self.start = start              # when it took the lock (epoch seconds)
        self.proc_start = proc_start    # its start in clock ticks after boot (/proc/<pid>/stat)
        self.mode = mode
        self.inode = inode

    @property
    def open_to_others(self):
        """A lock file other users may open (left by an older version): any of them may hold it."""
        return bool(self.mode & 0o077)

    def alive(self):
        """False when the recorded holder process is gone (or its pid now names another
        process), True when it runs or cannot be seen, None when no pid was recorded."""
        if self.pid is None:
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        if self.proc_start is not None:
            started = proc_start_ticks(self.pid)
            if started is not None and started != self.proc_start:
                return False
        return True


def proc_start_ticks(pid="self"):
    """Start time of a process in clock ticks after boot (field 22 of /proc/<pid>/stat), or None."""
    try:
        with open("/proc/%s/stat" % pid, "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def _open_lock_file(path):
    """(descriptor, writable) of the lock file, created mode 0600 if missing; never through a
    symlink, never a FIFO."""
    flags = os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    writable = True
    try:
        fd = os.open(path, os.O_RDWR | flags, 0o600)
    except PermissionError:
        # A file of another owner that this user may still read (an older version run as root):
        # enough to lock it and then replace it.
        writable = False
        try:
            fd = os.open(path, os.O_RDONLY | flags, 0o600)
        except OSError as exc:
            raise LockError("cannot open the lock %s: %s; it must belong to the sync user: remove it"
                            % (path, exc.strerror))
    except OSError as exc:
        raise LockError("cannot open the lock %s: %s" % (path, exc.strerror))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockError("the lock %s is not a regular file: remove it" % path)
    return fd, writable


def _private(info):
    """Only this user can open the file (root keeps the owner it finds)."""
    return not info.st_mode & 0o077 and os.geteuid() in (info.st_uid, 0)


def _replace_lock_file(path, old_fd):
    """Put a new inode, mode 0600 and locked by us, in place of the lock file we hold: a process
    of another user may keep a descriptor of the old one open and lock it whenever it likes."""
    tmp = os.path.join(os.path.dirname(path) or ".", ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    try:
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.replace(tmp, path)
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
    finally:
        os.close(old_fd)  # only once the new file is in place
    return fd


def _same_file(fd, path):
    """Whether path still names the file open at fd (a run that held the lock may have replaced it)."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (info.st_dev, info.st_ino) == (mine.st_dev, mine.st_ino)


def read_holder(path, fd):
    """The holder record in the lock file: JSON {"pid", "start", "proc_start"}, or the bare pid an
    older version wrote. Without a recorded start, the file's modification time (the holder
    writes its record right after taking the lock)."""
    info = os.fstat(fd)
    pid = start = proc_start = None
    text = os.pread(fd, 4096, 0).decode("ascii", "replace").strip()
    try:
        record = json.loads(text) if text else {}
    except ValueError:
        record = {}
    if isinstance(record, dict):
        pid, start, proc_start = record.get("pid"), record.get("start"), record.get("proc_start")
    elif _is_int(record):
        pid = record
    pid = pid if _is_int(pid) and pid > 0 else None
    start = start if isinstance(start, (int, float)) and not isinstance(start, bool) else info.st_mtime
    proc_start = proc_start if _is_int(proc_start) else None
    return Holder(path, pid, start, proc_start, stat.S_IMODE(info.st_mode), info.st_ino)


def acquire_lock(path, now):
    """(descriptor, None) once this run holds the lock and has recorded itself in it, or
    (None, Holder) when another process holds it."""
    for dummy in range(10):
        fd, writable = _open_lock_file(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(fd)
                raise
            try:
                return None, read_holder(path, fd)
            finally:
                os.close(fd)
        if not _same_file(fd, path):
            os.close(fd)
            continue
        if not (writable and _private(os.fstat(fd))):
            fd = _replace_lock_file(path, fd)
        record = {"pid": os.getpid(), "start": now, "proc_start": proc_start_ticks()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(record) + "\n").encode(), 0)
        return fd, None
    raise LockError("the lock %s keeps being replaced by other runs" % path)


# ---------------------------------------------------------------------------------------
# tiers: the upstream's trigger, and the triggers of the downstream mirrors


def consume_request(cfg):
    """Remove the request file an upstream's trigger created; True when there was one."""
    path = cfg["request_file"]
    if not path:
        return False
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        say("%s: cannot remove the request file %s: %s; its path unit keeps starting the sync until "
            "the sync user may remove it" % (PROG, path, exc.strerror), error=True)
    return True


def push_command(cfg, entry):
    """ssh with nothing but its own options: no user or system ssh_config, only this key, no
    password prompt, only the downstream's recorded host key."""
    return [cfg["ssh"], "-F", "/dev/null", "-i", entry["key_file"], "-o", "IdentitiesOnly=yes",
            "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=%s" % entry["known_hosts"], "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-p", str(entry["port"]),
            "-l", entry["user"], "-T", entry["host"], PUSH_COMMAND]


def run_ssh(argv, timeout):
    """Run ssh; (exit code, its stderr), with None as the code when it was killed after timeout s."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=dict(os.environ, LC_ALL="C"))
    except OSError as exc:
        return 127, "cannot run %s: %s" % (argv[0], exc.strerror)
    try:
        err = proc.communicate(timeout=timeout)[1]
        code = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        err = proc.communicate()[1]
        code = None
    return code, err.decode("utf-8", "replace")


def push_outcome(cfg, entry, code, err):
    """{"name", "delivered", "message"} of one trigger."""
    first = next((line.strip() for line in (err or "").splitlines() if line.strip()), "")
    if code is None:
        message = "timed out after %d s" % cfg["push_timeout"]
    else:
        message = clean_text(first) if first or code == 0 else "exit %d" % code
    return {"name": entry["name"], "delivered": code == 0, "message": message}


def trigger_downstream(cfg, ssh_runner):
    """Trigger every downstream at once; one outcome per push entry, in their order."""
    import threading  # pylint: disable=import-outside-toplevel  # only a run that pushes needs it
    outcomes = [None] * len(cfg["push"])

    def trigger(i, entry):
        try:
            code, err = ssh_runner(push_command(cfg, entry), cfg["push_timeout"])
        except Exception as exc:  # pylint: disable=broad-except  # one trigger never stops the others
            code, err = 127, str(exc) or type(exc).__name__
        outcomes[i] = push_outcome(cfg, entry, code, err)

    threads = [threading.Thread(target=trigger, args=(i, entry), daemon=True)
               for i, entry in enumerate(cfg["push"])]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except Terminated:
        # The tree is synced; systemd ends the ssh processes left with the unit's other processes.
        pass
    return [outcome or {"name": entry["name"], "delivered": False, "message": "stopped by SIGTERM"}
            for outcome, entry in zip(outcomes, cfg["push"])]


def push_record(cfg, status, previous):
    """The last push: this run's, or the one before kept across runs that did not push (a run
    without change, a failure), so its metrics and status page lines stay until the next push.
    A downstream no longer configured is left out."""
    if status.get("pushed"):
        return {"push": status["push"], "push_timestamp": status["end_timestamp"]}
    names = {entry["name"] for entry in cfg["push"]}
    kept = [entry for entry in previous.get("push") or [] if isinstance(entry, dict) and entry.get("name") in names]
    return {"push": kept, "push_timestamp": previous.get("push_timestamp") if kept else None}


# ---------------------------------------------------------------------------------------
# status and metrics


def atomic_write(path, text, mode=0o644):
    """Write text to path through a temporary file in the same directory and a rename.
    <dir>/.<name>.<pid>.tmp is this process's own (O_EXCL: never followed)."""
    tmp = os.path.join(os.path.dirname(path) or ".", ".%s.%d.tmp" % (os.path.basename(path), os.getpid()))
    try:
        os.unlink(tmp)  # left by an earlier process with the same pid that was killed
    except FileNotFoundError:
        pass
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def iso(ts):
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def read_status(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def build_status(result, previous):
    """The status document of this run; last success and failure streak carry over."""
    status = dict(result)
    status["start"] = iso(result["start_timestamp"])
    status["end"] = iso(result["end_timestamp"])
    status["duration_seconds"] = round(result["end_timestamp"] - result["start_timestamp"], 3)
    if result["result"] == "success":
        status["last_success_timestamp"] = result["end_timestamp"]
        status["consecutive_failures"] = 0
    else:
        status["last_success_timestamp"] = previous.get("last_success_timestamp")
        status["consecutive_failures"] = int(previous.get("consecutive_failures") or 0) + 1
    status["last_success"] = iso(status["last_success_timestamp"])
    return status


def filesystem_space(path):
    """Size and free space (for unprivileged users) of the filesystem that holds path."""
    try:
        st = os.statvfs(path)
    except OSError:
        return {}
    return {"filesystem_size_bytes": st.f_blocks * st.f_frsize,
            "filesystem_avail_bytes": st.f_bavail * st.f_frsize}


def read_history(path):
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return []
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []


def add_to_history(history, status):
    """The last HISTORY_LENGTH runs, oldest first, with what the status page charts."""
    entry = {key: status.get(key) or 0 for key in ("end_timestamp", "duration_seconds", "bytes_transferred")}
    entry["result"] = status["result"]
    return (history + [entry])[-HISTORY_LENGTH:]


def _label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render_metrics(status):
    """Prometheus text exposition format for node_exporter's textfile collector."""
    up = '{upstream="%s"}' % _label(status["upstream"])
    out = []

    def metric(name, help_text, value, labels=up):
        out.append("# HELP gentoo_mirror_sync_%s %s" % (name, help_text))
        out.append("# TYPE gentoo_mirror_sync_%s gauge" % name)
        out.append("gentoo_mirror_sync_%s%s %s" % (name, labels, _num(value)))

    metric("last_success_timestamp_seconds", "End of the last successful sync (0: never).",
           status.get("last_success_timestamp") or 0)
    metric("last_run_timestamp_seconds", "End of the last sync run.", status["end_timestamp"])
    metric("last_run_duration_seconds", "Duration of the last sync run.", status["duration_seconds"])
    metric("last_run_success", "1 if the last sync run succeeded, else 0.",
           1 if status["result"] == "success" else 0)
    out.append("# HELP gentoo_mirror_sync_last_run_result Result of the last sync run.")
    out.append("# TYPE gentoo_mirror_sync_last_run_result gauge")
    for name in ("success", "failure", "refused", "interrupted", "lock_stuck"):
        out.append('gentoo_mirror_sync_last_run_result{upstream="%s",result="%s"} %d'
                   % (_label(status["upstream"]), name, 1 if status["result"] == name else 0))
    metric("last_run_exit_code", "Exit status of the last sync run.", status["exit_code"])
    metric("last_run_files_transferred", "Regular files transferred by the last run.",
           status.get("files_transferred") or 0)
    metric("last_run_bytes_transferred", "Size of the files transferred by the last run.",
           status.get("bytes_transferred") or 0)
    metric("last_run_files_deleted", "Entries deleted by the last run.", status.get("files_deleted") or 0)
    metric("consecutive_failures", "Runs that failed or were refused since the last success.",
           status["consecutive_failures"])
    metric("lock_held_seconds", "How long another process had held the lock when the last run "
           "found it stuck (0: not stuck).", status.get("lock_held_seconds") or 0)
    metric("max_age_seconds", "The oldest the tree may be by the mirror policy (0: not set).",
           status.get("max_age_seconds") or 0)
    metric("upstream_reachable", "0 if the last run could not reach the upstream, else 1.",
           0 if status.get("upstream_unreachable") else 1)
    metric("last_run_triggered", "1 if the upstream's trigger started the last run, else 0.",
           1 if status.get("triggered") else 0)
    push = [entry for entry in status.get("push") or [] if isinstance(entry, dict)]
    metric("push_targets", "Downstream mirrors the last push triggered (0: none).", len(push))
    metric("push_failures", "Downstream mirrors the last push could not trigger.",
           sum(1 for entry in push if not entry.get("delivered")))
    if push:
        out.append("# HELP gentoo_mirror_sync_push_delivered 1 if the last push reached this downstream, else 0.")
        out.append("# TYPE gentoo_mirror_sync_push_delivered gauge")
    for entry in push:
        out.append('gentoo_mirror_sync_push_delivered{upstream="%s",downstream="%s"} %d'
                   % (_label(status["upstream"]), _label(entry.get("name")), 1 if entry.get("delivered") else 0))
    if "filesystem_size_bytes" in status:
        metric("filesystem_size_bytes", "Size of the mirror's filesystem at the end of the last run.",
               status["filesystem_size_bytes"])
        metric("filesystem_avail_bytes", "Space left on the mirror's filesystem at the end of the "
               "last run.", status["filesystem_avail_bytes"])
    return "\n".join(out) + "\n"


def _num(value):
    if isinstance(value, float):
        return repr(round(value, 3))
    return str(int(value))


def write_reports(cfg, result):
    status_path = os.path.join(cfg["state_dir"], STATUS_FILE)
    previous = read_status(status_path)
    status = build_status(result, previous)
    status.update(filesystem_space(cfg["root"]), max_age_seconds=cfg["max_age_seconds"])
    status.update(push_record(cfg, status, previous))
    atomic_write(status_path, json.dumps(status, indent=2, sort_keys=True) + "\n")
    atomic_write(os.path.join(cfg["state_dir"], METRICS_FILE), render_metrics(status))
    history_path = os.path.join(cfg["state_dir"], HISTORY_FILE)
    atomic_write(history_path, json.dumps(add_to_history(read_history(history_path), status)) + "\n")
    return status


def human_bytes(n):
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return ("%d %s" % (value, unit)) if unit == "B" else ("%.1f %s" % (value, unit))
        value /= 1024
    return "%d B" % n


def human_duration(seconds):
    seconds = int(seconds)
    if seconds < 120:
        return "%d s" % seconds
    if seconds < 7200:
        return "%d min" % (seconds // 60)
    if seconds < 86400:
        return "%d h %d min" % (seconds // 3600, seconds % 3600 // 60)
    return "%d d %d h" % (seconds // 86400, seconds % 86400 // 3600)


def summary_line(status):
    head = "%s: %s" % (PROG, status["result"])
    if status.get("triggered"):
        head += " (triggered by upstream)"
    if status["result"] == "lock_stuck":
        return "%s: %s" % (head, status["message"])
    tail = "in %.1f s from %s" % (status["duration_seconds"], status["upstream"])
    if status["attempts"] > 1:
        tail += " (%d attempts)" % status["attempts"]
    if status["result"] == "success":
        if not status["changes_applied"]:
            body = "tree already up to date, 0 files transferred"
        else:
            body = "%d files (%s) transferred, %d deleted" % (
                status["files_transferred"], human_bytes(status["bytes_transferred"]),
                status["files_deleted"])
        if status["message"]:
            body += "; " + status["message"]
        if status.get("pushed"):
            body += "; triggered %d of %d downstream mirrors" % (
                sum(1 for entry in status["push"] if entry["delivered"]), len(status["push"]))
        return "%s: %s %s" % (head, body, tail)
    return "%s: %s %s" % (head, status["message"], tail)


# ---------------------------------------------------------------------------------------
# one run


def new_result(cfg, start, force):
    return {
        "program": PROG,
        "upstream": cfg["upstream"],
        "upstream_label": cfg["upstream_label"],
        "upstream_user": cfg["upstream_user"],
        "root": cfg["root"],
        "exclude_historical": cfg["exclude_historical"],
        "forced": force,
        "result": "failure",
        "exit_code": EXIT_FAILED,
        "rsync_exit_code": None,
        "message": "",
        "start_timestamp": start,
        "end_timestamp": start,
        "attempts": 0,
        "changes_applied": False,
        "files_transferred": 0,
        "bytes_transferred": 0,
        "files_deleted": 0,
        "bytes_received": 0,
        "lock_holder_pid": None,
        "lock_held_seconds": 0,
        "upstream_unreachable": False,
        "triggered": False,
        "pushed": False,
    }


def tree_has_files(root):
    """Whether the mirror tree holds any file yet (stops at the first one it sees)."""
    for _dirpath, dirnames, filenames in os.walk(root):
        if filenames:
            return True
        dirnames[:] = [d for d in dirnames if d != PARTIAL_DIR]
    return False


def sync(cfg, result, runner, sleep, force=False, keep_fds=()):
    """Steps 3 to 5 of a run; fills in result."""

    def run(argv, echo=None):
        return runner(argv, keep_fds=keep_fds, echo=echo)

    def upstream_check():
        return run_with_retries(cfg, check_command(cfg), run, sleep, "upstream check", echo=lambda line: False)

    def dry_run():
        return run_with_retries(cfg, dry_run_command(cfg), run, sleep, "dry run", echo=_echo_unless_itemized)

    # 3. into a populated tree, a dry run says what would change, whether that is plausible and
    # whether upstream looks like a Gentoo distfiles tree. 4. Into an empty tree nothing can be
    # deleted: the dry run is left out (a first sync transfers the file list once) and a
    # listing of the two files checks upstream.
    limit = None
    if tree_has_files(cfg["root"]):
        code, lines, attempts = dry_run()
        result.update(attempts=attempts, rsync_exit_code=code)
        if code not in RSYNC_OK_CODES:
            fail(cfg, result, "dry run", code, lines)
            return
        plan = parse_dry_run(lines, cfg["exclude_historical"])
        if not force:
            problem = check_upstream_listing(upstream_files_from_dry_run(cfg["root"], plan))
            reason = "upstream looks broken (%s)" % problem if problem else check_deletions(cfg, plan)
            if reason:
                result.update(result="refused", exit_code=EXIT_REFUSED, message=(
                    "%s; the tree is unchanged; %s" % (reason, override_hint(cfg))))
                return
        if plan.changes == 0:
            result.update(result="success", exit_code=EXIT_OK,
                          bytes_received=plan.stats.get("bytes_received", 0))
            return
        if not force:
            limit = delete_limit(cfg, plan)
            if limit is not None:
                limit = max(limit, plan.deletions) + plan.expected_deletions
    else:
        code, lines, attempts = upstream_check()
        result.update(attempts=attempts, rsync_exit_code=code)
        if code not in RSYNC_OK_CODES and code != 23:
            fail(cfg, result, "upstream check", code, lines)
            return
        problem = check_upstream_listing(parse_listing(lines))
        if problem and not force:
            result.update(result="refused", exit_code=EXIT_REFUSED, message=(
                "upstream looks broken (%s); the tree is unchanged; %s" % (problem, override_hint(cfg))))
            return

    # 5. the real run.
    code, lines, attempts = run_with_retries(cfg, sync_command(cfg, limit), run, sleep, "sync",
                                             echo=_echo_unless_stats)
    result["attempts"] = attempts
    result["rsync_exit_code"] = code
    stats = parse_stats(lines)
    result.update(
        changes_applied=code in RSYNC_OK_CODES or code == 25,
        files_transferred=stats.get("files_transferred", 0),
        bytes_transferred=stats.get("bytes_transferred", 0),
        files_deleted=stats.get("files_deleted", 0),
        bytes_received=stats.get("bytes_received", 0),
    )
    if code in RSYNC_OK_CODES:
        result.update(result="success", exit_code=EXIT_OK)
        if code == 24:
            result["message"] = "some files vanished upstream during the transfer (rsync exit 24)"
    elif code == 25:
        result.update(result="refused", exit_code=EXIT_REFUSED, message=(
            "upstream changed during the run and the deletions passed the limit of %d "
            "(rsync --max-delete); files were updated but the extra deletions were skipped; %s"
            % (limit, override_hint(cfg))))
    else:
        fail(cfg, result, "sync", code, lines)
        if any(NO_SPACE in line for line in lines):
            # The half-written files of this run only keep the disk full: give the space back.
            removed = clean_partial_dirs(cfg["root"])
            result["message"] += (
                "; the mirror filesystem is full: the served tree is as before, %d %s directories "
                "of the incomplete transfer were removed; free space or move the mirror to a bigger "
                "disk" % (removed, PARTIAL_DIR))


def _failed(step, code, lines):
    text = "%s failed: rsync exit %d (%s)" % (step, code, describe_exit(code))
    error = first_error(lines)
    return text + (": " + error if error else "")


# What rsync prints when it cannot reach a daemon (exit 10); exit 35 (--contimeout) always means it.
# Exit 5 is not among them: the daemon answered (busy, refused a login).
_CONNECT_ERRORS = re.compile(r"Connection refused|No route to host|Name or service not known|"
                             r"Temporary failure in name resolution|Connection timed out|"
                             r"Network is unreachable|No address associated with hostname")


def is_unreachable(code, lines):
    """Whether rsync failed because it could not reach the upstream at all."""
    if code == 35:
        return True
    return code == 10 and any(_CONNECT_ERRORS.search(line) for line in lines)


def upstream_name(cfg):
    return cfg["upstream_label"] or cfg["upstream"]


def fail(cfg, result, step, code, lines):
    """A failed rsync step: the message, and whether the upstream was out of reach."""
    result["message"] = _failed(step, code, lines)
    if is_unreachable(code, lines):
        result["upstream_unreachable"] = True
        result["message"] = "upstream %s unreachable: %s" % (upstream_name(cfg), result["message"])


USAGE = """usage: %s [--config FILE] [--check-config] [--force] [--clean]

Sync a Gentoo source mirror tree from its upstream (see the mirrorkit.gentoo
gentoo_mirror_sync role).

options:
  --config FILE   JSON configuration (%s)
  --check-config  only validate the configuration file and exit
  --force         apply the sync even if a guard (missing upstream files, too many
                  deletions) refuses it
  --clean         remove leftover .~tmp~ directories even after a clean previous run
  -h, --help      show this help and exit
""" % (PROG, DEFAULT_CONFIG)

_FLAGS = {"--check-config": "check_config", "--force": "force", "--clean": "clean"}


class Args:
    """The command line (argparse would add a tenth of a no-change sync's start-up time)."""

    def __init__(self):
        self.config = DEFAULT_CONFIG
        self.check_config = self.force = self.clean = False


def parse_args(argv):
    """Args from argv; --help exits 0, bad usage exits 2 (as argparse would)."""
    args = Args()
    words = list(sys.argv[1:] if argv is None else argv)
    while words:
        word = words.pop(0)
        if word in ("-h", "--help"):
            print(USAGE, end="")
            sys.exit(EXIT_OK)
        if word in _FLAGS:
            setattr(args, _FLAGS[word], True)
        elif word == "--config" and words:
            args.config = words.pop(0)
        elif word.startswith("--config="):
            args.config = word[len("--config="):]
        else:
            problem = "--config needs a file name" if word == "--config" else "unknown argument %r" % word
            print("%s\n%s: error: %s" % (USAGE.split("\n", 1)[0], PROG, problem), file=sys.stderr)
            sys.exit(EXIT_CONFIG)
    return args


def _on_sigterm(_signum, _frame):
    raise Terminated()


def main(argv=None, runner=run_rsync, sleep=time.sleep, clock=time.time, ssh_runner=run_ssh):
    args = parse_args(argv)
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        say("%s: configuration error: %s" % (PROG, exc), error=True, stream=sys.stderr)
        return EXIT_CONFIG
    if args.check_config:
        say("%s: configuration %s is valid" % (PROG, args.config))
        return EXIT_OK

    path = os.path.join(cfg["state_dir"], LOCK_FILE)
    start = clock()
    try:
        lock_fd, holder = acquire_lock(path, start)
        problem = holder and lock_problem(cfg, holder, start)
        if problem:
            # A run that has just taken the lock writes its record a moment later: look again.
            sleep(1)
            start = clock()
            lock_fd, holder = acquire_lock(path, start)
            problem = holder and lock_problem(cfg, holder, start)
    except LockError as exc:
        say("%s: failure: %s" % (PROG, exc), error=True)
        return EXIT_FAILED
    except OSError as exc:
        say("%s: failure: cannot use the lock %s: %s" % (PROG, path, exc.strerror or exc), error=True)
        return EXIT_FAILED
    if problem:
        return report_stuck_lock(cfg, args, holder, problem, start, clock)
    if lock_fd is None:
        say("%s: already running (lock %s held by %s since %s); nothing to do"
            % (PROG, path, _holder_name(holder), iso(holder.start)))
        return EXIT_OK
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _locked_run(cfg, args, lock_fd, (runner, ssh_runner), sleep, clock, start)
    finally:
        signal.signal(signal.SIGTERM, previous)
        os.close(lock_fd)


def _holder_name(holder):
    return "pid %d" % holder.pid if holder.pid else "an unrecorded process"


def lock_problem(cfg, holder, now):
    """Why the held lock is not a sync at work (None when it may be one)."""
    alive = holder.alive()
    if holder.open_to_others and alive is False:
        return ("the lock %s is readable by other users (mode %04o, left by an older version) and "
                "held although the sync that last took it (%s) is gone: any local user may hold it; "
                "remove the file to free it (the next run creates it anew, mode 0600)"
                % (holder.path, holder.mode, _holder_name(holder)))
    first = not read_status(os.path.join(cfg["state_dir"], STATUS_FILE)).get("last_success_timestamp")
    key = "lock_stuck_after_first_sync" if first else "lock_stuck_after"
    age = now - holder.start
    if age <= cfg[key]:
        return None
    return ("the lock %s has been held for %s (since %s) by %s%s, longer than a %s can take "
            "(%s: %s; role variable gentoo_mirror_sync_%s); no sync runs until it is released: "
            "grep ':%d ' /proc/locks names the process that holds it; stop it, or raise the bound "
            "if a sync really takes that long"
            % (holder.path, human_duration(age), iso(holder.start), _holder_name(holder),
               {True: ", still running", False: ", which is gone"}.get(alive, ""),
               "first sync" if first else "sync", key, human_duration(cfg[key]), key, holder.inode))


def report_stuck_lock(cfg, args, holder, problem, start, clock):
    """Status, metrics and an error line for a lock held by something that is not a sync at work."""
    result = new_result(cfg, start, args.force)
    # No run can start while the lock is stuck: a request left in place would only make its path
    # unit start one failing run after another; the timer tries again.
    result["triggered"] = consume_request(cfg)
    result.update(result="lock_stuck", exit_code=EXIT_LOCK_STUCK, message=problem,
                  lock_holder_pid=holder.pid, lock_held_seconds=round(max(start - holder.start, 0), 3),
                  lock_held_since=iso(holder.start))
    result["end_timestamp"] = clock()
    status = write_reports(cfg, result)
    say(summary_line(status), error=True)
    return EXIT_LOCK_STUCK


def _locked_run(cfg, args, lock_fd, runners, sleep, clock, start):
    runner, ssh_runner = runners
    result = new_result(cfg, start, args.force)
    # Before anything else: a trigger that arrives from now on asks for the next run.
    result["triggered"] = consume_request(cfg)
    marker = os.path.join(cfg["state_dir"], RUNNING_MARKER)
    if args.clean or os.path.exists(marker):
        removed = clean_partial_dirs(cfg["root"])
        say("%s: previous run did not finish cleanly; removed %d leftover %s directories"
            % (PROG, removed, PARTIAL_DIR))
    atomic_write(marker, "%d\n" % os.getpid())
    say("%s: syncing %s from %s" % (PROG, cfg["root"], cfg["upstream"]))
    try:
        sync(cfg, result, runner, sleep, force=args.force, keep_fds=(lock_fd,))
    except Terminated:
        result.update(result="interrupted", exit_code=EXIT_TERMINATED,
                      message="stopped by SIGTERM; leftovers are cleaned at the next run")
    if result["result"] == "success" and result["changes_applied"] and cfg["push"]:
        result.update(pushed=True, push=trigger_downstream(cfg, ssh_runner))
    result["end_timestamp"] = clock()
    if result["result"] in ("success", "refused"):
        os.unlink(marker)
    status = write_reports(cfg, result)
    for entry in status["push"] if status["pushed"] else ():
        if not entry["delivered"]:
            say("%s: could not trigger downstream %s: %s; it syncs on its own timer"
                % (PROG, entry["name"], entry["message"]), error=True)
    say(summary_line(status), error=status["result"] != "success")
    return status["exit_code"]


if __name__ == "__main__":
    sys.exit(main())
