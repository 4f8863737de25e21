# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The sample of distfiles the layout sample check fetches at their GLEP 75 paths."""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.layout import layout_parse, layout_path
from ansible_collections.mirrorkit.gentoo.plugins.plugin_utils.verify.listing import listing_of

# Files in distfiles/ that are not distfiles.
DISTFILES_META = ("layout.conf", "timestamp.mirmon", "timestamp.chk", "timestamp.x",
                  "THIS-FILE-SHOULD-NOT-BE-PUBLIC.txt")


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


def layout_problem(parsed):
    """Why a parsed layout.conf names no layout this code can compute."""
    return "; ".join(parsed["errors"] + ["%s (%s)" % (s["spec"], s["error"]) for s in parsed["structures"]])


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
        entries = listing_of(result)
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
        error = "layout.conf names no layout this check can compute: %s" % layout_problem(parsed)
    for entry in sample:
        entry["computed"] = None if error else layout_path(entry["name"], parsed)
    if not listed:
        error = "distfiles/ has no listing over HTTP(S) nor rsync to take a sample from"
    elif not sample and error is None:
        error = "no distfiles found in the listings of distfiles/"
    return {"files": sample, "error": error, "listed": listed,
            "layout": parsed["primary"]["spec"] if parsed and parsed["primary"] else None}
