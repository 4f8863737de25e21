# -*- coding: utf-8 -*-
# Copyright: (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Units, number formatting and threshold verdicts shared by the mirrorkit.gentoo modules."""

from __future__ import annotations

GIB = 1024 ** 3
MIB = 1024 ** 2

VERDICT_OK = 'ok'
VERDICT_BELOW_RECOMMENDED = 'below_recommended'
VERDICT_BELOW_MINIMUM = 'below_minimum'


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


def verdict(value, minimum, recommended):
    """Classify a figure where more is better.

    Returns (verdict, threshold) where threshold names the option that applies:
    ``('ok', None)``, ``('below_recommended', 'recommended')`` or
    ``('below_minimum', 'minimum')``. ``None`` as value counts as unlimited.
    """
    if value is None:
        return VERDICT_OK, None
    if minimum is not None and value < minimum:
        return VERDICT_BELOW_MINIMUM, 'minimum'
    if recommended is not None and value < recommended:
        return VERDICT_BELOW_RECOMMENDED, 'recommended'
    return VERDICT_OK, None


def worst(verdicts):
    """The worst of several verdicts."""
    order = [VERDICT_OK, VERDICT_BELOW_RECOMMENDED, VERDICT_BELOW_MINIMUM]
    result = VERDICT_OK
    for item in verdicts:
        if order.index(item) > order.index(result):
            result = item
    return result
