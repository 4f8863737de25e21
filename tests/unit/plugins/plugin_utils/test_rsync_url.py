# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""rsync daemon sources as URLs (plugin_utils/rsync_url.py)."""

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.rsync_url import rsync_url


@pytest.mark.parametrize("source,user,expect", [
    ("rsync://up.example/gentoo/", "", "rsync://up.example/gentoo/"),
    ("up.example::gentoo/", "", "rsync://up.example/gentoo/"),
    ("up.example::gentoo/distfiles/", "mirror42", "rsync://mirror42@up.example/gentoo/distfiles/"),
    ("rsync://up.example/gentoo/", "mirror42", "rsync://mirror42@up.example/gentoo/"),
    ("rsync://other@up.example/gentoo/", "mirror42", "rsync://other@up.example/gentoo/"),
    ("other@up.example::gentoo/", "mirror42", "rsync://other@up.example/gentoo/"),
    ("/srv/upstream/", "mirror42", "/srv/upstream/"),
    ("up.example:/srv/gentoo/", "", "up.example:/srv/gentoo/"),
])
def test_rsync_url(source, user, expect):
    assert rsync_url(source, user) == expect
