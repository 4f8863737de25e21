# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The listing checks (plugin_utils/verify/checks/listings.py)."""

from __future__ import annotations

from verify_answers import HTTP, NGINX_INDEX, base_raw, rows_for, uri


def test_listing_turned_off_fails_with_a_hint():
    raw = base_raw(listings={"results": [
        uri(content=NGINX_INDEX, item=[HTTP, "experimental"]),
        uri(status=403, item=[HTTP, "releases"], msg="Status code was 403 and not [200]: HTTP Error 403: Forbidden"),
        uri(content="<html><body>nothing here</body></html>", item=[HTTP, "snapshots"]),
    ]})
    rows = {r["check"]: r for r in rows_for(raw, "listing releases/") + rows_for(raw, "listing snapshots/") + rows_for(raw, "listing experimental/")}
    assert rows["listing experimental/"]["result"] == "ok"
    assert rows["listing releases/"]["result"] == "fail"
    assert rows["listing releases/"]["detail"] == "HTTP 403 (directory listing turned off?)"
    assert "lists no entries" in rows["listing snapshots/"]["detail"]
