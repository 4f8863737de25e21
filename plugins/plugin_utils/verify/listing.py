# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Entries of a directory listing, as HTML (nginx autoindex and others) or rsync gives it."""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from ansible.module_utils.common.text.converters import to_text

_HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_RSYNC_LINE = re.compile(
    r"^(?P<mode>[-dlcbps][-rwxsStT]{9})\s+(?P<size>[\d,.]+)\s+(?P<date>\d{4}/\d\d/\d\d)\s+"
    r"(?P<time>\d\d:\d\d:\d\d)\s+(?P<name>.+)$")


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


def listing_of(result):
    """Entries from a registered ``uri`` (HTML) or rsync ``command`` result; None without a listing."""
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
