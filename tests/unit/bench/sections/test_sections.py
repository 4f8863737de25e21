# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The list of the bench's sections (tests/bench/sections/__init__.py): each module does its part."""

from __future__ import annotations

import os
import pathlib
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'bench'))

import sections  # noqa: E402  pylint: disable=wrong-import-position

NEEDS = {"stock", "wrk", "tree100k", "upstream_curl"}


def test_every_section_module_is_listed_once_in_both_orders():
    modules = sorted(p.stem for p in pathlib.Path(sections.__file__).parent.glob('*.py') if p.stem != '__init__')
    assert sorted(s.NAME for s in sections.SECTIONS) == modules
    assert sorted(s.NAME for s in sections.RUN_ORDER) == modules
    assert list(sections.BY_NAME) == [s.NAME for s in sections.SECTIONS]


def test_every_section_has_its_measurement_and_its_report():
    for section in sections.SECTIONS:
        assert section.__name__ == 'sections.' + section.NAME
        assert callable(section.measure) and callable(section.report), section.NAME
        assert set(section.NEEDS) <= NEEDS, section.NAME
        assert isinstance(section.SMOKE_CHART, bool), section.NAME


def test_the_page_numbers_the_sections_in_its_order():
    assert [s.TITLE.split('.', 1)[0] for s in sections.SECTIONS] == [str(i) for i in range(1, len(sections.SECTIONS) + 1)]
