# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.module_utils import rsync_listing


LISTING_32 = """Welcome to the test mirror
drwxr-xr-x          4,096 2026/11/25 08:00:00 .
-rw-r--r--     67,108,864 2026/11/25 08:00:00 big.bin
-rw-r--r--            512 2026/11/25 08:00:00 name with spaces.txt
lrwxrwxrwx             11 2026/11/25 08:00:00 latest -> big.bin
drwxr-xr-x          4,096 2026/11/25 08:00:00 distfiles
drwxr-xr-x          4,096 2026/11/25 08:00:00 snapshots
"""


LISTING_OLD = """-rw-r--r--    123456789 2019/01/01 00:00:00 gentoo-latest.tar.xz
-rw-r--r--         1.234 2019/01/01 00:00:00 dotted
"""


def test_parse_rsync_list():
    entries = rsync_listing.parse_rsync_list(LISTING_32)
    assert [e['name'] for e in entries] == ['.', 'big.bin', 'name with spaces.txt', 'latest', 'distfiles', 'snapshots']
    assert entries[1] == {'type': 'file', 'size': 67108864, 'name': 'big.bin'}
    assert entries[3]['type'] == 'link'
    assert rsync_listing.largest_file(entries)['name'] == 'big.bin'
    assert rsync_listing.subdirectories(entries) == ['distfiles', 'snapshots']
    old = rsync_listing.parse_rsync_list(LISTING_OLD)
    assert old[0]['size'] == 123456789 and old[1]['size'] == 1234
    assert rsync_listing.largest_file([]) is None
