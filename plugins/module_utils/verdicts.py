# -*- coding: utf-8 -*-
# Copyright (c) 2026, mirrorkit developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The verdicts of the checks, where more is better: ok, below the recommendation, below the minimum."""

from __future__ import annotations

VERDICT_OK = 'ok'
VERDICT_BELOW_RECOMMENDED = 'below_recommended'
VERDICT_BELOW_MINIMUM = 'below_minimum'

# From best to worst.
_ORDER = (VERDICT_OK, VERDICT_BELOW_RECOMMENDED, VERDICT_BELOW_MINIMUM)


def classify(value, minimum, recommended):
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
    """The worst of several verdicts (ok for none)."""
    result = VERDICT_OK
    for item in verdicts:
        if _ORDER.index(item) > _ORDER.index(result):
            result = item
    return result
