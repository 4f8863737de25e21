# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the fleet scenario's tests: the real browser of tests/browser/."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tests", "browser"))
from browser import Browser  # noqa: E402 pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def browser():
    """Headless chromium; it resolves no name (the report is a file)."""
    with Browser() as running:
        yield running
