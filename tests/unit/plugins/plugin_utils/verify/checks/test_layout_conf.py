# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The layout.conf check (plugin_utils/verify/checks/layout_conf.py)."""

from __future__ import annotations

from verify_answers import HTTP, base_raw, rows_for, uri


def test_layout_conf_missing_or_unusable():
    raw = base_raw(layout_conf={"results": [uri(status=404, item=HTTP)]})
    assert rows_for(raw, "layout.conf")[0]["detail"] == "distfiles/layout.conf: HTTP 404"
    raw = base_raw(layout_conf={"results": [uri(content="[structure]\n0=content-hash SHA512 8\n", item=HTTP)]})
    assert "names no usable layout" in rows_for(raw, "layout.conf")[0]["detail"]
