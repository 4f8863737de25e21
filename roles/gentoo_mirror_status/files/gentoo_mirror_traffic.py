# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""gentoo-mirror-traffic: the mirror's traffic report, rendered by GoAccess from the servers' logs.

Installed by mirrorkit.gentoo.gentoo_mirror_status as
/usr/local/lib/gentoo-mirror-status/gentoo_mirror_traffic.py and run every hour by
gentoo-mirror-traffic.timer. Python 3 standard library only. nginx's access log (HTTP and HTTPS:
the last field is the scheme) and rsyncd's transfer log (one "send" line per file) have
different layouts, which one GoAccess run cannot read together: this program reads both (the
current files and the ones logrotate kept, gzipped or not), keeps the last `days` days, and
feeds GoAccess one line per request in one layout whose virtual host is the protocol. GoAccess
shows per day and per protocol the requests and bytes, the most requested files, and, with a
GeoIP database, the countries; addresses are truncated before GoAccess sees them (IPv4 /24,
IPv6 /48) and its hosts panel is left out, so no address is published. The report replaces
<output_dir>/index.html through a temporary file and a rename.

Exit status: 0 written, 1 GoAccess failed, 2 bad usage or configuration.
"""

import datetime
import glob
import gzip
import ipaddress
import json
import os
import re
import subprocess
import sys

PROG = "gentoo-mirror-traffic"
DEFAULT_CONFIG = "/etc/gentoo-mirror/traffic.conf"
# The one layout GoAccess reads: protocol, address, date, time, path, status, bytes, agent.
LOG_FORMAT = '%v %h %d %t "%U" %s %b "%u"'
# Panels that would publish client data (addresses, referring pages, search words, logins, and,
# with a GeoIP database, the client's network and its owner: a country database has none of it
# and GoAccess shows one "Unknown" row).
HIDDEN_PANELS = ("HOSTS", "REFERRERS", "REFERRING_SITES", "KEYPHRASES", "REMOTE_USER", "ASN")

_NGINX = re.compile(r'^(?P<addr>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>\S+)[^"]*" '
                    r'(?P<status>\d{3}) (?P<bytes>\d+) "[^"]*" "(?P<agent>[^"]*)"(?: \S+)?(?: (?P<scheme>https?))?$')
_RSYNCD = re.compile(r"^(?P<time>\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) \[\d+\] send (?P<addr>\S+) (?P<module>\S+) "
                     r"(?P<path>.+) (?P<bytes>\d+)$")


class ConfigError(Exception):
    """The configuration file is missing or wrong."""


def load_config(path):
    try:
        with open(path, encoding="utf-8") as handle:
            cfg = json.loads("".join(line if not line.lstrip().startswith("#") else "\n" for line in handle))
    except OSError as exc:
        raise ConfigError("cannot read %s: %s" % (path, exc.strerror))
    except ValueError as exc:
        raise ConfigError("%s is not valid JSON: %s" % (path, exc))
    if not isinstance(cfg, dict):
        raise ConfigError("the configuration must be a JSON object")
    for key in ("nginx_log", "rsyncd_log", "output_dir", "geoip_database", "title"):
        if not isinstance(cfg.get(key), str):
            raise ConfigError("%s must be a string" % key)
    if not isinstance(cfg.get("days"), int) or isinstance(cfg["days"], bool) or cfg["days"] < 1:
        raise ConfigError("days must be a whole number >= 1, got %r" % cfg.get("days"))
    return cfg


def anonymize(addr):
    """The network, not the client: IPv4 /24, IPv6 /48 (what is left still finds the country)."""
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return "0.0.0.0"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network("%s/%d" % (ip, prefix), strict=False).network_address)


def line_out(proto, addr, when, path, status, size, agent):
    path = path.split("?", 1)[0].replace('"', "%22")
    agent = agent.replace('"', "'")
    return '%s %s %s "%s" %s %s "%s"\n' % (proto, anonymize(addr), when.strftime("%Y-%m-%d %H:%M:%S"),
                                           path, status, size, agent)


def from_nginx(line, since):
    match = _NGINX.match(line)
    if not match:
        return None
    when = datetime.datetime.strptime(match.group("time"), "%d/%b/%Y:%H:%M:%S %z").astimezone()
    if when < since:
        return None
    return line_out(match.group("scheme") or "http", match.group("addr"), when, match.group("path"),
                    match.group("status"), match.group("bytes"), match.group("agent"))


def from_rsyncd(line, since):
    match = _RSYNCD.match(line)
    if not match:
        return None
    when = datetime.datetime.strptime(match.group("time"), "%Y/%m/%d %H:%M:%S").astimezone()
    if when < since:
        return None
    path = "/" + match.group("path").lstrip("/")
    return line_out("rsync", match.group("addr"), when, path, "200", match.group("bytes"), "rsync")


def log_files(path):
    """The current log and the ones logrotate kept (path.1, path.2.gz, ...), oldest first."""
    def age(name):
        suffix = name[len(path):].lstrip(".").split(".")[0]
        return int(suffix) if suffix.isdigit() else 0
    return sorted((p for p in glob.glob(glob.escape(path) + "*") if p == path or age(p)), key=age, reverse=True)


def read_lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
            yield from handle
    except OSError:
        return


def requests(cfg, now):
    """Every request of the last cfg["days"] days in GoAccess's one layout."""
    since = now - datetime.timedelta(days=cfg["days"])
    for log, convert in ((cfg["nginx_log"], from_nginx), (cfg["rsyncd_log"], from_rsyncd)):
        for path in log_files(log) if log else ():
            for line in read_lines(path):
                out = convert(line.rstrip("\n"), since)
                if out:
                    yield out


def goaccess_command(cfg, output):
    argv = ["goaccess", "-", "--no-global-config", "--log-format=" + LOG_FORMAT, "--date-format=%Y-%m-%d",
            "--time-format=%H:%M:%S", "--output=" + output, "--html-report-title=" + cfg["title"],
            "--no-progress", "--no-parsing-spinner", "--no-query-string", "--http-method=no",
            "--http-protocol=no", "--anonymize-ip"]
    argv += ["--ignore-panel=" + panel for panel in HIDDEN_PANELS]
    if cfg["geoip_database"] and os.path.exists(cfg["geoip_database"]):
        argv.append("--geoip-database=" + cfg["geoip_database"])
    return argv


def main(argv=None, now=None):
    args = list(sys.argv[1:] if argv is None else argv)
    check_only = "--check-config" in args
    args = [a for a in args if a != "--check-config"]
    if len(args) not in (0, 2) or (args and args[0] != "--config"):
        print("usage: %s [--check-config] [--config FILE]" % PROG, file=sys.stderr)
        return 2
    path = args[1] if args else DEFAULT_CONFIG
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        print("%s: configuration error: %s" % (PROG, exc), file=sys.stderr)
        return 2
    if check_only:
        print("%s: configuration %s is valid" % (PROG, path))
        return 0
    # GoAccess picks the report's kind by the name's ending: the temporary name ends in .html too.
    tmp = os.path.join(cfg["output_dir"], ".index.%d.tmp.html" % os.getpid())
    proc = subprocess.Popen(goaccess_command(cfg, tmp), stdin=subprocess.PIPE, text=True)
    count = 0
    try:
        for line in requests(cfg, now or datetime.datetime.now().astimezone()):
            proc.stdin.write(line)
            count += 1
    except BrokenPipeError:
        pass
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    if proc.wait() != 0 or not os.path.exists(tmp):
        print("%s: goaccess failed (exit %d)" % (PROG, proc.returncode), file=sys.stderr)
        if os.path.exists(tmp):
            os.unlink(tmp)
        return 1
    os.chmod(tmp, 0o644)
    os.replace(tmp, os.path.join(cfg["output_dir"], "index.html"))
    print("%s: %d requests of the last %d days in %s/index.html" % (PROG, count, cfg["days"], cfg["output_dir"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
