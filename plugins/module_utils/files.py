# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read the small text files of /proc, /sys and /etc that the checks look at."""

from __future__ import annotations


def read_text(path):
    """The text of ``path``, or None when it cannot be read (missing, no permission)."""
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None
