# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Byte and bit units, and numbers written for people."""

from __future__ import annotations

GIB = 1024 ** 3
MIB = 1024 ** 2


def to_gib(nbytes, digits=2):
    """Bytes to GiB, rounded for people."""
    if nbytes is None:
        return None
    return round(float(nbytes) / GIB, digits)


def fmt_gib(nbytes):
    """'12.34 GiB' with two decimals (one decimal is not enough on small test disks)."""
    return '%.2f GiB' % (float(nbytes) / GIB)


def mbit_per_s(nbytes, seconds):
    """Throughput in Mbit/s (10**6 bit per second, as link speeds and the policy count)."""
    if not seconds or seconds <= 0:
        return None
    return nbytes * 8.0 / seconds / 1e6


def fmt_count(number):
    """1234567 -> '1,234,567'."""
    return '{0:,}'.format(int(number))
