# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every filter has its documentation (plugins/filter/<name>.yml) and every documented filter
is served by one of the thin filter files, under its public name."""

from __future__ import annotations

import importlib
import pathlib

import yaml

FILTERS = pathlib.Path(__file__).resolve().parents[4] / "plugins" / "filter"


def served():
    names = {}
    for path in sorted(FILTERS.glob("*.py")):
        module = importlib.import_module("ansible_collections.mirrorkit.gentoo.plugins.filter." + path.stem)
        for name in module.FilterModule().filters():
            assert name not in names, "%s served by %s and %s" % (name, names[name], path.name)
            names[name] = path.name
    return names


def test_every_filter_is_documented_and_every_documented_filter_served():
    documented = {p.stem for p in FILTERS.glob("*.yml")}
    for path in FILTERS.glob("*.yml"):
        assert yaml.safe_load(path.read_text())["DOCUMENTATION"]["name"] == path.stem
    assert set(served()) == documented


def test_no_filter_or_plugin_utils_file_over_400_lines():
    for path in list(FILTERS.glob("*.py")) + list((FILTERS.parent / "plugin_utils").rglob("*.py")):
        assert len(path.read_text().splitlines()) <= 400, path
