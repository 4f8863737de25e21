# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The layout sample check (plugin_utils/verify/checks/layout_sample.py)."""

from __future__ import annotations

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.sample import distfiles_sample

from verify_answers import HTTP, HTTPS, LAYOUT_CONF, base_raw, listing_html, rows_for, settings, uri


def test_layout_sample_without_listings_only_warns():
    sample = distfiles_sample({"results": [uri(status=403)]}, LAYOUT_CONF, 3)
    row = rows_for(base_raw(sample=sample, sample_fetch={"results": []}), "layout sample")[0]
    assert row["result"] == "warn"
    assert row["detail"] == "distfiles/ has no listing over HTTP(S) nor rsync to take a sample from"
    sample = distfiles_sample({"results": [uri(content=listing_html(["00/"]))]}, LAYOUT_CONF, 3)
    assert rows_for(base_raw(sample=sample, sample_fetch={"results": []}), "layout sample")[0]["result"] == "fail"


def test_layout_sample_file_missing_at_computed_path():
    raw = base_raw()
    fetched = raw["sample_fetch"]["results"]
    fetched[1] = uri(status=404, item=fetched[1]["item"])
    row = rows_for(raw, "layout sample")[0]
    assert row["result"] == "fail"
    assert "1 of 4 files not at the path 'filename-hash BLAKE2B 8' gives" in row["detail"]
    assert fetched[1]["item"][1]["computed"] in row["detail"]


def test_layout_sample_misplaced_file_fails_even_when_found():
    raw = base_raw()
    entry = dict(raw["sample"]["files"][0], listed="zz/" + raw["sample"]["files"][0]["name"])
    raw["sample"]["files"][0] = entry
    raw["sample_fetch"]["results"][0] = uri(item=[HTTP, entry])
    row = rows_for(raw, "layout sample")[0]
    assert row["result"] == "fail"
    assert "listed at zz/" in row["detail"]


def test_layout_sample_error_is_reported_per_protocol():
    raw = base_raw(settings=settings(web=[HTTP, HTTPS]), sample={"files": [], "error": "no distfiles found in the listings of distfiles/"},
                   sample_fetch={"results": []})
    rows = rows_for(raw, "layout sample")
    assert [r["protocol"] for r in rows] == ["http", "https"]
    assert all(r["detail"] == "no distfiles found in the listings of distfiles/" for r in rows)
