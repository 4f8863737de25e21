# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Judge what playbooks/tasks/verify_checks.yml collected about a mirror.

The playbook only gathers raw answers (``uri``, ``command`` with the rsync client, ``slurp``,
the collection's check modules) and never stops at the first failure. These filters turn
those answers into one row per check and protocol::

    {"check": "timestamp.mirmon", "protocol": "http", "result": "ok", "detail": "..."}

``result`` is ``ok``, ``warn`` (passes, below a recommendation), ``fail`` or ``skip``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import html
import json
import os
import re
import ssl
from urllib.parse import unquote

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mirrorkit.gentoo.plugins.filter.layout import layout_parse, layout_path

OK = "ok"
WARN = "warn"
FAIL = "fail"
SKIP = "skip"

# Files in distfiles/ that are not distfiles.
DISTFILES_META = ("layout.conf", "timestamp.mirmon", "timestamp.chk", "timestamp.x",
                  "THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt")

_HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_RSYNC_LINE = re.compile(
    r"^(?P<mode>[-dlcbps][-rwxsStT]{9})\s+(?P<size>[\d,.]+)\s+(?P<date>\d{4}/\d\d/\d\d)\s+"
    r"(?P<time>\d\d:\d\d:\d\d)\s+(?P<name>.+)$")


# ---------------------------------------------------------------------------------------
# listings


def autoindex_entries(page):
    """Entries of an HTML directory listing (nginx autoindex, Apache, lighttpd).

    Returns the link targets, unescaped, with a trailing ``/`` for directories, leaving out
    the parent (``../``), sort links (``?C=N;O=D``), anchors, absolute paths and other sites.
    """
    if page is None:
        return []
    entries = []
    for match in _HREF.finditer(to_text(page)):
        href = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        if not href or href[0] in "?#/" or "://" in href or href.startswith(("../", "./", "mailto:")):
            continue
        if href in ("..", "."):
            continue
        name = unquote(href.split("?", 1)[0].split("#", 1)[0])
        if name and name not in entries:
            entries.append(name)
    return entries


def rsync_list_entries(output):
    """Entries of an ``rsync --list-only`` answer, directories with a trailing ``/``.

    The message of the day and ``.`` are left out; symlinks are listed by their own name.
    """
    if output is None:
        return []
    lines = output if isinstance(output, list) else to_text(output).splitlines()
    entries = []
    for line in lines:
        match = _RSYNC_LINE.match(to_text(line).rstrip("\r\n"))
        if not match:
            continue
        name = match.group("name")
        mode = match.group("mode")
        if mode[0] == "l" and " -> " in name:
            name = name.split(" -> ", 1)[0]
        if name == ".":
            continue
        entries.append(name.rstrip("/") + "/" if mode[0] == "d" else name)
    return entries


def rsync_url(source, user=""):
    """An rsync daemon source as ``rsync://[user@]host/module/path``.

    ``host::module/path`` is the same daemon as ``rsync://host/module/path``; the login user is
    put in front of the host unless the source names one already. Other sources (local paths,
    ``host:path`` over SSH) are returned as they are: they are no rsync daemon.
    """
    source = to_text(source)
    user = to_text(user or "")
    if source.startswith("rsync://"):
        rest = source[len("rsync://"):]
    elif "::" in source and not source.startswith("/"):
        rest = source.replace("::", "/", 1)
    else:
        return source
    if user and "@" not in rest.split("/", 1)[0]:
        rest = "%s@%s" % (user, rest)
    return "rsync://" + rest


def sample_spread(items, count):
    """``count`` items spread evenly over ``items`` (all of them when there are fewer)."""
    items = list(items or [])
    count = int(count)
    if count <= 0:
        return []
    if len(items) <= count:
        return items
    step = len(items) / float(count)
    return [items[int(step * index + step / 2)] for index in range(count)]


def _listing_of(result):
    """Entries from a registered ``uri`` (HTML) or rsync ``command`` result."""
    if not isinstance(result, dict) or result.get("skipped"):
        return None
    if "content" in result or "status" in result:
        if result.get("status") != 200:
            return None
        return autoindex_entries(result.get("content"))
    if "rc" in result:
        if result.get("rc") != 0:
            return None
        return rsync_list_entries(result.get("stdout_lines") or result.get("stdout"))
    return None


def distfiles_sample(listings, layout=None, count=6):
    """Choose distfiles to fetch from listings of subdirectories of ``distfiles/``.

    ``listings`` is the registered result of a looped ``uri`` (HTML listing) or ``command``
    (``rsync --list-only``) task whose items are the directory names (``ab/``, or ``""`` for
    ``distfiles/`` itself). Returns ``{"files": [{"name", "listed", "computed"}], "error"}``,
    ``listed`` being where the listing showed the file and ``computed`` where ``layout``
    (the text of ``layout.conf``) puts it; ``computed`` is null and ``error`` set when the
    layout cannot be computed.
    """
    results = listings.get("results", []) if isinstance(listings, dict) else list(listings or [])
    found = []
    listed = False
    for result in results:
        entries = _listing_of(result)
        if not entries:
            continue
        listed = True
        directory = to_text(result.get("item") or "")
        if directory and not directory.endswith("/"):
            directory += "/"
        for entry in entries:
            if entry.endswith("/") or entry in DISTFILES_META or entry.startswith("."):
                continue
            found.append({"name": entry, "listed": directory + entry})
    sample = sample_spread(found, count)
    error = None
    parsed = layout_parse(layout) if layout is not None else None
    if parsed is None:
        error = "layout.conf could not be read"
    elif parsed["primary"] is None:
        error = "layout.conf names no layout this check can compute: %s" % (
            "; ".join(parsed["errors"] + ["%s (%s)" % (s["spec"], s["error"]) for s in parsed["structures"]]))
    for entry in sample:
        entry["computed"] = None if error else layout_path(entry["name"], parsed)
    if not listed:
        error = "distfiles/ has no listing over HTTP(S) nor rsync to take a sample from"
    elif not sample and error is None:
        error = "no distfiles found in the listings of distfiles/"
    return {"files": sample, "error": error, "listed": listed,
            "layout": parsed["primary"]["spec"] if parsed and parsed["primary"] else None}


# ---------------------------------------------------------------------------------------
# helpers for the judgement


def _row(check, protocol, result, detail):
    return {"check": check, "protocol": protocol, "result": result, "detail": " ".join(to_text(detail).split())}


def _skipped(result):
    return not isinstance(result, dict) or bool(result.get("skipped"))


def _http_problem(result):
    """None for a 200 answer, else a short description of what went wrong."""
    status = result.get("status")
    if status == 200:
        return None
    msg = to_text(result.get("msg") or "").strip()
    if status in (None, -1):
        return "no answer: %s" % (msg or "request failed")
    return "HTTP %s%s" % (status, (" (%s)" % msg) if msg and not msg.startswith("Status code was") else "")


def _rsync_problem(result):
    if result.get("rc") == 0:
        return None
    err = to_text(result.get("stderr") or result.get("msg") or "").strip().splitlines()
    err = [line for line in err if line.strip()]
    return "rsync exit %s: %s" % (result.get("rc"), err[0] if err else "no output")


def _iso(timestamp):
    return datetime.datetime.fromtimestamp(float(timestamp), datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _age(seconds):
    seconds = float(seconds)
    if abs(seconds) < 120:
        return "%d s" % seconds
    if abs(seconds) < 7200:
        return "%.0f min" % (seconds / 60)
    if abs(seconds) < 3 * 86400:
        return "%.1f h" % (seconds / 3600)
    return "%.1f days" % (seconds / 86400)


def _decode_slurp(result):
    try:
        return base64.b64decode(result.get("content") or "").decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def _loop_results(registered):
    if not isinstance(registered, dict):
        return []
    return [r for r in registered.get("results", []) if isinstance(r, dict)]


# ---------------------------------------------------------------------------------------
# the checks


def judge_timestamp(text, now, max_age_seconds):
    """(result, detail) for the content of distfiles/timestamp.mirmon."""
    first = to_text(text or "").strip().splitlines()
    first = first[0].strip() if first else ""
    match = re.match(r"^(\d{9,})\b", first)
    if not match:
        return FAIL, "first line is not a UNIX timestamp: %r" % first[:40]
    stamp = int(match.group(1))
    age = float(now) - stamp
    if age > max_age_seconds:
        return FAIL, "stale: %s old (written %s), threshold %s" % (_age(age), _iso(stamp), _age(max_age_seconds))
    if age < -300:
        return WARN, "%s in the future (written %s): clocks of the controller and upstream disagree" % (
            _age(-age), _iso(stamp))
    return OK, "%s old (written %s), threshold %s" % (_age(max(age, 0)), _iso(stamp), _age(max_age_seconds))


def _check_timestamps(raw, settings, now):
    rows = []
    max_age = float(settings["max_age_seconds"])
    for result in _loop_results(raw.get("timestamp_web")):
        proto = (result.get("item") or {}).get("protocol", "http")
        if result.get("skipped"):
            continue
        problem = _http_problem(result)
        if problem:
            rows.append(_row("timestamp.mirmon", proto, FAIL, "distfiles/timestamp.mirmon: " + problem))
            continue
        verdict, detail = judge_timestamp(result.get("content"), now, max_age)
        rows.append(_row("timestamp.mirmon", proto, verdict, detail))
    if settings.get("rsync"):
        fetched = raw.get("timestamp_rsync") or {}
        if _skipped(fetched):
            rows.append(_row("timestamp.mirmon", "rsync", FAIL, "not fetched over rsync"))
        elif _rsync_problem(fetched):
            rows.append(_row("timestamp.mirmon", "rsync", FAIL, "distfiles/timestamp.mirmon: " + _rsync_problem(fetched)))
        else:
            text = _decode_slurp(raw.get("timestamp_rsync_file") or {})
            verdict, detail = judge_timestamp(text, now, max_age) if text is not None else (FAIL, "fetched but unreadable")
            rows.append(_row("timestamp.mirmon", "rsync", verdict, detail))
    return rows


def _check_listings(raw):
    rows = []
    for result in _loop_results(raw.get("listings")):
        if result.get("skipped"):
            continue
        web, directory = (result.get("item") or [{}, "?"])[:2]
        proto = web.get("protocol", "http")
        check = "listing %s/" % directory
        problem = _http_problem(result)
        if problem:
            hint = " (directory listing turned off?)" if result.get("status") in (403, 404) else ""
            rows.append(_row(check, proto, FAIL, problem + hint))
            continue
        entries = autoindex_entries(result.get("content"))
        if not entries:
            rows.append(_row(check, proto, FAIL, "answered 200 but lists no entries (no autoindex, or an empty directory)"))
        else:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            rows.append(_row(check, proto, OK, "%d entries: %s" % (len(entries), shown)))
    return rows


def _check_layout(raw, settings):
    rows = []
    for result in _loop_results(raw.get("layout_conf")):
        if result.get("skipped"):
            continue
        proto = (result.get("item") or {}).get("protocol", "http")
        problem = _http_problem(result)
        if problem:
            rows.append(_row("layout.conf", proto, FAIL, "distfiles/layout.conf: " + problem))
            continue
        parsed = layout_parse(result.get("content"))
        if parsed["primary"] is None:
            rows.append(_row("layout.conf", proto, FAIL, "names no usable layout: %s" % "; ".join(
                parsed["errors"] + ["%s (%s)" % (s["spec"], s["error"]) for s in parsed["structures"]])))
        else:
            rows.append(_row("layout.conf", proto, OK, "[structure] %s" % ", ".join(
                "%d=%s" % (s["index"], s["spec"]) for s in parsed["structures"])))

    sample = raw.get("sample") or {}
    fetches = _loop_results(raw.get("sample_fetch"))
    for web in settings.get("web") or []:
        proto = web["protocol"]
        if sample.get("error") or not sample.get("files"):
            # Listings of distfiles/ are optional under the policy: without any, no sample
            # can be taken, which is worth a warning but is no failure of the mirror.
            verdict = WARN if sample.get("listed") is False else FAIL
            rows.append(_row("layout sample", proto, verdict, sample.get("error") or "no sample of distfiles was taken"))
            continue
        mine = [r for r in fetches if (r.get("item") or [{}])[0].get("protocol") == proto and not r.get("skipped")]
        missing = []
        misplaced = []
        for result in mine:
            entry = result["item"][1]
            if _http_problem(result):
                missing.append("%s (%s)" % (entry["computed"], _http_problem(result)))
            elif entry["computed"] != entry["listed"]:
                misplaced.append("%s listed at %s" % (entry["computed"], entry["listed"]))
        total = len(sample["files"])
        if not mine:
            rows.append(_row("layout sample", proto, FAIL, "the sample was not fetched"))
        elif missing or misplaced:
            rows.append(_row("layout sample", proto, FAIL, "%d of %d files not at the path '%s' gives: %s" % (
                len(missing) + len(misplaced), total, sample.get("layout"), "; ".join((missing + misplaced)[:3]))))
        else:
            rows.append(_row("layout sample", proto, OK, "%d of %d files at their '%s' paths, e.g. distfiles/%s" % (
                len(mine), total, sample.get("layout"), sample["files"][0]["computed"])))
    return rows


def hostname_matches(hostname, names):
    """Whether a certificate for ``names`` (DNS names, ``*.`` wildcards allowed in the
    leftmost label only, RFC 6125) is valid for ``hostname``."""
    host = to_text(hostname).rstrip(".").lower()
    for name in names or []:
        name = to_text(name)
        if name.startswith("DNS:"):
            name = name[4:]
        elif ":" in name:
            continue
        name = name.strip().rstrip(".").lower()
        if name == host:
            return True
        if name.startswith("*.") and "*" not in name[2:]:
            head, dot, tail = host.partition(".")
            if head and dot and tail == name[2:]:
                return True
    return False


def _check_certificate(raw, settings, now):
    if not settings.get("https"):
        return []
    cert = raw.get("certificate") or {}
    info = raw.get("certificate_info") or {}
    hostname = settings.get("hostname")
    if _skipped(cert):
        return [_row("certificate", "https", FAIL, "not checked")]
    if cert.get("failed") or not cert.get("cert"):
        return [_row("certificate", "https", FAIL, "TLS handshake or verification against %s failed: %s" % (
            settings.get("ca_bundle") or "the trusted CAs", to_text(cert.get("msg") or "no certificate").strip()))]
    names = info.get("subject_alt_name") or []
    if not names and (info.get("subject") or {}).get("commonName"):
        names = ["DNS:" + info["subject"]["commonName"]]
    if not hostname_matches(hostname, names):
        return [_row("certificate", "https", FAIL, "not valid for %s (names: %s)" % (
            hostname, ", ".join(names) or "none"))]
    try:
        not_after = datetime.datetime.strptime(cert["not_after"], "%Y%m%d%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except (KeyError, ValueError, TypeError):
        return [_row("certificate", "https", FAIL, "cannot read the expiry date %r" % cert.get("not_after"))]
    days = (not_after.timestamp() - float(now)) / 86400.0
    issuer = (info.get("issuer") or cert.get("issuer") or {}).get("commonName") or "unknown issuer"
    text = "valid for %s, issued by %s, expires %s" % (hostname, issuer, not_after.strftime("%Y-%m-%d"))
    if days < 0 or cert.get("expired"):
        return [_row("certificate", "https", FAIL, "expired on %s" % not_after.strftime("%Y-%m-%d"))]
    if days < float(settings.get("cert_min_days", 14)):
        return [_row("certificate", "https", FAIL, "%s: %.1f days left, fewer than %s (renewal not working?)" % (
            text, days, settings.get("cert_min_days", 14)))]
    return [_row("certificate", "https", OK, "%s (%.0f days left)" % (text, days))]


def _check_rsync_module(raw, settings):
    if not settings.get("rsync"):
        return []
    result = raw.get("rsync_module") or {}
    if _skipped(result):
        return [_row("rsync module", "rsync", FAIL, "not checked")]
    problem = _rsync_problem(result)
    if problem:
        return [_row("rsync module", "rsync", FAIL, problem)]
    entries = rsync_list_entries(result.get("stdout_lines") or result.get("stdout"))
    missing = [d for d in ("distfiles/", "releases/", "snapshots/", "experimental/") if d not in entries]
    if missing:
        return [_row("rsync module", "rsync", FAIL, "answers but lacks %s" % ", ".join(missing))]
    return [_row("rsync module", "rsync", OK, "answers with %d entries: %s" % (len(entries), ", ".join(entries[:6])))]


def judge_status(status, now, max_age_seconds):
    """(result, detail) for the sync job's status.json (a dict)."""
    result = status.get("result")
    end = status.get("end_timestamp")
    last_ok = status.get("last_success_timestamp")
    when = ("ended %s (%s ago)" % (_iso(end), _age(float(now) - float(end)))) if end else "end unknown"
    if result != "success":
        message = to_text(status.get("message") or "").strip() or "no message"
        return FAIL, "last run %s, %s: %s; last success %s%s" % (
            result or "unknown", when, message,
            _iso(last_ok) if last_ok else "never",
            (", %d failures in a row" % status["consecutive_failures"]) if status.get("consecutive_failures") else "")
    if end and float(now) - float(end) > max_age_seconds:
        return FAIL, "last run succeeded but %s, threshold %s: is the timer running?" % (when, _age(max_age_seconds))
    took = status.get("duration_seconds")
    return OK, "success, %s%s" % (when, (", took %s" % _age(took)) if took is not None else "")


def _check_status(raw, settings, now):
    result = raw.get("status") or {}
    path = settings.get("status_file", "status.json")
    if _skipped(result):
        return [_row("last sync", "status", SKIP, "status file not read")]
    if result.get("unreachable"):
        return [_row("last sync", "status", FAIL, "mirror host unreachable: %s" % to_text(result.get("msg")).strip())]
    if result.get("failed") or "content" not in result:
        return [_row("last sync", "status", FAIL, "cannot read %s: %s (no sync has finished yet?)" % (
            path, to_text(result.get("msg") or "").strip()))]
    try:
        status = json.loads(_decode_slurp(result) or "")
    except ValueError as exc:
        return [_row("last sync", "status", FAIL, "%s is not JSON: %s" % (path, exc))]
    if not isinstance(status, dict):
        return [_row("last sync", "status", FAIL, "%s is not a JSON object" % path)]
    verdict, detail = judge_status(status, now, float(settings["max_age_seconds"]))
    return [_row("last sync", "status", verdict, detail)]


def _bandwidth_row(check, protocol, result, enabled, reason):
    if not enabled:
        return _row(check, protocol, SKIP, reason)
    if _skipped(result):
        return _row(check, protocol, SKIP, (result or {}).get("skip_reason") or "not measured")
    if result.get("unreachable"):
        return _row(check, protocol, FAIL, "mirror host unreachable: %s" % to_text(result.get("msg")).strip())
    verdict = result.get("verdict")
    msg = to_text(result.get("msg") or "").strip()
    if verdict == "ok" and not result.get("failed"):
        return _row(check, protocol, OK, "%.1f Mbit/s from %s over %.1f s" % (
            float(result.get("measured_mbit") or 0), result.get("url"), float(result.get("seconds") or 0)))
    if verdict == "below_recommended" and not result.get("failed"):
        return _row(check, protocol, WARN, msg)
    return _row(check, protocol, FAIL, msg or "measurement failed")


def _check_bandwidth(raw, settings):
    enabled = bool(settings.get("bandwidth"))
    reason = "gentoo_mirror_verify_bandwidth is false"
    rows = [_bandwidth_row("bandwidth upstream", "rsync", raw.get("bandwidth_upstream"), enabled, reason)]
    web = settings.get("web") or []
    proto = web[0]["protocol"] if web else "http"
    rows.append(_bandwidth_row("bandwidth to users", proto, raw.get("bandwidth_client"), enabled, reason))
    return rows


def _check_limits(raw, settings):
    if not settings.get("limits"):
        return [_row("connection limits", "-", SKIP, "gentoo_mirror_verify_limits is false")]
    result = raw.get("limits") or {}
    if _skipped(result):
        return [_row("connection limits", "-", SKIP, result.get("skip_reason") or "not checked")]
    if result.get("unreachable"):
        return [_row("connection limits", "-", FAIL, "mirror host unreachable: %s" % to_text(result.get("msg")).strip())]
    protocols = result.get("protocols") or {}
    rows = []
    wanted = {"http": bool(settings.get("web")), "rsync": bool(settings.get("rsync"))}
    minimum = int(result.get("min_connections") or settings.get("min_connections", 15))
    for name in ("http", "rsync"):
        figures = protocols.get(name) or {}
        if not wanted[name]:
            continue
        if not figures.get("enabled"):
            rows.append(_row("connection limits", name, FAIL, "not checked: %s" % to_text(result.get("msg") or "service not found")))
            continue
        limiting = figures.get("limiting") or {}
        capacity = figures.get("capacity")
        text = "%s concurrent clients" % ("no limit on" if capacity is None else capacity)
        if limiting.get("directive"):
            text += ", limited by %s %s%s" % (limiting["directive"], limiting.get("value"),
                                              (" in %s" % limiting["file"]) if limiting.get("file") else "")
        verdict = {"ok": OK, "below_recommended": WARN}.get(figures.get("verdict"), FAIL)
        probe = figures.get("probe")
        if probe:
            text += "; probe: %d of %d served" % (probe.get("served", 0), probe.get("attempted", 0))
            if probe.get("served", 0) < min(probe.get("attempted", 0), minimum):
                verdict = FAIL
                text += " (%s)" % (probe.get("sample_refusal") or probe.get("sample_error") or "%s unanswered" % probe.get("unanswered"))
            elif probe.get("served", 0) < probe.get("attempted", 0) and verdict == OK:
                verdict = WARN
        rows.append(_row("connection limits", name, verdict, text))
    if not rows and result.get("failed"):
        rows.append(_row("connection limits", "-", FAIL, to_text(result.get("msg") or "check failed")))
    return rows


def verify_evaluate(raw):
    """Rows for everything verify_checks.yml collected. ``raw["settings"]`` holds the
    thresholds and the protocols the mirror serves, ``raw["now"]`` the controller's time."""
    if not isinstance(raw, dict) or "settings" not in raw:
        raise AnsibleFilterError("verify_evaluate expects the dict built by verify_checks.yml")
    settings = raw["settings"]
    now = float(raw.get("now"))
    rows = []
    rows += _check_timestamps(raw, settings, now)
    rows += _check_listings(raw)
    rows += _check_layout(raw, settings)
    rows += _check_certificate(raw, settings, now)
    rows += _check_rsync_module(raw, settings)
    rows += _check_status(raw, settings, now)
    rows += _check_bandwidth(raw, settings)
    rows += _check_limits(raw, settings)
    return rows


def default_ca_bundle(path=None):
    """``path`` when set, else the CA bundle the controller's Python trusts by default
    (``ssl.get_default_verify_paths()``, then the usual distribution paths)."""
    if path:
        return to_text(path)
    paths = ssl.get_default_verify_paths()
    candidates = [paths.cafile, paths.openssl_cafile, "/etc/ssl/certs/ca-certificates.crt",
                  "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/ssl/ca-bundle.pem"]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate):
            return candidate
    raise AnsibleFilterError("default_ca_bundle: no CA bundle found on the controller; "
                             "set gentoo_mirror_verify_ca_bundle")


def verify_failures(rows, host=None):
    """One line per failed row: ``<host>: <check> (<protocol>) FAILED: <detail>``."""
    prefix = ("%s: " % host) if host else ""
    return ["%s%s (%s) FAILED: %s" % (prefix, r["check"], r["protocol"], r["detail"])
            for r in rows or [] if r.get("result") == FAIL]


def verify_fleet_summary(reports):
    """Lines summing up several mirrors; ``reports`` is a list of ``{"name", "rows"}``."""
    reports = [r for r in reports or [] if isinstance(r, dict)]
    failing = [r for r in reports if any(row.get("result") == FAIL for row in r.get("rows", []))]
    lines = ["%d mirror(s) checked: %d pass, %d fail" % (len(reports), len(reports) - len(failing), len(failing))]
    for report in reports:
        rows = report.get("rows", [])
        counts = {k: sum(1 for row in rows if row.get("result") == k) for k in (OK, WARN, FAIL, SKIP)}
        lines.append("%s: %s (%d ok, %d warnings, %d failed, %d skipped)" % (
            report.get("name"), "FAIL" if counts[FAIL] else "PASS", counts[OK], counts[WARN], counts[FAIL], counts[SKIP]))
        lines.extend("  " + line for line in verify_failures(rows))
    return lines


def verify_table(rows, title=None, width=110):
    """A plain-text table of the rows (one list item per line, for ``debug: msg``)."""
    rows = list(rows or [])
    head = ("CHECK", "PROTOCOL", "RESULT", "DETAIL")
    labels = {OK: "ok", WARN: "WARN", FAIL: "FAIL", SKIP: "skip"}
    cells = [(r["check"], r["protocol"], labels.get(r["result"], r["result"]), r["detail"]) for r in rows]
    widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(3)]
    indent = sum(widths) + 6
    room = max(int(width) - indent, 30)
    lines = []
    if title:
        lines.append(title)
    lines.append("  ".join(h.ljust(widths[i]) for i, h in enumerate(head[:3])) + "  " + head[3])
    lines.append("-" * min(int(width), indent + max([len(head[3])] + [len(c[3]) for c in cells])))
    for cell in cells:
        detail = cell[3]
        chunks = []
        while len(detail) > room:
            cut = detail.rfind(" ", 0, room)
            cut = cut if cut > room // 2 else room
            chunks.append(detail[:cut])
            detail = detail[cut:].lstrip()
        chunks.append(detail)
        lines.append("  ".join(cell[i].ljust(widths[i]) for i in range(3)) + "  " + chunks[0])
        lines.extend(" " * indent + chunk for chunk in chunks[1:])
    counts = {k: sum(1 for r in rows if r["result"] == k) for k in (OK, WARN, FAIL, SKIP)}
    lines.append("%d ok, %d warnings, %d failed, %d skipped" % (counts[OK], counts[WARN], counts[FAIL], counts[SKIP]))
    return lines


class FilterModule:
    """Filters of the site, verify and inclusion_request playbooks."""

    def filters(self):
        return {
            "autoindex_entries": autoindex_entries,
            "rsync_list_entries": rsync_list_entries,
            "rsync_url": rsync_url,
            "sample_spread": sample_spread,
            "distfiles_sample": distfiles_sample,
            "default_ca_bundle": default_ca_bundle,
            "verify_evaluate": verify_evaluate,
            "verify_failures": verify_failures,
            "verify_fleet_summary": verify_fleet_summary,
            "verify_table": verify_table,
        }
