# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read the output of ``rsync --list-only`` and pick what to download from it."""

from __future__ import annotations

import re

_LIST_RE = re.compile(
    r'^(?P<mode>[-dlcbps][-rwxsStT]{9}[+.@]?)\s+(?P<size>[\d,.]+)\s+'
    r'(?P<date>\d{4}/\d{2}/\d{2})\s+(?P<time>\d{2}:\d{2}:\d{2})\s+(?P<name>.+)$')


def parse_rsync_list(text):
    """Parse ``rsync --list-only`` output into dicts with type, size and name.

    rsync 3.1+ groups digits of sizes (``67,108,864``, or with dots in some locales);
    the separators are removed. MOTD lines and anything else that does not look like an entry
    are skipped.
    """
    entries = []
    for line in text.splitlines():
        match = _LIST_RE.match(line.rstrip('\r\n'))
        if not match:
            continue
        mode = match.group('mode')
        kind = {'-': 'file', 'd': 'dir', 'l': 'link'}.get(mode[0], 'other')
        name = match.group('name')
        if kind == 'link' and ' -> ' in name:
            name = name.split(' -> ', 1)[0]
        entries.append({
            'type': kind,
            'size': int(re.sub(r'[,.]', '', match.group('size'))),
            'name': name,
        })
    return entries


def largest_file(entries):
    files = [e for e in entries if e['type'] == 'file']
    if not files:
        return None
    return max(files, key=lambda e: (e['size'], e['name']))


def subdirectories(entries):
    return [e['name'] for e in entries if e['type'] == 'dir' and e['name'] not in ('.', '..')]
