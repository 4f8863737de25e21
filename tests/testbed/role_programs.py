# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the programs the roles install live in the source tree.

The unit tests (the `role_program` fixture of tests/unit/conftest.py) and the bench's smoke run
find them here: a program that moves inside its role is one line to change.
"""

from __future__ import annotations

import pathlib

TOP = pathlib.Path(__file__).resolve().parents[2]

# name the tests load it as -> path from the top of the repository
ROLE_PROGRAMS = {
    'gentoo_mirror_sync': 'roles/gentoo_mirror_sync/files/gentoo_mirror_sync.py',
    'gentoo_mirror_rsyncd_guard': 'roles/gentoo_mirror_rsyncd/files/gentoo_mirror_rsyncd_guard.py',
    'gentoo_mirror_status_page': 'roles/gentoo_mirror_status/files/gentoo_mirror_status_page.py',
    'gentoo_mirror_traffic': 'roles/gentoo_mirror_status/files/gentoo_mirror_traffic.py',
}


def role_program_path(name: str) -> pathlib.Path:
    """The source file of program `name` (a key of ROLE_PROGRAMS)."""
    return TOP / ROLE_PROGRAMS[name]
