# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sample of distfiles the layout sample check fetches (plugin_utils/verify/sample.py)."""

from __future__ import annotations

import pytest

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.layout import layout_path
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.sample import distfiles_sample, sample_spread

from verify_answers import LAYOUT_CONF, NAMES, hashed_listing, listing_html, uri


@pytest.mark.parametrize("items, count, expected", [
    (list(range(10)), 3, [1, 5, 8]),
    (list(range(256)), 4, [32, 96, 160, 224]),
    ([1, 2], 5, [1, 2]),
    ([1, 2], 0, []),
])
def test_sample_spread(items, count, expected):
    assert sample_spread(items, count) == expected


@pytest.mark.parametrize("via", ["http", "rsync"])
def test_distfiles_sample_computes_paths(via):
    sample = distfiles_sample(hashed_listing(NAMES, via), LAYOUT_CONF, 6)
    assert sample["error"] is None
    assert sample["layout"] == "filename-hash BLAKE2B 8"
    assert len(sample["files"]) == 6
    for entry in sample["files"]:
        assert entry["computed"] == entry["listed"] == layout_path(entry["name"])


def test_distfiles_sample_skips_metadata_and_directories():
    top = uri(content=listing_html(["00/", "layout.conf", "timestamp.mirmon", "timestamp.chk", ".hidden", "flat-1.tar.gz"]))
    sample = distfiles_sample([top], LAYOUT_CONF, 6)
    assert [e["name"] for e in sample["files"]] == ["flat-1.tar.gz"]
    # A flat file whose layout says it belongs in a hashed directory: listed != computed.
    assert sample["files"][0]["listed"] == "flat-1.tar.gz"
    assert sample["files"][0]["computed"] == layout_path("flat-1.tar.gz")


def test_distfiles_sample_without_usable_layout():
    sample = distfiles_sample(hashed_listing(NAMES), "[structure]\n0=content-hash SHA512 8\n", 3)
    assert "no layout this check can compute" in sample["error"]
    assert all(e["computed"] is None for e in sample["files"])
    assert "could not be read" in distfiles_sample(hashed_listing(NAMES), None, 3)["error"]


def test_distfiles_sample_without_files():
    sample = distfiles_sample({"results": [uri(content=listing_html(["00/", "layout.conf"]))]}, LAYOUT_CONF, 3)
    assert sample["files"] == []
    assert sample["listed"] is True
    assert "no distfiles found" in sample["error"]


def test_distfiles_sample_without_any_listing():
    sample = distfiles_sample({"results": [uri(status=403, item="")]}, LAYOUT_CONF, 3)
    assert sample["listed"] is False
    assert "has no listing" in sample["error"]
