# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test bench's nsenter connection gives commands their container's limits."""

from __future__ import annotations

import os
import resource
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'testbed', 'connection'))

import nsenter  # noqa: E402  pylint: disable=wrong-import-position


def test_init_limits_are_the_ones_the_process_has():
    assert nsenter.init_limits(os.getpid()) == {
        resource.RLIMIT_NOFILE: resource.getrlimit(resource.RLIMIT_NOFILE),
        resource.RLIMIT_NPROC: resource.getrlimit(resource.RLIMIT_NPROC),
    }


def test_parse_limits_reads_unlimited_and_ignores_other_limits():
    table = (
        "Limit                     Soft Limit           Hard Limit           Units     \n"
        "Max cpu time              unlimited            unlimited            seconds   \n"
        "Max processes             4096                 unlimited            processes \n"
        "Max open files            16384                16384                files     \n"
    )
    assert nsenter.parse_limits(table) == {
        resource.RLIMIT_NPROC: (4096, resource.RLIM_INFINITY),
        resource.RLIMIT_NOFILE: (16384, 16384),
    }
