# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Load the sync program the role gentoo_mirror_sync installs (a file, not a package module; its
path: tests/testbed/role_programs.py) as a module."""

import pytest


@pytest.fixture(scope="session")
def gms(role_program):
    return role_program("gentoo_mirror_sync")


@pytest.fixture
def cfg(gms, tmp_path):
    root = tmp_path / "mirror"
    state = tmp_path / "state"
    # A populated tree, as on every run but the first (the first sync skips the dry run).
    (root / "distfiles").mkdir(parents=True)
    (root / "distfiles" / "layout.conf").write_text("[structure]\n0=filename-hash BLAKE2B 8\n")
    (root / "distfiles" / "timestamp.mirmon").write_text("1764547200\n")
    state.mkdir()
    return gms.validate_config({
        "upstream": "rsync://upstream.example/gentoo/",
        "root": str(root),
        "state_dir": str(state),
        "user": "gentoo-mirror",
    })
