# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the TLS scenario's tests, and the real browser of tests/browser/."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tests", "browser"))
from hostexec import pebble_root_pem  # noqa: E402 pylint: disable=wrong-import-position
from browser import Browser  # noqa: E402 pylint: disable=wrong-import-position


@pytest.fixture(scope="module")
def pebble_root(tmp_path_factory):
    """Pebble's runtime root (roots/0), read inside tls-pebble, in a local file."""
    path = tmp_path_factory.mktemp("pebble") / "pebble-root.pem"
    path.write_text(pebble_root_pem("tls-pebble") + "\n")
    return str(path)


@pytest.fixture(scope="module")
def mirror_browser(pebble_root):
    """Headless chromium that finds the mirror by its name on 127.0.0.1 (no other name
    resolves) and trusts Pebble's root, as a visitor whose system trusts that CA."""
    with Browser(hosts={"tls-mirror.example.test": "127.0.0.1"}, ca_pem=pebble_root) as running:
        yield running
