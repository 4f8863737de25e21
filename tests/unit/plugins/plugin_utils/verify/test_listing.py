# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Entries of HTML and rsync directory listings (plugin_utils/verify/listing.py)."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.listing import autoindex_entries, rsync_list_entries

from verify_answers import APACHE_INDEX, NGINX_INDEX, RSYNC_LIST


def test_autoindex_entries_nginx():
    assert autoindex_entries(NGINX_INDEX) == ["amd64/", "historical/", "foo bar+1.tar.gz", "a&b.txt"]


def test_autoindex_entries_apache_skips_sort_parent_and_other_sites():
    assert autoindex_entries(APACHE_INDEX) == ["prefix/"]


def test_autoindex_entries_empty():
    assert autoindex_entries(None) == []
    assert autoindex_entries("<html><pre><a href=\"../\">../</a></pre></html>") == []


def test_rsync_list_entries():
    assert rsync_list_entries(RSYNC_LIST) == [
        "distfiles/", "experimental/", "name with spaces.tar.gz", "latest", "releases/", "snapshots/"]
    assert rsync_list_entries(RSYNC_LIST.splitlines()) == rsync_list_entries(RSYNC_LIST)
